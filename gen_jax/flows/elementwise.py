"""The elementwise transforms a coupling or autoregressive layer applies, given its conditioner's output.

With per-element parameters theta (computed from the conditioning inputs only):

  'additive': z = x + t                               log |dz/dx| = 0            (NICE)
  'affine':   z = x exp(s) + t, s = c tanh(s_raw / c)   log |dz/dx| = s            (RealNVP, Glow, MAF)
  'spline':   z = g_theta(x), rational-quadratic     log |dz/dx| = log g'(x)    (Neural Spline Flows)

The affine log-scale is softly bounded by c = SCALE_BOUND for stability.
"""

import jax
import jax.numpy as jnp

from gen_jax.flows.splines import num_spline_params, rational_quadratic_spline

TRANSFORMS = ("additive", "affine", "spline")
SCALE_BOUND = 3.0


def num_params(transform: str, num_bins: int = 8) -> int:
  """Conditioner outputs per transformed element: 1 (additive), 2 (affine), 3K - 1 (spline).

  Example:
    >>> num_params("affine"), num_params("spline", num_bins=8)
    (2, 23)
  """
  if transform not in TRANSFORMS:
    raise ValueError(f"transform: expected one of {list(TRANSFORMS)}, got {transform!r}")
  return {"additive": 1, "affine": 2, "spline": num_spline_params(num_bins)}[transform]


def apply(transform: str, x: jax.Array, params: jax.Array, inverse: bool = False,
          bound: float = 3.0) -> tuple[jax.Array, jax.Array]:
  """(y, log |dy/dx|), both shaped like x, for x [...] and params [..., num_params(transform)].

  Args:
    transform: 'additive', 'affine' or 'spline' (see module doc).
    x: inputs (z when `inverse`).
    params: the conditioner's unconstrained outputs for each element.
    inverse: apply the inverse map (its log-det is minus the forward one's at the preimage).
    bound: the spline's interval [-bound, bound] (identity outside).

  Example:
    >>> import jax.numpy as jnp
    >>> x = jnp.array([1.0, 2.0])
    >>> params = jnp.array([[0.0, 0.5], [0.0, -1.0]])  # (s_raw, t) per element
    >>> y, log_det = apply("affine", x, params)
    >>> y.tolist(), log_det.tolist()
    ([1.5, 1.0], [0.0, 0.0])
  """
  if transform == "additive":
    shift = params[..., 0]
    return (x - shift if inverse else x + shift), jnp.zeros_like(x)
  if transform == "affine":
    log_scale = SCALE_BOUND * jnp.tanh(params[..., 0] / SCALE_BOUND)
    shift = params[..., 1]
    if inverse:
      return (x - shift) * jnp.exp(-log_scale), -log_scale
    return x * jnp.exp(log_scale) + shift, log_scale
  if transform == "spline":
    return rational_quadratic_spline(x, params, bound, inverse)
  raise ValueError(f"transform: expected one of {list(TRANSFORMS)}, got {transform!r}")
