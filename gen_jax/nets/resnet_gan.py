"""The ResNet generator and discriminator of SN-GAN's CIFAR-10 benchmarks (Miyato et al., 2018, appendix
B.4; the architecture of Gulrajani et al., 2017).

Generator: z -> dense to an s x s x 4f map -> k up-blocks (4f channels at 32x32, s = 4, k = 3) ->
BatchNorm, ReLU, 3x3 convolution to C channels, output squashing. An up-block is
  residual = conv3x3(relu(BN(conv3x3(up(relu(BN(x))))))), shortcut = conv1x1(up(x)),
with up the nearest-neighbour 2x upsampling.
Discriminator: k down-blocks (the first an "optimized" block that starts with a convolution rather
than a ReLU), one block without downsampling, ReLU and a sum over the pixels: a flat feature vector
[B, 2f] for `gen_jax.gan.networks.Discriminator`'s (spectrally normalized) linear head. A down-block is
  residual = avgpool(conv3x3(relu(conv3x3(relu(x))))), shortcut = avgpool(conv1x1(x)).
Every discriminator convolution comes from `conv` (spectrally normalized for SN-GAN). Sizes
H = s 2^k as in `gen_jax.nets.dcgan.upsampling_plan` (8x8 digits: s = 4, k = 1).
"""

from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.gan.latents import split_latent
from gen_jax.nets.conditional_norm import ConditionalBatchNorm
from gen_jax.nets.dcgan import OUTPUT_ACTIVATIONS, generator_plan, upsampling_plan


def upsample_nearest(x: jax.Array) -> jax.Array:
  """[B, H, W, C] -> [B, 2H, 2W, C], every pixel repeated 2x2."""
  return jnp.repeat(jnp.repeat(x, 2, axis=1), 2, axis=2)


def downsample_average(x: jax.Array) -> jax.Array:
  """[B, H, W, C] -> [B, H/2, W/2, C], the mean of each 2x2 block."""
  return nn.avg_pool(x, (2, 2), (2, 2))


class UpBlock(nn.Module):
  """SN-GAN's generator block (module doc): BatchNorm over the global batch via `axis_name` in training;
  with a `condition` [B, E], BigGAN's class-conditional BatchNorm (gen_jax.nets.conditional_norm)."""

  features: int
  axis_name: str | None = None
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = True, condition: jax.Array | None = None) -> jax.Array:
    axis = self.axis_name if train else None
    if condition is None:
      norm = lambda h: nn.BatchNorm(use_running_average=not train, axis_name=axis, dtype=self.dtype)(h)
    else:
      norm = lambda h: ConditionalBatchNorm(axis)(h, condition, train)
    h = nn.Conv(self.features, (3, 3), dtype=self.dtype)(upsample_nearest(nn.relu(norm(x))))
    h = nn.Conv(self.features, (3, 3), dtype=self.dtype)(nn.relu(norm(h)))
    return h + nn.Conv(self.features, (1, 1), dtype=self.dtype)(upsample_nearest(x))


class DownBlock(nn.Module):
  """SN-GAN's discriminator block (module doc); `optimized` for the first one, `downsample` False for the
  last one (which then has an identity shortcut when the widths agree)."""

  features: int
  conv: Callable[..., nn.Module] = nn.Conv
  optimized: bool = False
  downsample: bool = True
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:  # [B, H, W, C] -> [B, H/2, W/2, F] (or [B, H, W, F])
    pool = downsample_average if self.downsample else (lambda h: h)
    h = x if self.optimized else nn.relu(x)
    h = self.conv(self.features, (3, 3), dtype=self.dtype)(h)
    h = pool(self.conv(self.features, (3, 3), dtype=self.dtype)(nn.relu(h)))
    if self.optimized:
      shortcut = self.conv(self.features, (1, 1), dtype=self.dtype)(pool(x))
    elif self.downsample or x.shape[-1] != self.features:
      shortcut = pool(self.conv(self.features, (1, 1), dtype=self.dtype)(x))
    else:
      shortcut = x
    return h + shortcut


class ResNetGenerator(nn.Module):
  """z [B, Z] -> images [B, H, W, C] (module doc). Same attributes as `DCGANGenerator` (no `refine`).

  With `num_classes` > 0 it is BigGAN's generator (Brock et al., 2019): called as (z, labels), z is
  split into k + 1 chunks (a hierarchical latent, gen_jax.gan.latents.split_latent), the first feeds
  the dense layer and chunk i + 1 conditions up-block i's BatchNorms together with a class embedding
  shared by all blocks: condition_i = concat(embed(y), z_{i+1}).

  Attributes:
    image_shape: (H, W, C), H == W = s 2^k. features: f; the blocks have 4f channels (SN-GAN: f = 64).
    output: 'tanh', 'sigmoid' or 'none'. axis_name: BatchNorm's mesh axis in training. dtype: compute dtype.
    num_classes: > 0 for BigGAN's class-conditional generator. embed_dim: the shared embedding's width.
  """

  image_shape: tuple[int, int, int]
  features: int = 64
  output: str = "tanh"
  axis_name: str | None = None
  dtype: jnp.dtype = jnp.float32
  num_classes: int = 0
  embed_dim: int = 32

  @nn.compact
  def __call__(self, z: jax.Array, labels: jax.Array | None = None, train: bool = True) -> jax.Array:
    channels = self.image_shape[2]
    start, ups = generator_plan(self.image_shape, self.output)
    width_0 = 4 * self.features
    conditions = [None] * ups
    if self.num_classes:
      z, *chunks = split_latent(z, ups + 1)                                      # [B, Z / (k + 1)] each
      shared = nn.Embed(self.num_classes, self.embed_dim, dtype=self.dtype)(labels)  # [B, E]
      conditions = [jnp.concatenate([shared, chunk], axis=-1) for chunk in chunks]
    h = nn.Dense(start * start * width_0, dtype=self.dtype)(z).reshape(z.shape[0], start, start, width_0)
    for condition in conditions:
      h = UpBlock(width_0, self.axis_name, self.dtype)(h, train, condition)      # size doubles
    h = nn.relu(nn.BatchNorm(use_running_average=not train, axis_name=self.axis_name if train else None,
                             dtype=self.dtype)(h))
    h = nn.Conv(channels, (3, 3), dtype=self.dtype)(h)                           # [B, H, W, C]
    return OUTPUT_ACTIVATIONS[self.output](h.astype(jnp.float32))


class ResNetDiscriminatorBody(nn.Module):
  """images [B, H, W, C] -> features [B, 2f] (module doc): the body for `gan.networks.Discriminator`.

  Attributes:
    features: f; the blocks have 2f channels (SN-GAN: f = 64, 128 channels).
    conv: convolution factory (spectrally normalized for SN-GAN). dtype: compute dtype.
  """

  features: int = 64
  conv: Callable[..., nn.Module] = nn.Conv
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = True) -> jax.Array:
    _, downs = upsampling_plan(x.shape[1])
    width = 2 * self.features
    h = DownBlock(width, self.conv, optimized=True, dtype=self.dtype)(x.astype(self.dtype))
    for _ in range(downs - 1):
      h = DownBlock(width, self.conv, dtype=self.dtype)(h)
    h = DownBlock(width, self.conv, downsample=False, dtype=self.dtype)(h)
    return jnp.sum(nn.relu(h), axis=(1, 2))                                      # [B, 2f]
