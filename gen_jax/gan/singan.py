"""SinGAN's pure pieces: a pyramid of fully convolutional patch GANs learned from ONE image.

Scales are indexed coarsest first here, k = 0 .. K-1 (the paper's n = K-1-k; x_{K-1} is the
training image). With up(.) the bilinear resize to the next scale's shape and up(x_{-1}) = 0:

  x_k = up(x_{k-1}) + G_k(sigma_k z_k + up(x_{k-1})),   z_k ~ N(0, I) of scale k's shape,

each scale k adding the details its patch critic D_k (WGAN-GP) misses. The reconstruction path
uses the fixed noise z* at the coarsest scale and no noise above it; its error at the scale
below sets each scale's noise amplitude, sigma_k = 0.1 RMSE(up(x~_{k-1}), x_k) (sigma_0 = 1).

* `num_scales`, `pyramid_shapes`, `resize`, `image_pyramid`: the image pyramid (factor r > 1);
  `resized_shapes`: the pyramid of a sample of another size or aspect ratio.
* `ScaleGenerator`, `PatchCritic`: the per-scale networks (five 3x3 convolutions, LeakyReLU 0.2).
* `critic_score`, `noise_amplitude`, `reconstruction_loss`: the per-scale objective's terms
  (the adversarial terms are gen_jax.gan.losses' Wasserstein ones with
  gen_jax.gan.regularizers.gradient_penalty).
* `generate`: run the pyramid from a chosen scale (sampling at any size, harmonisation, editing).

Reference: T. R. Shaham, T. Dekel and T. Michaeli, SinGAN: Learning a Generative Model from a
Single Natural Image (ICCV 2019), section 2.
"""

import math
from typing import Callable, Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

Shape = tuple[int, int]


def num_scales(height: int, width: int, min_size: int, scale_factor: float) -> int:
  """How many scales reach down to a coarsest shorter side of at least `min_size` pixels.

    K = 1 + floor(log(min(H, W) / min_size) / log r)

  Args:
    height: H of the training image.
    width: W of the training image.
    min_size: the coarsest scale's shorter side is at least this (the paper: 25 pixels).
    scale_factor: r > 1, the size ratio of neighbouring scales (the paper: about 4/3).

  Returns:
    K >= 1 (1 when min(H, W) <= min_size).

  Example:
    >>> from gen_jax.gan import singan
    >>> singan.num_scales(32, 48, 10, 4 / 3)  # shorter sides 32, 24, 18, 13.5, 10.1
    5
  """
  if min(height, width, min_size) < 1 or not scale_factor > 1:
    raise ValueError(f"height, width, min_size, scale_factor: expected sizes >= 1 and r > 1, got "
                     f"{height}, {width}, {min_size}, {scale_factor}")
  ratio = min(height, width) / min_size
  return 1 + max(int(math.floor(math.log(ratio) / math.log(scale_factor) + 1e-9)), 0) if ratio > 1 else 1


def pyramid_shapes(height: int, width: int, count: int, scale_factor: float) -> list[Shape]:
  """The K scales' (height, width), coarsest first: scale k is the image shrunk by r^(K-1-k).

    (h_k, w_k) = (round(H r^-(K-1-k)), round(W r^-(K-1-k))), at least 1

  Args:
    height: H of the finest scale.
    width: W of the finest scale.
    count: K >= 1.
    scale_factor: r > 1.

  Returns:
    K (h, w) pairs, the last (H, W).

  Example:
    >>> from gen_jax.gan import singan
    >>> singan.pyramid_shapes(32, 48, 3, 2.0)
    [(8, 12), (16, 24), (32, 48)]
  """
  if count < 1:
    raise ValueError(f"count: expected >= 1 scales, got {count}")
  shrink = [scale_factor ** (count - 1 - k) for k in range(count)]
  return [(max(round(height / s), 1), max(round(width / s), 1)) for s in shrink]


def resized_shapes(shapes: Sequence[Shape], height_scale: float, width_scale: float) -> list[Shape]:
  """Every scale's (h, w) stretched by (height_scale, width_scale): the pyramid of a sample of another size
  or aspect ratio (the paper changes the coarsest noise map's shape; the finer ones follow).

    (h'_k, w'_k) = (round(h_k * height_scale), round(w_k * width_scale)), at least 1

  Example:
    >>> from gen_jax.gan import singan
    >>> singan.resized_shapes([(8, 12), (16, 24)], 1.0, 2.0)
    [(8, 24), (16, 48)]
  """
  if not (height_scale > 0 and width_scale > 0):
    raise ValueError(f"height_scale, width_scale: expected > 0, got {height_scale}, {width_scale}")
  return [(max(round(h * height_scale), 1), max(round(w * width_scale), 1)) for h, w in shapes]


