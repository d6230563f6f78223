"""StyleGAN2's building blocks (Karras et al., 2020): the mapping network, modulated/demodulated
convolutions with noise inputs, and style mixing.

* Mapping: w = MLP(pixel_norm(z)), L equalized dense layers (LeakyReLU 0.2) at a learning-rate
  multiplier of 0.01.
* Modulation: w'_ijk = s_i w_ijk, s = A(w) an affine map of the style (bias initialised to 1).
  Demodulation: w''_ijk = w'_ijk / sqrt(sum_{i,k} w'_ijk^2 + eps), so that output j has unit variance
  for inputs of unit variance. Implemented as conv(x * s, w) * d_j with
  d_j = (sum_{i,k} (s_i w_ijk)^2 + eps)^(-1/2), which equals the per-example convolution with w'' and
  keeps one shared kernel (no grouped convolution).
* Noise inputs: y + strength * n, n ~ N(0, 1) per pixel (one map shared by the channels), strength a
  learned per-layer scalar initialised to 0.
* Style mixing: a generator of L style inputs uses w_1 for the layers before a crossover and w_2 after,
  so that no layer can assume that adjacent styles are correlated.
"""

import math

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.nets.equalized import EqualizedDense, he_constant, pixel_norm


def modulated_conv(x: jax.Array, kernel: jax.Array, style: jax.Array, demodulate: bool = True,
                   eps: float = 1e-8) -> jax.Array:
  """StyleGAN2's modulated convolution ('SAME', stride 1): conv with w'_ijk = s_i w_ijk per example,
  divided by sqrt(sum_{i,k} w'_ijk^2 + eps) when `demodulate`.

  Args:
    x: [B, H, W, C_in] inputs.
    kernel: [k_h, k_w, C_in, C_out] (already scaled, e.g. by the equalized-LR constant).
    style: [B, C_in] per-example input-channel scales s.
    demodulate: divide each output channel by the norm of its modulated weights.
    eps: added under the square root.

  Returns:
    [B, H, W, C_out].

  Example:
    >>> import jax, jax.numpy as jnp
    >>> x = jax.random.normal(jax.random.key(0), (256, 8, 8, 16))
    >>> kernel = jax.random.normal(jax.random.key(1), (3, 3, 16, 4))
    >>> y = modulated_conv(x, kernel, jnp.full((256, 16), 3.0))
    >>> print(round(float(jnp.var(y[:, 2:-2, 2:-2])), 1))  # unit input variance -> unit output variance
    1.0
  """
  y = jax.lax.conv_general_dilated(x * style[:, None, None, :].astype(x.dtype), kernel, (1, 1), "SAME",
                                   dimension_numbers=("NHWC", "HWIO", "NHWC"))      # [B, H, W, C_out]
  if demodulate:
    sq = jnp.einsum("bi,hwio->bo", jnp.square(style), jnp.square(kernel))          # [B, C_out]
    y = y * jax.lax.rsqrt(sq + eps)[:, None, None, :].astype(y.dtype)
  return y


class MappingNetwork(nn.Module):
  """z [B, Z] -> w [B, W]: pixel_norm, then `depth` equalized dense layers with LeakyReLU 0.2 at
  learning-rate multiplier `lr_multiplier` (StyleGAN: 8 layers, 0.01).

  Attributes:
    width: W (and every hidden width). depth: number of layers. lr_multiplier: see EqualizedDense.
  """

  width: int = 64
  depth: int = 4
  lr_multiplier: float = 0.01

  @nn.compact
  def __call__(self, z: jax.Array) -> jax.Array:
    h = pixel_norm(z)
    for _ in range(self.depth):
      h = nn.leaky_relu(EqualizedDense(self.width, lr_multiplier=self.lr_multiplier)(h), 0.2)
    return h


class StyledConv(nn.Module):
  """One StyleGAN2 synthesis layer: s = A(w) (equalized dense, bias 1), y = modulated_conv(x, c w, s),
  + strength * noise, + bias, LeakyReLU 0.2 (scaled by sqrt 2, StyleGAN2's gain).

  Noise is drawn from the 'noise' RNG stream when `noise` is None and `deterministic` is False;
  pass `noise` [B, H, W, 1] to fix it, or deterministic=True for none.

  Attributes:
    features: C_out. kernel_size: square kernel side. demodulate: see modulated_conv.
  """

  features: int
  kernel_size: int = 3
  demodulate: bool = True

  @nn.compact
  def __call__(self, x: jax.Array, w: jax.Array, noise: jax.Array | None = None,
               deterministic: bool = False) -> jax.Array:
    c_in = x.shape[-1]
    style = EqualizedDense(c_in, gain=1.0, bias_init=1.0)(w)                               # [B, C_in]
    kernel = self.param("kernel", nn.initializers.normal(1.0), (self.kernel_size, self.kernel_size, c_in,
                                                                 self.features))
    y = modulated_conv(x, kernel * he_constant(self.kernel_size ** 2 * c_in, 1.0), style, self.demodulate)
    strength = self.param("noise_strength", nn.initializers.zeros, ())
    if noise is None and not deterministic:
      noise = jax.random.normal(self.make_rng("noise"), y.shape[:3] + (1,), y.dtype)
    if noise is not None:
      y = y + strength * noise
    y = y + self.param("bias", nn.initializers.zeros, (self.features,))
    return nn.leaky_relu(y, 0.2) * math.sqrt(2.0)


def mix_styles(w_first: jax.Array, w_second: jax.Array, crossover: jax.Array, num_layers: int) -> jax.Array:
  """Per-layer styles [B, L, W]: layer l uses w_first when l < crossover (per example), else w_second.

  Args:
    w_first, w_second: [B, W] styles of two latents.
    crossover: [B] integers in [0, L]; L keeps w_first everywhere.
    num_layers: L (static).

  Returns:
    [B, L, W].

  Example:
    >>> import jax.numpy as jnp
    >>> w = mix_styles(jnp.zeros((1, 2)), jnp.ones((1, 2)), jnp.array([1]), 3)
    >>> print(w[0, :, 0].tolist())
    [0.0, 1.0, 1.0]
  """
  first = jnp.arange(num_layers)[None, :] < crossover[:, None]                          # [B, L]
  return jnp.where(first[..., None], w_first[:, None, :], w_second[:, None, :])


def mixing_crossover(key: jax.Array, batch: int, num_layers: int, probability) -> jax.Array:
  """[B] crossovers for `mix_styles`: uniform on {1..L-1} with `probability`, else L (no mixing).

  Example:
    >>> import jax
    >>> print(mixing_crossover(jax.random.key(0), 3, 4, 0.0).tolist())
    [4, 4, 4]
  """
  k_mix, k_point = jax.random.split(key)
  point = jax.random.randint(k_point, (batch,), 1, max(num_layers, 2))
  return jnp.where(jax.random.uniform(k_mix, (batch,)) < probability, point, num_layers)
