"""ProGAN's building blocks (Karras et al., 2018): equalized learning rate, pixel normalization, the
minibatch standard deviation layer and the fade-in of a new resolution.

* Equalized learning rate: weights are stored as w ~ N(0, 1) / lr_multiplier and scaled at run time by
  c = lr_multiplier * gain / sqrt(fan_in) (He's constant), so Adam's per-parameter step, which ignores a
  parameter's scale, moves every layer at the same relative speed.
* Pixel norm: b_xy = a_xy / sqrt(mean_j (a_xy^j)^2 + eps), over the channels of each pixel.
* Minibatch stddev: per group of G examples, the standard deviation of every feature over the group,
  averaged over features and pixels, appended as one more channel, so the discriminator sees the
  batch's variety and can penalize a collapsed generator.
* Fade-in: while a new resolution is added, the output is (1 - alpha) upsample(old) + alpha new, alpha
  rising linearly from 0 to 1 over the transition's steps.
"""

import math

import flax.linen as nn
import jax
import jax.numpy as jnp


def he_constant(fan_in: int, gain: float = math.sqrt(2.0)) -> float:
  """gain / sqrt(fan_in): the run-time weight scale of an equalized layer (He et al., 2015).

  Example:
    >>> round(he_constant(8), 4)
    0.5
  """
  return gain / math.sqrt(fan_in)


class EqualizedDense(nn.Module):
  """y = (c w) x + lr_multiplier b with w ~ N(0, 1) / lr_multiplier stored and c = lr_multiplier * he_constant.

  Attributes:
    features: output width. gain: He's gain (sqrt 2 for (leaky) ReLU, 1 for linear outputs).
    lr_multiplier: StyleGAN's mapping network uses 0.01 (its weights learn 100x slower).
    bias_init: initial value of the effective bias.
  """

  features: int
  gain: float = math.sqrt(2.0)
  lr_multiplier: float = 1.0
  bias_init: float = 0.0

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:  # [..., F_in] -> [..., features]
    fan_in = x.shape[-1]
    w = self.param("kernel", lambda k, s: jax.random.normal(k, s) / self.lr_multiplier, (fan_in, self.features))
    b = self.param("bias", lambda k, s: jnp.full(s, self.bias_init / self.lr_multiplier), (self.features,))
    return x @ (w * (self.lr_multiplier * he_constant(fan_in, self.gain))) + self.lr_multiplier * b


class EqualizedConv(nn.Module):
  """A 'SAME' convolution with an equalized learning rate: kernel c w, w ~ N(0, 1) stored,
  c = he_constant(k_h k_w C_in, gain).

  Attributes:
    features: output channels. kernel_size: (k_h, k_w). gain: He's gain. use_bias: add a bias.
  """

  features: int
  kernel_size: tuple[int, int] = (3, 3)
  gain: float = math.sqrt(2.0)
  use_bias: bool = True

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:  # [B, H, W, C_in] -> [B, H, W, features]
    kh, kw = self.kernel_size
    fan_in = kh * kw * x.shape[-1]
    w = self.param("kernel", nn.initializers.normal(1.0), (kh, kw, x.shape[-1], self.features))
    y = jax.lax.conv_general_dilated(x, w * he_constant(fan_in, self.gain), (1, 1), "SAME",
                                     dimension_numbers=("NHWC", "HWIO", "NHWC"))
    if self.use_bias:
      y = y + self.param("bias", nn.initializers.zeros, (self.features,))
    return y


def pixel_norm(x: jax.Array, eps: float = 1e-8) -> jax.Array:
  """x / sqrt(mean over the last (channel) axis of x^2 + eps): every pixel's feature vector at unit RMS.

  Args:
    x: [..., C] (a latent [B, Z] or feature maps [B, H, W, C]).
    eps: added under the square root.

  Returns:
    x's shape and dtype.

  Example:
    >>> import jax.numpy as jnp
    >>> y = pixel_norm(jnp.array([[3.0, 4.0]]), eps=0.0)  # RMS of [3, 4] is sqrt(12.5)
    >>> print([round(v, 4) for v in y[0].tolist()], float(jnp.mean(y ** 2)))
    [0.8485, 1.1314] 1.0
  """
  return x * jax.lax.rsqrt(jnp.mean(jnp.square(x), axis=-1, keepdims=True) + eps)


def minibatch_stddev(x: jax.Array, group_size: int = 4, eps: float = 1e-8) -> jax.Array:
  """x with one more channel: per group of `group_size` consecutive examples, s = mean over (H, W, C) of
  sqrt(Var_group(x) + eps) (the population variance), the same s for every pixel of the group's examples.

  Args:
    x: [B, H, W, C] with B divisible by min(group_size, B).
    group_size: G (static); the whole batch when B < G.
    eps: added to the variance.

  Returns:
    [B, H, W, C + 1].

  Example:
    >>> import jax.numpy as jnp
    >>> x = jnp.array([0.0, 2.0, 1.0, 1.0]).reshape(4, 1, 1, 1)
    >>> print(minibatch_stddev(x, group_size=2, eps=0.0)[:, 0, 0, 1].tolist())
    [1.0, 1.0, 0.0, 0.0]
  """
  b, h, w, c = x.shape
  g = min(group_size, b)
  if b % g:
    raise ValueError(f"x: expected a batch divisible by group_size={g}, got {b}")
  groups = x.reshape(b // g, g, h, w, c)                                          # [B/G, G, H, W, C]
  std = jnp.sqrt(jnp.var(groups, axis=1) + eps)                                    # [B/G, H, W, C]
  s = jnp.mean(std, axis=(1, 2, 3))                                                # [B/G]
  s = jnp.broadcast_to(jnp.repeat(s, g)[:, None, None, None], (b, h, w, 1)).astype(x.dtype)
  return jnp.concatenate([x, s], axis=-1)


def fade_alpha(step, start, duration):
  """ProGAN's fade-in weight: clip((step - start) / duration, 0, 1); 0 before the transition, 1 after.

  Args:
    step, start: the training step and the step at which the new resolution starts fading in.
    duration: the transition's length in steps (> 0).

  Returns:
    a float scalar in [0, 1] (traceable in step).

  Example:
    >>> print(float(fade_alpha(150, 100, 200)))
    0.25
  """
  return jnp.clip((jnp.asarray(step, jnp.float32) - start) / duration, 0.0, 1.0)


def fade_in(alpha, old: jax.Array, new: jax.Array) -> jax.Array:
  """(1 - alpha) old + alpha new: the output while a new resolution fades in (old already upsampled).

  Example:
    >>> import jax.numpy as jnp
    >>> print(fade_in(0.25, jnp.zeros(2), jnp.ones(2)).tolist())
    [0.25, 0.25]
  """
  return (1.0 - alpha) * old + alpha * new
