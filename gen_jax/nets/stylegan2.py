"""StyleGAN2's generator and residual discriminator (Karras et al., 2020, figure 7, config E/F), built from
gen_jax.nets.style and gen_jax.nets.equalized.

Generator, the skip architecture: w = mapping(z), styles ws [B, L, W] (L = 2 k + 2 for an image of side
R = 4 2^k; all equal to w unless mixed), then

  x_4 = StyledConv(c, ws_0) with c a learned constant [4, 4, F];   img_4 = ToRGB(x_4, ws_1)
  x_r = StyledConv(StyledConv(up(x_{r/2}), ws_{2i-1}), ws_{2i});   img_r = up(img_{r/2}) + ToRGB(x_r, ws_{2i+1})

for r = 8, 16, ..., R (block i = 1..k); the image is img_R, the sum of every resolution's upsampled RGB
output. `up` is bilinear 2x upsampling, the paper's [1, 3, 3, 1] filter up to the border.
ToRGB is a modulated 1x1 convolution without demodulation, plus a bias.

Discriminator, the residual architecture:

  h = act(fromRGB(img)) (1x1);  per resolution r = R .. 8:  h = (down(conv1x1(h)) + down(conv(conv(h)))) / sqrt 2
  then at 4x4: minibatch_stddev, conv 3x3, dense F, dense 1 -> one logit per image,

down the 2x2 average, every layer an equalized one, act = sqrt(2) LeakyReLU(0.2) (StyleGAN2's gain).

Reference: T. Karras, S. Laine, M. Aittala, J. Hellsten, J. Lehtinen and T. Aila, Analyzing and Improving
the Image Quality of StyleGAN (CVPR 2020), section 4 and figure 7.
"""

import math

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.nets.equalized import EqualizedConv, EqualizedDense, he_constant, minibatch_stddev
from gen_jax.nets.resnet_gan import downsample_average
from gen_jax.nets.style import MappingNetwork, StyledConv, modulated_conv


def num_upsamplings(size: int) -> int:
  """k with size = 4 2^k, the synthesis network's number of upsampling blocks.

  Example:
    >>> num_upsamplings(16)
    2
  """
  k = round(math.log2(size / 4)) if size >= 4 else -1
  if k < 0 or 4 * 2 ** k != size:
    raise ValueError(f"image size: expected 4 * 2^k (4, 8, 16, ...), got {size}")
  return k


def num_styles(size: int) -> int:
  """L = 2 k + 2 style inputs of the synthesis network for images of side `size` = 4 2^k.

  Example:
    >>> num_styles(8)
    4
  """
  return 2 * num_upsamplings(size) + 2


def upsample_bilinear(x: jax.Array) -> jax.Array:
  """[B, H, W, C] -> [B, 2H, 2W, C] by bilinear interpolation (weights 3/4, 1/4 between neighbours)."""
  b, h, w, c = x.shape
  return jax.image.resize(x, (b, 2 * h, 2 * w, c), "linear")


def _act(x: jax.Array) -> jax.Array:
  return nn.leaky_relu(x, 0.2) * math.sqrt(2.0)


def _layer_noise(noise_keys: jax.Array | None, layer: int, shape: tuple[int, int]) -> jax.Array | None:
  """Per-example noise maps [B, H, W, 1] of one layer from one key per example (None: no noise)."""
  if noise_keys is None:
    return None
  return jax.vmap(lambda k: jax.random.normal(jax.random.fold_in(k, layer), shape + (1,)))(noise_keys)


class ToRGB(nn.Module):
  """img = modulated_conv(x, c w, A(w), demodulate=False) + b with a 1x1 kernel: [B, H, W, F] -> [B, H, W, C].

  Attributes:
    channels: C, the image's channels.
  """

  channels: int

  @nn.compact
  def __call__(self, x: jax.Array, w: jax.Array) -> jax.Array:
    c_in = x.shape[-1]
    style = EqualizedDense(c_in, gain=1.0, bias_init=1.0)(w)                     # [B, F]
    kernel = self.param("kernel", nn.initializers.normal(1.0), (1, 1, c_in, self.channels))
    y = modulated_conv(x, kernel * he_constant(c_in, 1.0), style, demodulate=False)
    return y + self.param("bias", nn.initializers.zeros, (self.channels,))


