"""ProGAN's growth schedule, generator and discriminator (Karras et al., 2018), built from gen_jax.nets.equalized.

Progressive growing as a schedule over training steps. Images have side R = 4 2^(S-1): stage s works at
resolution r_s = 4 2^s. Stage 0 trains for `stable_steps` steps; then every stage s >= 1 fades in over
`fade_steps` steps (alpha rising linearly from 0 to 1) and is trained for `stable_steps` more:

  stage(t) = clip(floor((t - stable) / (fade + stable)) + 1, 0, S - 1)
  alpha(t) = clip((t - start_stage(t)) / fade, 0, 1),   start_s = stable + (s - 1)(fade + stable)  (1 at stage 0)

Both are functions of the step counter alone, so a checkpoint written mid-transition resumes exactly.

One compiled program for every stage: the networks hold every resolution's blocks from initialization and
always work at full size R, the traced (stage, alpha) selecting what they compute:

* Generator: every resolution's RGB output rgb_r (toRGB, a 1x1 conv, on the features of block r); the image
  of stage s is fade_in(alpha, up(rgb_{r_s / 2}), rgb_{r_s}) (the paper's fade, nearest-neighbour `up`),
  enlarged to R x R by pixel repetition; the stage picks among the S candidates.
* Discriminator: the input is average-pooled to every r; going down from R, the features entering level r_s
  are fromRGB(x_{r_s}) at the current stage, fade_in(alpha, fromRGB(x_{r_s / 2}), block(h)) one level below
  it during the fade, and block(h) below that (jnp.select by stage). Any image that is an R x R enlargement
  of an r_s x r_s one is seen at r_s exactly (the pooling undoes the repetition).
* Real images (`real_images_at_stage`): pooled to r_s and, during the fade, blended with their r_s / 2
  version as the generator's output is: fade_in(alpha, up(pool(x_{r_s})), x_{r_s}), enlarged to R x R.

The cost is that of the full-size networks at every stage (the unused levels are computed and discarded).

Generator: z -> pixel_norm -> dense to 4x4xF -> lrelu, pixel_norm -> conv 3x3 -> lrelu, pixel_norm; per
higher resolution: up, then twice conv 3x3 -> lrelu -> pixel_norm. Discriminator: fromRGB (1x1 conv, lrelu);
per resolution above 4: twice conv 3x3 -> lrelu, then 2x2 average pooling; at 4x4 minibatch_stddev,
conv 3x3, dense F, dense 1. Every layer is an equalized one, lrelu = LeakyReLU(0.2), one width F throughout
(the paper narrows the highest resolutions).

Reference: T. Karras, T. Aila, S. Laine and J. Lehtinen, Progressive Growing of GANs for Improved Quality,
Stability, and Variation (ICLR 2018), sections 2-4 and appendix A.
"""

import dataclasses
import math

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.nets.equalized import EqualizedConv, EqualizedDense, fade_alpha, fade_in, minibatch_stddev, pixel_norm
from gen_jax.nets.resnet_gan import downsample_average, upsample_nearest
from gen_jax.nets.stylegan2 import num_upsamplings


def num_stages(size: int) -> int:
  """S = log2(size / 4) + 1 resolutions 4, 8, ..., size.

  Example:
    >>> num_stages(64)
    5
  """
  return num_upsamplings(size) + 1


