"""Super-resolution generators: SRResNet (Ledig et al., 2017) and ESRGAN's RRDB network (Wang et al., 2018).

Both map a low-resolution image [B, h, w, C] to [B, f h, f w, C] (f a power of two):

  h0 = conv9x9(x) (+ PReLU / LeakyReLU 0.2);
  trunk: B blocks, then conv3x3 (+ BN for SRResNet); h = h0 + trunk(h0)   (the long skip);
  log2(f) upsampling stages: conv3x3 to 4F channels -> pixel_shuffle(., 2) -> activation;
  output conv9x9 to C channels (linear: the losses and metrics clip to the value range);
  with `bicubic_skip` the bicubic upsampling of x is added to the output, so the network learns
  only the residual detail (VDSR's global residual, Kim et al., 2016; not in SRResNet or ESRGAN,
  but it makes small networks trained briefly on tiny 8x8 inputs beat bicubic).

- SRResNet's block: conv3x3 - BN - PReLU - conv3x3 - BN, plus the identity.
- ESRGAN's RRDB (residual-in-residual dense block): three dense blocks, each five 3x3 convolutions
  where conv k sees the concatenation of the input and the k - 1 previous outputs (growth G
  channels, LeakyReLU 0.2, no BN), returning x + 0.2 * conv5(...); the RRDB returns
  x + 0.2 * DB3(DB2(DB1(x))). ESRGAN removes BN (artefacts when train and test statistics differ)
  and upsamples by nearest-neighbour + conv; here both generators use the sub-pixel stages.

`pixel_shuffle` and `pixel_unshuffle` (its inverse) are pure functions (Shi et al., 2016).
"""

import math

import flax.linen as nn
import jax
import jax.numpy as jnp

BLOCKS = ("residual", "rrdb")
RESIDUAL_SCALE = 0.2  # ESRGAN's residual scaling


