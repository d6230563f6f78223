"""DCGAN networks (Radford et al., 2016): strided (transposed) convolutions, BatchNorm, ReLU / LeakyReLU 0.2.

`DCGANGenerator` maps a vector [B, Z] to images [B, H, W, C]: a dense layer to
an s x s x (f 2^(k-1)) map (BatchNorm + ReLU), then k stride-2 4x4 transposed
convolutions doubling the size, the first k - 1 halving the width (BatchNorm +
ReLU), the last one straight to C channels (no BatchNorm), and an output
squashing. For 32x32 with f = 64: 256x4x4 -> 128x8x8 -> 64x16x16 -> Cx32x32.
`DCGANEncoder` mirrors it: k stride-2 4x4 convolutions to f, 2f, ..., f 2^(k-1)
channels (LeakyReLU 0.2; optionally BatchNorm on all but the first) from images
to a flat s x s x (f 2^(k-1)) feature vector, the body of the DCGAN
discriminator and of the AAE encoder. A dense layer from those flat features
to one logit (gen_jax.gan.networks.Discriminator's head) is exactly DCGAN's
final s x s 'VALID' convolution to one logit. Sizes H = s 2^k with
3 <= s <= 7: 8 (4 * 2), 16, 28 (7 * 4), 32, 64, ...
"""

import functools
import math
from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.nets import downsampling
from gen_jax.nets.upsampling import SubpixelConvTranspose

# nn.Conv whose strided 'SAME' convolutions take their input gradient in sub-pixel form (gen_jax.nets.downsampling):
# the same parameters and outputs as nn.Conv.
Conv = functools.partial(nn.Conv, conv_general_dilated=downsampling.conv_general_dilated)

OUTPUT_ACTIVATIONS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "tanh": jnp.tanh,            # images in [-1, 1]
    "sigmoid": jax.nn.sigmoid,   # images in [0, 1]
    "none": lambda x: x,
}


def upsampling_plan(size: int) -> tuple[int, int]:
  """(s, k) with size = s * 2^k, 3 <= s <= 7 and k >= 1 as large as possible.

  ValueError naming `size` when no such split exists (e.g. odd sizes).
  """
  k = 0
  while size % 2 ** (k + 1) == 0 and size // 2 ** (k + 1) >= 3:
    k += 1
  if k == 0 or not 3 <= size // 2 ** k <= 7:
    raise ValueError(f"size: expected an image size s * 2^k with 3 <= s <= 7 and k >= 1 "
                     f"(8, 16, 28, 32, 64, ...), got {size}")
  return size // 2 ** k, k


def generator_plan(image_shape: tuple[int, int, int], output: str) -> tuple[int, int]:
  """`upsampling_plan` of a generator's square image_shape (H, W, C), after checking the shape and the
  output squashing (ValueError naming `image_shape` or `output`)."""
  height, width, _ = image_shape
  if height != width:
    raise ValueError(f"image_shape: expected square images, got {image_shape}")
  if output not in OUTPUT_ACTIVATIONS:
    raise ValueError(f"output: expected one of {sorted(OUTPUT_ACTIVATIONS)}, got {output!r}")
  return upsampling_plan(height)


class DCGANGenerator(nn.Module):
  """z [B, Z] -> images [B, H, W, C] (H = W = image_shape[0]), the canonical DCGAN generator (module doc).

  Attributes:
    image_shape: (H, W, C) with H == W (see `upsampling_plan`).
    features: channels of the last hidden transposed convolution; the dense map has features * 2^(k-1).
    output: 'tanh', 'sigmoid' or 'none' (see OUTPUT_ACTIVATIONS).
    axis_name: mesh axis of BatchNorm's global-batch statistics in training.
    dtype: computation dtype (parameters stay float32).
    refine: the last transposed convolution keeps f channels (BatchNorm + ReLU) and a 3x3
      convolution maps them to C: one more layer at full size, which small images (8x8 digits,
      a single upsampling) need; False is the canonical DCGAN.
  """

  image_shape: tuple[int, int, int]
  features: int = 64
  output: str = "tanh"
  axis_name: str | None = None
  dtype: jnp.dtype = jnp.float32
  refine: bool = False

  @nn.compact
  def __call__(self, z: jax.Array, train: bool = True) -> jax.Array:
    channels = self.image_shape[2]
    start, ups = generator_plan(self.image_shape, self.output)
    norm = lambda h: nn.BatchNorm(use_running_average=not train, axis_name=self.axis_name if train else None,
                                  dtype=self.dtype)(h)
    up = lambda h, out: SubpixelConvTranspose(out, (4, 4), strides=(2, 2), dtype=self.dtype)(h)
    width_0 = self.features * 2 ** (ups - 1)
    h = nn.Dense(start * start * width_0, dtype=self.dtype)(z)
    h = nn.relu(norm(h.reshape(z.shape[0], start, start, width_0)))          # [B, s, s, f 2^(k-1)]
    for i in reversed(range(ups - 1)):
      h = nn.relu(norm(up(h, self.features * 2 ** i)))                        # size doubles: f 2^i channels
    if self.refine:  # one more f-channel transposed conv, then a 3x3 conv to the image
      h = nn.relu(norm(up(h, self.features)))                                  # [B, H, W, f]
      h = nn.Conv(channels, (3, 3), padding="SAME", dtype=self.dtype)(h)       # [B, H, W, C]
    else:
      h = up(h, channels)                                                      # [B, H, W, C]
    return OUTPUT_ACTIVATIONS[self.output](h.astype(jnp.float32))


class DCGANEncoder(nn.Module):
  """images [B, H, W, C] -> features [B, s * s * f 2^(k-1)], the mirror of DCGANGenerator.

  h <- lrelu(norm(conv(h)), 0.2) per stride-2 4x4 convolution; norm is BatchNorm
  when `batch_norm`, except after the first convolution (as in DCGAN's
  discriminator, which never normalizes its input layer), else the identity.

  Attributes:
    features: channels of the first convolution, doubled by each later one.
    conv: convolution factory (default `Conv`; e.g. spectrally normalized nn.Conv).
    batch_norm: BatchNorm after every convolution but the first (statistics in
      'batch_stats', over the global batch via `axis_name` in training).
    axis_name: mesh axis of BatchNorm's global-batch statistics in training.
    dtype: computation dtype.
  """

  features: int = 64
  conv: Callable[..., nn.Module] = Conv
  batch_norm: bool = False
  axis_name: str | None = None
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = True) -> jax.Array:
    _, ups = upsampling_plan(x.shape[1])
    h = x.astype(self.dtype)
    for i in range(ups):
      h = self.conv(self.features * 2 ** i, (4, 4), strides=(2, 2), padding="SAME", dtype=self.dtype)(h)
      if self.batch_norm and i > 0:
        h = nn.BatchNorm(use_running_average=not train, axis_name=self.axis_name if train else None,
                         dtype=self.dtype)(h)
      h = nn.leaky_relu(h, 0.2)                                                # [B, H / 2^(i+1), ., f 2^i]
    return h.reshape(h.shape[0], math.prod(h.shape[1:]))