def resize(images: jax.Array, shape: Sequence[int]) -> jax.Array:
  """Bilinear resize of images [B, H, W, C] to [B, h, w, C], antialiased when shrinking (jax.image.resize).

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import singan
    >>> print(singan.resize(jnp.ones((1, 4, 6, 3)), (2, 3)).shape)
    (1, 2, 3, 3)
  """
  if images.ndim != 4 or len(shape) != 2:
    raise ValueError(f"images, shape: expected [B, H, W, C] and (h, w), got {images.shape}, {tuple(shape)}")
  target = (images.shape[0], int(shape[0]), int(shape[1]), images.shape[-1])
  return images if target == images.shape else jax.image.resize(images, target, "bilinear", antialias=True)


def image_pyramid(images: jax.Array, shapes: Sequence[Shape]) -> list[jax.Array]:
  """[resize(images, s) for s in shapes]: the training image at every scale (x_k), coarsest first.

  Args:
    images: [B, H, W, C].
    shapes: the scales' (h, w) (`pyramid_shapes`).

  Returns:
    one [B, h_k, w_k, C] array per scale.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import singan
    >>> levels = singan.image_pyramid(jnp.ones((1, 32, 48, 3)), singan.pyramid_shapes(32, 48, 3, 2.0))
    >>> print([level.shape[1:3] for level in levels])
    [(8, 12), (16, 24), (32, 48)]
  """
  return [resize(images, shape) for shape in shapes]


def _conv_stack(h: jax.Array, width: int, depth: int, dtype) -> jax.Array:
  """depth - 1 blocks h <- LeakyReLU_0.2(conv3x3_width(h)) ('SAME' zero padding)."""
  for _ in range(depth - 1):
    h = nn.leaky_relu(nn.Conv(width, (3, 3), padding="SAME", dtype=dtype)(h), 0.2)
  return h


class ScaleGenerator(nn.Module):
  """One scale's residual generator: G(noise, previous) = previous + tanh(conv(body(noise + previous))).

  body: `depth` - 1 3x3 convolutions of `width` channels with LeakyReLU 0.2 (the paper's five
  conv blocks, without batch normalisation), then a 3x3 convolution to the image's channels and
  tanh. Fully convolutional: any height and width.

  Attributes:
    width: channels of the hidden convolutions (the paper: 32, doubled every 4 scales).
    depth: number of convolutions (the paper: 5, an 11x11 receptive field).
    dtype: computation dtype.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.gan.singan import ScaleGenerator
    >>> g = ScaleGenerator(width=4, depth=3)
    >>> x = jnp.zeros((2, 8, 12, 3))
    >>> params = g.init(jax.random.PRNGKey(0), x, x)
    >>> print(g.apply(params, x, x).shape)
    (2, 8, 12, 3)
  """

  width: int = 32
  depth: int = 5
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, noise: jax.Array, previous: jax.Array, train: bool = False) -> jax.Array:  # [B, h, w, C]
    del train  # no batch statistics
    h = _conv_stack((noise + previous).astype(self.dtype), self.width, self.depth, self.dtype)
    residual = jnp.tanh(nn.Conv(previous.shape[-1], (3, 3), padding="SAME", dtype=self.dtype)(h))
    return previous + residual.astype(previous.dtype)


class PatchCritic(nn.Module):
  """One scale's fully convolutional critic: a score per overlapping patch, [B, h, w, C] -> [B, h, w].

  `depth` - 1 3x3 convolutions of `width` channels with LeakyReLU 0.2, then a 3x3 convolution to
  one channel; each output scores the (2 depth + 1)^2 patch around it.

  Attributes: width, depth and dtype, as `ScaleGenerator`'s.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.gan.singan import PatchCritic
    >>> scores = PatchCritic(width=4, depth=3).init_with_output(jax.random.PRNGKey(0), jnp.zeros((2, 5, 7, 3)))[0]
    >>> print(scores.shape)
    (2, 5, 7)
  """

  width: int = 32
  depth: int = 5
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, images: jax.Array, train: bool = False) -> jax.Array:
    del train
    h = _conv_stack(images.astype(self.dtype), self.width, self.depth, self.dtype)
    return nn.Conv(1, (3, 3), padding="SAME", dtype=self.dtype)(h)[..., 0].astype(jnp.float32)


def critic_score(score_map: jax.Array) -> jax.Array:
  """A patch critic's score of each image: the mean of its patch scores, [B, h, w] -> [B].

  The WGAN objective then compares mean patch scores (the paper's Markovian discriminator).

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan.singan import critic_score
    >>> print(critic_score(jnp.array([[[1.0, 3.0]], [[0.0, -2.0]]])))
    [ 2. -1.]
  """
  if score_map.ndim != 3:
    raise ValueError(f"score_map: expected [B, h, w], got shape {score_map.shape}")
  return jnp.mean(score_map, axis=(1, 2))