def pixel_shuffle(x: jax.Array, factor: int) -> jax.Array:
  """[B, H, W, C r^2] -> [B, r H, r W, C]: y[b, r i + p, r j + q, c] = x[b, i, j, c r^2 + p r + q].

  The sub-pixel convolution's rearrangement (Shi et al., 2016), in PyTorch's channel order.

  Example:
    >>> x = jnp.arange(8.0).reshape(1, 1, 2, 4)
    >>> pixel_shuffle(x, 2)[0, ..., 0].tolist()
    [[0.0, 1.0, 4.0, 5.0], [2.0, 3.0, 6.0, 7.0]]
  """
  b, h, w, c = x.shape
  if c % (factor * factor):
    raise ValueError(f"x: expected channels divisible by factor^2 = {factor * factor}, got shape {x.shape}")
  y = x.reshape(b, h, w, c // factor ** 2, factor, factor)                      # [B, H, W, C, r, r]
  return y.transpose(0, 1, 4, 2, 5, 3).reshape(b, h * factor, w * factor, c // factor ** 2)


def pixel_unshuffle(x: jax.Array, factor: int) -> jax.Array:
  """[B, r H, r W, C] -> [B, H, W, C r^2], the inverse of `pixel_shuffle` (space-to-depth).

  Example:
    >>> x = jnp.arange(8.0).reshape(1, 1, 2, 4)
    >>> bool(jnp.all(pixel_unshuffle(pixel_shuffle(x, 2), 2) == x))
    True
  """
  b, hr, wr, c = x.shape
  if hr % factor or wr % factor:
    raise ValueError(f"x: expected height and width divisible by {factor}, got shape {x.shape}")
  y = x.reshape(b, hr // factor, factor, wr // factor, factor, c)                # [B, H, r, W, r, C]
  return y.transpose(0, 1, 3, 5, 2, 4).reshape(b, hr // factor, wr // factor, c * factor ** 2)


class ResidualBlock(nn.Module):
  """SRResNet's block: x + BN(conv3x3(PReLU(BN(conv3x3(x))))); BN over `axis_name` in training."""

  features: int
  axis_name: str | None = None
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array, train: bool) -> jax.Array:
    norm = lambda: nn.BatchNorm(use_running_average=not train, axis_name=self.axis_name if train else None,
                                dtype=self.dtype)
    h = norm()(nn.Conv(self.features, (3, 3), dtype=self.dtype)(x))
    h = nn.PReLU(negative_slope_init=0.25)(h)
    return x + norm()(nn.Conv(self.features, (3, 3), dtype=self.dtype)(h))


class DenseBlock(nn.Module):
  """ESRGAN's dense block: five 3x3 convs on the running concatenation; x + 0.2 conv5 (module doc)."""

  features: int
  growth: int
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    h = x
    for _ in range(4):
      h = jnp.concatenate([h, nn.leaky_relu(nn.Conv(self.growth, (3, 3), dtype=self.dtype)(h), 0.2)], axis=-1)
    return x + RESIDUAL_SCALE * nn.Conv(self.features, (3, 3), dtype=self.dtype)(h)


class RRDB(nn.Module):
  """Residual-in-residual dense block: x + 0.2 DB3(DB2(DB1(x))), no BN (module doc).

  Attributes:
    features: channels F of the input and output.
    growth: channels G each dense-block convolution adds (32 in the paper, with F = 64).
  """

  features: int
  growth: int = 32
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:  # pylint: disable=unused-argument
    h = x
    for _ in range(3):
      h = DenseBlock(self.features, self.growth, self.dtype)(h)
    return x + RESIDUAL_SCALE * h


class SRResNet(nn.Module):
  """low-resolution images [B, h, w, C] -> [B, f h, f w, C] (module doc).

  Attributes:
    channels: output channels C.
    factor: upscaling factor f, a power of two (one x2 sub-pixel stage per factor of two).
    features: trunk channels F (64 in both papers).
    num_blocks: residual blocks (SRResNet: 16) or RRDBs (ESRGAN: 23).
    block: 'residual' (SRResNet: BN, PReLU) or 'rrdb' (ESRGAN: no BN, LeakyReLU 0.2).
    growth: the RRDB's growth channels.
    bicubic_skip: add the bicubic upsampling of the input to the output (module doc).
    axis_name: mesh axis of BatchNorm's global-batch statistics in training ('residual' only).
    dtype: computation dtype (outputs are float32).
  """

  channels: int = 3
  factor: int = 4
  features: int = 64
  num_blocks: int = 16
  block: str = "residual"
  growth: int = 32
  bicubic_skip: bool = False
  axis_name: str | None = None
  dtype: jnp.dtype = jnp.float32

  def _act(self, h: jax.Array) -> jax.Array:
    return nn.PReLU(negative_slope_init=0.25)(h) if self.block == "residual" else nn.leaky_relu(h, 0.2)

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = True) -> jax.Array:
    if self.block not in BLOCKS:
      raise ValueError(f"block: expected one of {list(BLOCKS)}, got {self.block!r}")
    stages = round(math.log2(self.factor))
    if 2 ** stages != self.factor:
      raise ValueError(f"factor: expected a power of two, got {self.factor}")
    h0 = self._act(nn.Conv(self.features, (9, 9), dtype=self.dtype)(x.astype(self.dtype)))  # [B, h, w, F]
    h = h0
    for _ in range(self.num_blocks):
      if self.block == "residual":
        h = ResidualBlock(self.features, self.axis_name, self.dtype)(h, train)
      else:
        h = RRDB(self.features, self.growth, self.dtype)(h)
    h = nn.Conv(self.features, (3, 3), dtype=self.dtype)(h)
    if self.block == "residual":
      h = nn.BatchNorm(use_running_average=not train, axis_name=self.axis_name if train else None,
                       dtype=self.dtype)(h)
    h = h0 + h
    for _ in range(stages):                                                      # [B, 2h, 2w, F] per stage
      h = self._act(pixel_shuffle(nn.Conv(4 * self.features, (3, 3), dtype=self.dtype)(h), 2))
    y = nn.Conv(self.channels, (9, 9), dtype=self.dtype)(h).astype(jnp.float32)  # [B, f h, f w, C]
    if self.bicubic_skip:
      y = y + jax.image.resize(x.astype(jnp.float32), y.shape, "bicubic")
    return y
