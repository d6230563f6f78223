"""ResNet image-to-image generator (Johnson et al., 2016; CycleGAN's, and StarGAN's with tiled domain labels).

    c7s1-f -> d2f -> d4f -> R4f x n -> u2f -> uf -> c7s1-C, tanh

c7s1-k: reflection padding 3, 7x7 convolution with k filters, instance norm, ReLU;
dk: 3x3 stride-2 convolution, instance norm, ReLU; Rk: a residual block of two
reflection-padded 3x3 convolutions with instance norm (ReLU between them);
uk: 3x3 stride-2 transposed convolution, instance norm, ReLU. The last layer
has no normalization and a tanh (images in [-1, 1]). Convolutions followed by instance
norm have no bias: the norm removes it, so its gradient would be rounding noise (which
Adam amplifies to full-size steps). CycleGAN uses f = 64 with
6 blocks at 128x128 and 9 at 256x256 (two downsamplings); 8x8 digits use one
downsampling and a few narrow blocks.

A condition vector c [B, K] (StarGAN's target-domain labels) is tiled over the
image and concatenated to the input channels: G(concat([x, tile(c)], -1)). Give such a
generator `padding='zeros'` (StarGAN's own): a tiled label is a constant channel, its
convolution with reflection padding a per-channel constant, which the instance norm that
follows removes exactly; zero padding makes it a spatial pattern near the borders that
survives the norm (on 8x8 images every pixel but the central 2x2 is near a border).
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


PADDINGS = ("reflect", "zeros")


def reflect_pad(x: jax.Array, width: int, mode: str = "reflect") -> jax.Array:
  """[B, H, W, C] -> [B, H + 2 width, W + 2 width, C], mirrored at the border (without repeating the edge),
  or zeros with mode='zeros'."""
  pad = ((0, 0), (width, width), (width, width), (0, 0))
  return jnp.pad(x, pad, mode="reflect") if mode == "reflect" else jnp.pad(x, pad)


def tile_condition(x: jax.Array, condition: jax.Array) -> jax.Array:
  """concat([x [B, H, W, C], c [B, K] tiled to [B, H, W, K]], -1): a label vector as input channels."""
  b, h, w, _ = x.shape
  tiled = jnp.broadcast_to(condition[:, None, None, :].astype(x.dtype), (b, h, w, condition.shape[-1]))
  return jnp.concatenate([x, tiled], axis=-1)


class ResidualBlock(nn.Module):
  """x + IN(conv3x3(pad(ReLU(IN(conv3x3(pad(x))))))), reflection padding (shape-preserving)."""

  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:  # [B, H, W, F]
    features = x.shape[-1]
    h = nn.Conv(features, (3, 3), padding="VALID", use_bias=False, dtype=self.dtype)(reflect_pad(x, 1))
    h = nn.relu(nn.InstanceNorm(dtype=self.dtype)(h))
    h = nn.Conv(features, (3, 3), padding="VALID", use_bias=False, dtype=self.dtype)(reflect_pad(h, 1))
    return x + nn.InstanceNorm(dtype=self.dtype)(h)


class ResnetGenerator(nn.Module):
  """images [B, H, W, C_in] (and optional condition [B, K]) -> images [B, H, W, out_channels] in [-1, 1].

  H and W must be divisible by 2^num_downsampling and larger than 3 (the 7x7 reflection padding).

  Attributes:
    out_channels: channels of the output image.
    features: f, the first convolution's width (64 in the paper); doubled per downsampling.
    num_blocks: residual blocks at the bottleneck (6 or 9 in the paper).
    num_downsampling: stride-2 convolutions (2 in the paper; 1 for 8x8 digits).
    padding: of the two 7x7 convolutions, 'reflect' (CycleGAN) or 'zeros' (StarGAN; see the module doc).
    dtype: computation dtype (the output is float32).
    outer_kernel: k of the first and last convolutions (c7s1: 7; an odd number; 3 keeps an 8x8 generator's
      receptive field local).
  """

  out_channels: int
  features: int = 64
  num_blocks: int = 9
  num_downsampling: int = 2
  padding: str = "reflect"
  dtype: jnp.dtype = jnp.float32
  outer_kernel: int = 7

  @nn.compact
  def __call__(self, x: jax.Array, condition: jax.Array | None = None, train: bool = True) -> jax.Array:
    del train  # instance norm has no batch statistics: the same computation in training and sampling
    if self.padding not in PADDINGS:
      raise ValueError(f"padding: expected one of {list(PADDINGS)}, got {self.padding!r}")
    h = x if condition is None else tile_condition(x, condition)                # [B, H, W, C (+ K)]
    k = self.outer_kernel
    if k < 1 or k % 2 == 0:
      raise ValueError(f"outer_kernel: expected an odd number >= 1, got {k}")
    h = nn.Conv(self.features, (k, k), padding="VALID", use_bias=False, dtype=self.dtype)(
        reflect_pad(h.astype(self.dtype), k // 2, self.padding))
    h = nn.relu(nn.InstanceNorm(dtype=self.dtype)(h))                           # [B, H, W, f]
    for i in range(self.num_downsampling):                                      # [B, H / 2^(i+1), ., f 2^(i+1)]
      h = nn.Conv(self.features * 2 ** (i + 1), (3, 3), strides=(2, 2), padding="SAME", use_bias=False,
                  dtype=self.dtype)(h)
      h = nn.relu(nn.InstanceNorm(dtype=self.dtype)(h))
    for _ in range(self.num_blocks):
      h = ResidualBlock(self.dtype)(h)
    for i in reversed(range(self.num_downsampling)):                            # [B, H / 2^i, ., f 2^i]
      h = nn.ConvTranspose(self.features * 2 ** i, (3, 3), strides=(2, 2), padding="SAME", use_bias=False,
                           dtype=self.dtype)(h)
      h = nn.relu(nn.InstanceNorm(dtype=self.dtype)(h))
    h = nn.Conv(self.out_channels, (k, k), padding="VALID", dtype=self.dtype)(reflect_pad(h, k // 2, self.padding))
    return jnp.tanh(h).astype(jnp.float32)                                      # [B, H, W, out_channels]