class SynthesisNetwork(nn.Module):
  """The skip-architecture synthesis network (module doc): styles [B, L, W] -> images [B, *image_shape].

  Attributes:
    image_shape: (R, R, C) with R = 4 2^k.
    features: F, the channels at every resolution.

  Call with `noise_keys` [B] (one PRNG key per example; layer l draws its noise map from fold_in(key, l)),
  or None for no noise.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> net = SynthesisNetwork((16, 16, 3), features=4)
    >>> ws = jnp.zeros((2, num_styles(16), 8))                    # [B, L, W], L = 6
    >>> params = jax.eval_shape(net.init, jax.random.key(0), ws)
    >>> jax.eval_shape(net.apply, params, ws).shape
    (2, 16, 16, 3)
  """

  image_shape: tuple[int, int, int]
  features: int = 64

  @nn.compact
  def __call__(self, ws: jax.Array, noise_keys: jax.Array | None = None) -> jax.Array:
    size, _, channels = self.image_shape
    k = num_upsamplings(size)
    if ws.shape[1] != num_styles(size):
      raise ValueError(f"ws: expected {num_styles(size)} styles for {size}x{size} images, got {ws.shape[1]}")
    const = self.param("const", nn.initializers.normal(1.0), (4, 4, self.features))
    x = jnp.broadcast_to(const, (ws.shape[0], 4, 4, self.features))              # [B, 4, 4, F]
    x = StyledConv(self.features)(x, ws[:, 0], _layer_noise(noise_keys, 0, (4, 4)), noise_keys is None)
    img = ToRGB(channels)(x, ws[:, 1])                                          # [B, 4, 4, C]
    for i in range(1, k + 1):
      x = upsample_bilinear(x)                                                  # [B, r, r, F]
      r = x.shape[1]
      for j in (2 * i - 1, 2 * i):
        x = StyledConv(self.features)(x, ws[:, j], _layer_noise(noise_keys, j, (r, r)), noise_keys is None)
      img = upsample_bilinear(img) + ToRGB(channels)(x, ws[:, 2 * i + 1])      # [B, r, r, C]
    return img


class StyleGAN2Generator(nn.Module):
  """x = synthesis(broadcast(mapping(z)), noise): z [B, Z] -> images [B, *image_shape].

  `map` (z -> w [B, W]) and `synthesize` (ws [B, L, W] -> images) are the two halves, for style mixing and
  truncation in between (apply with method='map' / 'synthesize').

  Attributes:
    image_shape: (R, R, C). features: synthesis width. style_dim: W. mapping_depth: mapping layers.
    mapping_lr_multiplier: the mapping network's learning-rate multiplier (StyleGAN: 0.01).
  """

  image_shape: tuple[int, int, int]
  features: int = 64
  style_dim: int = 64
  mapping_depth: int = 4
  mapping_lr_multiplier: float = 0.01

  def setup(self):
    self.mapping = MappingNetwork(self.style_dim, self.mapping_depth, self.mapping_lr_multiplier)
    self.synthesis = SynthesisNetwork(tuple(self.image_shape), self.features)

  def map(self, z: jax.Array) -> jax.Array:
    return self.mapping(z)                                                      # [B, W]

  def synthesize(self, ws: jax.Array, noise_keys: jax.Array | None = None) -> jax.Array:
    return self.synthesis(ws, noise_keys)

  def __call__(self, z: jax.Array, noise_keys: jax.Array | None = None) -> jax.Array:
    w = self.map(z)
    ws = jnp.broadcast_to(w[:, None], (w.shape[0], num_styles(self.image_shape[0]), w.shape[-1]))
    return self.synthesize(ws, noise_keys)


class ResidualDiscriminator(nn.Module):
  """The residual discriminator (module doc): images [B, R, R, C] -> logits [B].

  Attributes:
    features: F, the channels at every resolution.
    group_size: the minibatch-stddev group (the batch on each device must be a multiple of it, so that
      groups do not depend on the device count).

  Example:
    >>> import jax, jax.numpy as jnp
    >>> d = ResidualDiscriminator(features=4, group_size=2)
    >>> x = jnp.zeros((4, 16, 16, 3))
    >>> jax.eval_shape(d.apply, jax.eval_shape(d.init, jax.random.key(0), x), x).shape
    (4,)
  """

  features: int = 64
  group_size: int = 4

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    num_upsamplings(x.shape[1])
    f = self.features
    h = _act(EqualizedConv(f, (1, 1), gain=1.0)(x))                             # [B, R, R, F]
    while h.shape[1] > 4:
      skip = downsample_average(EqualizedConv(f, (1, 1), gain=1.0, use_bias=False)(h))
      residual = _act(EqualizedConv(f, gain=1.0)(h))
      residual = downsample_average(_act(EqualizedConv(f, gain=1.0)(residual)))
      h = (skip + residual) / math.sqrt(2.0)                                    # [B, r/2, r/2, F]
    h = minibatch_stddev(h, self.group_size)                                    # [B, 4, 4, F + 1]
    h = _act(EqualizedConv(f, gain=1.0)(h)).reshape(h.shape[0], -1)            # [B, 16 F]
    h = _act(EqualizedDense(f, gain=1.0)(h))
    return EqualizedDense(1, gain=1.0)(h)[:, 0]                                 # [B]
