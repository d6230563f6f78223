"""Monotone rational-quadratic splines (Neural Spline Flows, Durkan et al. 2019), elementwise.

On [-B, B] the spline has K bins with knots (x_k, y_k) and positive derivatives d_k at the
knots; inside bin k, with xi = (x - x_k) / w_k, s_k = h_k / w_k,

  g(x) = y_k + h_k (s_k xi^2 + d_k xi (1 - xi)) / (s_k + (d_{k+1} + d_k - 2 s_k) xi (1 - xi)),
  g'(x) = s_k^2 (d_{k+1} xi^2 + 2 s_k xi (1 - xi) + d_k (1 - xi)^2) / (s_k + (d_{k+1} + d_k - 2 s_k) xi (1 - xi))^2,

and outside [-B, B] it is the identity (the boundary derivatives are 1, so g is C^1).
The inverse solves a quadratic in xi in closed form (Durkan et al. 2019, eqs. 6-8).
"""

import jax
import jax.numpy as jnp

MIN_BIN = 1e-3
MIN_DERIVATIVE = 1e-3


def num_spline_params(num_bins: int) -> int:
  """3K - 1 unconstrained numbers per dimension of a K-bin rational-quadratic spline: K widths, K heights,
  K - 1 interior derivatives (the boundary derivatives are 1, the identity outside [-B, B]).

  Args:
    num_bins: K >= 1.

  Returns:
    3K - 1.

  Reference: Durkan, Bekasov, Murray, Papamakarios, Neural Spline Flows (NeurIPS 2019), section 3.1.

  Example:
    >>> num_spline_params(8)
    23
  """
  return 3 * num_bins - 1


def _knots(unnormalized: jax.Array, bound: float) -> jax.Array:
  """[..., K] -> knot positions [..., K + 1] from -B to B, each bin at least MIN_BIN of the width."""
  k = unnormalized.shape[-1]
  sizes = MIN_BIN + (1 - MIN_BIN * k) * jax.nn.softmax(unnormalized, axis=-1)
  knots = jnp.concatenate([jnp.zeros(sizes.shape[:-1] + (1,)), jnp.cumsum(sizes, axis=-1)], axis=-1)
  knots = 2 * bound * knots - bound
  return knots.at[..., 0].set(-bound).at[..., -1].set(bound)


def _gather(values: jax.Array, index: jax.Array) -> jax.Array:
  return jnp.take_along_axis(values, index[..., None], axis=-1)[..., 0]


def rational_quadratic_spline(x: jax.Array, params: jax.Array, bound: float = 3.0,
                              inverse: bool = False) -> tuple[jax.Array, jax.Array]:
  """y = g(x) (or g^{-1}(x) when `inverse`) and log |dy/dx|, elementwise (see module doc).

  Args:
    x: [...] inputs.
    params: [..., 3K - 1] unconstrained spline parameters per element: K bin widths and K
      heights (softmax-normalized), K - 1 interior derivatives (softplus).
    bound: B, the spline acts on [-B, B]; identity outside.
    inverse: apply g^{-1} instead of g.

  Returns:
    (y [...], log |dy/dx| [...]).

  References:
    Durkan, Bekasov, Murray, Papamakarios, Neural Spline Flows (NeurIPS 2019).

  Example:
    >>> import jax.numpy as jnp
    >>> x = jnp.array([-0.5, 0.2, 4.0])
    >>> y, log_det = rational_quadratic_spline(x, jnp.zeros((3, 11)))  # zeros: the identity
    >>> bool(jnp.allclose(y, x, atol=1e-5)), bool(jnp.allclose(log_det, 0.0, atol=1e-5))
    (True, True)
  """
  k = (params.shape[-1] + 1) // 3
  if params.shape[-1] != 3 * k - 1 or params.shape[:-1] != x.shape:
    raise ValueError(f"params: expected shape {x.shape + (3 * k - 1,)} (3K - 1 per element), got {params.shape}")
  x_knots = _knots(params[..., :k], bound)  # [..., K + 1]
  y_knots = _knots(params[..., k:2 * k], bound)
  ones = jnp.ones(x.shape + (1,))
  # softplus(log(e - 1)) = 1: zero parameters give the identity
  derivatives = MIN_DERIVATIVE + (1 - MIN_DERIVATIVE) * jax.nn.softplus(params[..., 2 * k:] + jnp.log(jnp.e - 1))
  derivatives = jnp.concatenate([ones, derivatives, ones], axis=-1)  # [..., K + 1]
  inside = jnp.abs(x) < bound
  x_in = jnp.clip(x, -bound, bound)
  knots = y_knots if inverse else x_knots
  index = jnp.clip(jnp.sum(x_in[..., None] >= knots[..., 1:-1], axis=-1), 0, k - 1)  # [...] bin
  xk, yk = _gather(x_knots, index), _gather(y_knots, index)
  wk = _gather(x_knots, index + 1) - xk
  hk = _gather(y_knots, index + 1) - yk
  dk, dk1 = _gather(derivatives, index), _gather(derivatives, index + 1)
  slope = hk / wk
  if inverse:
    offset = x_in - yk
    a = hk * (slope - dk) + offset * (dk1 + dk - 2 * slope)
    b = hk * dk - offset * (dk1 + dk - 2 * slope)
    c = -slope * offset
    disc = jnp.maximum(b ** 2 - 4 * a * c, 0.0)
    xi = 2 * c / (-b - jnp.sqrt(disc))
    out = xi * wk + xk
  else:
    xi = (x_in - xk) / wk
    out = None
  mix = xi * (1 - xi)
  denominator = slope + (dk1 + dk - 2 * slope) * mix
  if out is None:
    out = yk + hk * (slope * xi ** 2 + dk * mix) / denominator
  log_slope = (2 * jnp.log(slope) + jnp.log(dk1 * xi ** 2 + 2 * slope * mix + dk * (1 - xi) ** 2)
               - 2 * jnp.log(denominator))
  if inverse:
    log_slope = -log_slope
  return jnp.where(inside, out, x), jnp.where(inside, log_slope, 0.0)