@dataclasses.dataclass(frozen=True)
class GrowthSchedule:
  """(stage, alpha) of a training step (module doc); `stable_steps` >= 0 and `fade_steps` >= 1 (static).

  Example:
    >>> schedule = GrowthSchedule(num_stages=3, stable_steps=100, fade_steps=50)
    >>> [(int(s), float(a)) for s, a in map(schedule, (99, 100, 125, 150, 249, 275, 10_000))]
    [(0, 1.0), (1, 0.0), (1, 0.5), (1, 1.0), (1, 1.0), (2, 0.5), (2, 1.0)]
  """

  num_stages: int
  stable_steps: int
  fade_steps: int

  def stage_start(self, stage):
    """The step at which `stage` (>= 1) starts fading in: stable + (stage - 1)(fade + stable).

    Example:
      >>> GrowthSchedule(3, 100, 50).stage_start(2)
      250
    """
    return self.stable_steps + (stage - 1) * (self.fade_steps + self.stable_steps)

  def __call__(self, step) -> tuple[jax.Array, jax.Array]:
    """(stage int32 scalar, alpha float32 scalar) at `step` (traceable)."""
    step = jnp.asarray(step, jnp.int32)
    period = self.fade_steps + self.stable_steps
    stage = jnp.clip((step - self.stable_steps) // period + 1, 0, self.num_stages - 1)
    alpha = jnp.where(stage == 0, 1.0, fade_alpha(step, self.stage_start(stage), self.fade_steps))
    return stage, alpha


def enlarge(x: jax.Array, size: int) -> jax.Array:
  """[B, r, r, C] -> [B, size, size, C], every pixel repeated (size / r) x (size / r) times.

  Example:
    >>> import jax.numpy as jnp
    >>> enlarge(jnp.arange(4.0).reshape(1, 2, 2, 1), 8)[0, :, :, 0].tolist()[3]
    [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]
  """
  while x.shape[1] < size:
    x = upsample_nearest(x)
  return x


def pooled_levels(x: jax.Array) -> list[jax.Array]:
  """[x_4, x_8, ..., x_R]: x [B, R, R, C] average-pooled to every resolution.

  Example:
    >>> import jax.numpy as jnp
    >>> [level.shape[1] for level in pooled_levels(jnp.ones((1, 16, 16, 3)))]
    [4, 8, 16]
  """
  levels = [x]
  while levels[0].shape[1] > 4:
    levels.insert(0, downsample_average(levels[0]))
  return levels


def real_images_at_stage(x: jax.Array, stage, alpha) -> jax.Array:
  """Real images as the discriminator sees them at (stage, alpha): x pooled to r_s = 4 2^stage, blended during
  the fade with its r_s / 2 version, enlarged back to R x R:

    fade_in(alpha, up(x_{r_s / 2}), x_{r_s})   (alpha taken as 1 at stage 0)

  Args:
    x: [B, R, R, C] with R = 4 2^k.
    stage, alpha: int and float scalars (traceable), e.g. from `GrowthSchedule`.

  Returns:
    [B, R, R, C], constant on (R / r_s) x (R / r_s) blocks.

  Example:
    >>> import jax.numpy as jnp
    >>> x = jnp.arange(64.0).reshape(1, 8, 8, 1)
    >>> float(real_images_at_stage(x, 0, 1.0)[0, 0, 0, 0])   # the mean of the top-left 2x2 block
    4.5
    >>> bool(jnp.all(real_images_at_stage(x, 1, 1.0) == x))
    True
  """
  size = x.shape[1]
  levels = jnp.stack([enlarge(level, size) for level in pooled_levels(x)])      # [S, B, R, R, C]
  lower = levels[jnp.maximum(stage - 1, 0)]
  return fade_in(jnp.where(stage == 0, 1.0, alpha), lower, levels[stage])


def _act(x: jax.Array) -> jax.Array:
  return nn.leaky_relu(x, 0.2)


class ProGANGenerator(nn.Module):
  """z [B, Z] -> images [B, *image_shape] at (stage, alpha), enlarged to full size (module doc).

  Attributes:
    image_shape: (R, R, C) with R = 4 2^k.
    features: F, the channels at every resolution.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> g = ProGANGenerator((8, 8, 1), features=4)
    >>> z = jnp.ones((2, 3))
    >>> params = jax.eval_shape(g.init, jax.random.key(0), z, 0, 1.0)
    >>> jax.eval_shape(g.apply, params, z, 1, 0.5).shape
    (2, 8, 8, 1)
  """

  image_shape: tuple[int, int, int]
  features: int = 64

  @nn.compact
  def rgb_outputs(self, z: jax.Array) -> list[jax.Array]:
    """[rgb_4 [B, 4, 4, C], rgb_8, ..., rgb_R]: every resolution's toRGB output."""
    size, _, channels = self.image_shape
    f = self.features
    h = EqualizedDense(16 * f, gain=math.sqrt(2.0) / 4, name="dense_4")(pixel_norm(z))
    h = pixel_norm(_act(h.reshape(z.shape[0], 4, 4, f)))                        # [B, 4, 4, F]
    h = pixel_norm(_act(EqualizedConv(f, name="conv_4")(h)))
    rgbs = [EqualizedConv(channels, (1, 1), gain=1.0, name="to_rgb_4")(h)]
    while h.shape[1] < size:
      h = upsample_nearest(h)                                                   # [B, r, r, F]
      r = h.shape[1]
      for j in range(2):
        h = pixel_norm(_act(EqualizedConv(f, name=f"conv_{r}_{j}")(h)))
      rgbs.append(EqualizedConv(channels, (1, 1), gain=1.0, name=f"to_rgb_{r}")(h))
    return rgbs

  def __call__(self, z: jax.Array, stage, alpha) -> jax.Array:
    size = self.image_shape[0]
    num_stages(size)
    rgbs = self.rgb_outputs(z)
    candidates = [enlarge(rgbs[0], size)] + [
        enlarge(fade_in(alpha, upsample_nearest(low), high), size) for low, high in zip(rgbs[:-1], rgbs[1:])]
    return jnp.stack(candidates)[stage]                                         # [B, R, R, C]


class ProGANDiscriminator(nn.Module):
  """images [B, R, R, C] -> logits [B] at (stage, alpha) (module doc).

  Attributes:
    features: F, the width of every level.
    group_size: G of minibatch_stddev; keep the per-device batch a multiple of G, so that a group never
      spans two devices.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> d = ProGANDiscriminator(features=4, group_size=2)
    >>> x = jnp.zeros((4, 16, 16, 3))
    >>> params = jax.eval_shape(d.init, jax.random.key(0), x, 0, 1.0)
    >>> jax.eval_shape(d.apply, params, x, 2, 0.25).shape
    (4,)
  """

  features: int = 64
  group_size: int = 4

  @nn.compact
  def __call__(self, x: jax.Array, stage, alpha) -> jax.Array:
    num_stages(x.shape[1])
    f = self.features
    h = None
    for i, level in reversed(list(enumerate(pooled_levels(x)))):               # level: [B, r, r, C], r = 4 2^i
      r = level.shape[1]
      entering = _act(EqualizedConv(f, (1, 1), name=f"from_rgb_{r}")(level))   # [B, r, r, F]
      if h is None:
        h = entering
        continue
      passed = h
      for j in range(2):
        passed = _act(EqualizedConv(f, name=f"conv_{2 * r}_{j}")(passed))
      passed = downsample_average(passed)                                       # [B, r, r, F]
      h = jnp.select([stage == i, stage == i + 1], [entering, fade_in(alpha, entering, passed)], passed)
    h = minibatch_stddev(h, self.group_size)                                    # [B, 4, 4, F + 1]
    h = _act(EqualizedConv(f, name="conv_4")(h)).reshape(h.shape[0], -1)       # [B, 16 F]
    h = _act(EqualizedDense(f, name="dense_4")(h))
    return EqualizedDense(1, gain=1.0, name="logit")(h)[:, 0]                   # [B]