def noise_amplitude(upsampled: jax.Array, real: jax.Array, base=0.1) -> jax.Array:
  """A scale's noise standard deviation from the reconstruction error of the scale below.

    sigma_k = base * sqrt(mean((up(x~_{k-1}) - x_k)^2))   (base 0.1 in the paper)

  Args:
    upsampled: up(x~_{k-1}), the reconstruction of the scale below resized to scale k, [B, h, w, C].
    real: x_k, the training image at scale k, the same shape.
    base: the factor (a float; may be traced).

  Returns:
    sigma_k, a float32 scalar (RMSE over all entries).

  References:
    Shaham et al., SinGAN (ICCV 2019), section 2.2.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan.singan import noise_amplitude
    >>> print(noise_amplitude(jnp.zeros((1, 2, 2, 3)), jnp.full((1, 2, 2, 3), 2.0)))
    0.2
  """
  if upsampled.shape != real.shape:
    raise ValueError(f"upsampled, real: expected equal shapes, got {upsampled.shape}, {real.shape}")
  return base * jnp.sqrt(jnp.mean(jnp.square(upsampled - real)))


def reconstruction_loss(output: jax.Array, real: jax.Array) -> jax.Array:
  """Per-image mean squared error ||G_k(z*_k, up(x~_{k-1})) - x_k||^2 / (h w C) of the reconstruction path, [B].

  z*_k is the fixed noise z* at the coarsest scale (k = 0) and 0 above it, so the pyramid can
  reproduce the training image; the paper weights this term by alpha = 10.

  Args:
    output: the reconstruction at scale k, [B, h, w, C].
    real: x_k, the same shape.

  Returns:
    [B] float.

  References:
    Shaham et al., SinGAN (ICCV 2019), eq. 5.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan.singan import reconstruction_loss
    >>> print(reconstruction_loss(jnp.zeros((2, 2, 2, 1)), jnp.ones((2, 2, 2, 1))))
    [1. 1.]
  """
  if output.shape != real.shape or output.ndim != 4:
    raise ValueError(f"output, real: expected equal shapes [B, h, w, C], got {output.shape}, {real.shape}")
  return jnp.mean(jnp.square(output - real), axis=(1, 2, 3))


# scale_fn(k, noise [B, h_k, w_k, C], previous [B, h_k, w_k, C]) -> x_k: applies G_k with its parameters.
ScaleFn = Callable[[int, jax.Array, jax.Array], jax.Array]


def generate(scale_fn: ScaleFn, noises: Sequence[jax.Array], sigmas: jax.Array, shapes: Sequence[Shape],
             start: int = 0, previous: jax.Array | None = None) -> jax.Array:
  """Run the pyramid from scale `start` to the last of `shapes`:

    x_k = up(x_{k-1}) + G_k(sigma_k z_k + up(x_{k-1})),   k = start .. len(shapes) - 1,

  with up(x_{start-1}) = `previous` resized to scale `start` (zeros when None: unconditional
  sampling from the coarsest scale). Sampling at another size or aspect ratio passes other
  `shapes` (the networks are fully convolutional); harmonisation and editing pass an image as
  `previous` at a coarse `start` (the paper's injection at scale n).

  Args:
    scale_fn: G_k as a function (k, noise, previous) -> x_k.
    noises: z_k [B, h_k, w_k, C] for k = start .. end (one per scale run), unit variance.
    sigmas: [K] noise amplitudes (entries below `start` unused; may be traced).
    shapes: the (h, w) of every scale, coarsest first (`pyramid_shapes`).
    start: the first scale run.
    previous: [B, H', W', C] the input to scale `start`, any size (resized), or None.

  Returns:
    x at the last scale, [B, *shapes[-1], C].

  References:
    Shaham et al., SinGAN (ICCV 2019), eq. 2 and section 4 (harmonisation, editing).

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import singan
    >>> identity_plus_noise = lambda k, z, previous: previous + z  # a stand-in for G_k
    >>> shapes = singan.pyramid_shapes(4, 4, 2, 2.0)
    >>> noises = [jnp.ones((1, 2, 2, 1)), jnp.ones((1, 4, 4, 1))]
    >>> x = singan.generate(identity_plus_noise, noises, jnp.array([1.0, 0.5]), shapes)
    >>> print(x[0, :, :, 0])  # 1 (coarse) upsampled, plus 0.5
    [[1.5 1.5 1.5 1.5]
     [1.5 1.5 1.5 1.5]
     [1.5 1.5 1.5 1.5]
     [1.5 1.5 1.5 1.5]]
  """
  if len(noises) != len(shapes) - start:
    raise ValueError(f"noises: expected one per scale run ({len(shapes) - start}), got {len(noises)}")
  first = noises[0]
  x = jnp.zeros_like(first) if previous is None else resize(previous, first.shape[1:3])
  for offset, z in enumerate(noises):
    k = start + offset
    if tuple(z.shape[1:3]) != tuple(shapes[k]):
      raise ValueError(f"noises[{offset}]: expected spatial shape {tuple(shapes[k])}, got {z.shape[1:3]}")
    x = scale_fn(k, sigmas[k] * z, resize(x, shapes[k]))
  return x
