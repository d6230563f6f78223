"""Noise-prediction networks eps_theta(x_t, t): an MLP with Fourier time features for 2-D points and a small
U-Net (residual blocks, self-attention at the lowest resolution, a time embedding, optional dropout) for images.

Both map (x [B, ...], t [B] in [0, 1]) -> eps_hat with x's shape. The U-Net's dropout draws its masks from
one key per example (`dropout_keys` [B], e.g. `gen_jax.train.parallel.example_keys`), so a training step gives
the same masks on any number of devices; without keys it is deterministic (evaluation, sampling).
"""

import itertools
from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp


def fourier_features(t: jax.Array, num: int, max_frequency: float = 1000.0) -> jax.Array:
  """[sin(w_k t), cos(w_k t)], w_k = max_frequency^(k / (num - 1)), k = 0..num-1 (Transformer / DDPM
  sinusoidal embedding of a time in [0, 1]): [B] -> [B, 2 num]."""
  frequencies = max_frequency ** (jnp.arange(num) / max(num - 1, 1))  # [num]
  angles = t[:, None] * frequencies  # [B, num]
  return jnp.concatenate([jnp.sin(angles), jnp.cos(angles)], axis=-1)


class ScoreMLP(nn.Module):
  """eps_theta on flattened examples (2-D points, or small images): h = W x + E(t); `depth` residual blocks h += W_2 silu(W_1 silu(h) + E_l(t));
  out = W_o silu(h), E(t) an MLP of the Fourier features of t.

  Attributes:
    width: hidden width. depth: residual blocks. num_frequencies: Fourier features of t (x2).
  """

  width: int = 128
  depth: int = 3
  num_frequencies: int = 16

  @nn.compact
  def __call__(self, x: jax.Array, t: jax.Array) -> jax.Array:  # [B, ...], [B] -> [B, ...]
    flat = x.reshape(x.shape[0], -1)  # [B, D]
    emb = nn.silu(nn.Dense(self.width)(fourier_features(t, self.num_frequencies)))  # [B, W]
    h = nn.Dense(self.width)(flat) + emb
    for _ in range(self.depth):
      inner = nn.silu(nn.Dense(self.width)(nn.silu(h)) + nn.Dense(self.width)(emb))
      h = h + nn.Dense(self.width)(inner)
    return nn.Dense(flat.shape[-1], kernel_init=nn.initializers.zeros)(nn.silu(h)).reshape(x.shape)


def example_dropout(h: jax.Array, rate: float, keys: jax.Array | None) -> jax.Array:
  """Inverted dropout with one key per example: h_i * m_i / (1 - rate), m_i ~ Bernoulli(1 - rate) drawn from
  keys[i] (h [B, ...], keys [B]); h unchanged when keys is None or rate == 0."""
  if keys is None or rate == 0.0:
    return h
  keep = jax.vmap(lambda k: jax.random.bernoulli(k, 1.0 - rate, h.shape[1:]))(keys)  # [B, ...]
  return jnp.where(keep, h / (1.0 - rate), 0.0).astype(h.dtype)


def _groups(channels: int) -> int:
  """The largest of 8, 4, 2, 1 dividing `channels` (GroupNorm groups)."""
  return next(g for g in (8, 4, 2, 1) if channels % g == 0)


class ResidualBlock(nn.Module):
  """h = conv(silu(GN(x))) + Dense(emb); out = skip(x) + conv(dropout(silu(GN(h)))) (DDPM's residual block)."""

  channels: int
  dropout: float = 0.0

  @nn.compact
  def __call__(self, x: jax.Array, emb: jax.Array, dropout_keys: jax.Array | None = None) -> jax.Array:
    h = nn.Conv(self.channels, (3, 3))(nn.silu(nn.GroupNorm(_groups(x.shape[-1]))(x)))  # [B, H, W, C']
    h = h + nn.Dense(self.channels)(emb)[:, None, None, :]
    h = example_dropout(nn.silu(nn.GroupNorm(_groups(self.channels))(h)), self.dropout, dropout_keys)
    h = nn.Conv(self.channels, (3, 3), kernel_init=nn.initializers.zeros)(h)
    skip = x if x.shape[-1] == self.channels else nn.Dense(self.channels)(x)
    return skip + h


class AttentionBlock(nn.Module):
  """x + self-attention over the H W positions of GN(x) (one head)."""

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:  # [B, H, W, C]
    b, h, w, c = x.shape
    y = nn.GroupNorm(_groups(c))(x).reshape(b, h * w, c)
    y = nn.MultiHeadDotProductAttention(num_heads=1, out_kernel_init=nn.initializers.zeros)(y)
    return x + y.reshape(b, h, w, c)


class UNet(nn.Module):
  """A small DDPM U-Net: per resolution `blocks` residual blocks (channels * multiplier), 2x average-pool
  down, self-attention at the lowest resolution, nearest-neighbour up with skip connections; time
  embedding = MLP(Fourier features of t) added in every block; dropout inside every residual block (DDPM and
  VDM use 0.1) when `dropout_keys` [B] are given.

  Attributes:
    channels: base width. multipliers: one per resolution (len - 1 halvings). blocks: per resolution.
    num_frequencies: Fourier features of t (x2). dropout: rate in the residual blocks.
  """

  channels: int = 32
  multipliers: Sequence[int] = (1, 2)
  blocks: int = 1
  num_frequencies: int = 16
  dropout: float = 0.0

  @nn.compact
  def __call__(self, x: jax.Array, t: jax.Array, dropout_keys: jax.Array | None = None) -> jax.Array:
    block_index = itertools.count()

    def block(channels, h):  # a residual block with its own dropout stream fold_in(key_i, block)
      keys = None if dropout_keys is None else jax.vmap(jax.random.fold_in, (0, None))(dropout_keys,
                                                                                        next(block_index))
      return ResidualBlock(channels, self.dropout)(h, emb, keys)

    emb_width = 4 * self.channels
    emb = nn.Dense(emb_width)(nn.silu(nn.Dense(emb_width)(fourier_features(t, self.num_frequencies))))
    h = nn.Conv(self.channels, (3, 3))(x)
    skips = [h]
    for level, multiplier in enumerate(self.multipliers):
      for _ in range(self.blocks):
        h = block(self.channels * multiplier, h)
        skips.append(h)
      if level < len(self.multipliers) - 1:
        h = nn.avg_pool(h, (2, 2), (2, 2))
        skips.append(h)
    h = AttentionBlock()(block(h.shape[-1], h))
    h = block(h.shape[-1], h)
    for level, multiplier in reversed(list(enumerate(self.multipliers))):
      for _ in range(self.blocks + 1):
        h = block(self.channels * multiplier, jnp.concatenate([h, skips.pop()], axis=-1))
      if level > 0:
        h = jnp.repeat(jnp.repeat(h, 2, axis=1), 2, axis=2)
    h = nn.silu(nn.GroupNorm(_groups(h.shape[-1]))(h))
    return nn.Conv(x.shape[-1], (3, 3), kernel_init=nn.initializers.zeros)(h)
