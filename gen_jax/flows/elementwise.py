"""The elementwise transforms a coupling or autoregressive layer applies, given its conditioner's output.

With per-element parameters theta (computed from the conditioning inputs only):

  'additive': z = x + t                               log |dz/dx| = 0            (NICE)
  'affine':   z = x exp(s) + t, s = c tanh(s_raw / c)   log |dz/dx| = s            (RealNVP, Glow, MAF)
  'affine_softplus': z = x a + t, a = softplus(a_raw + a_0) + m   log |dz/dx| = log a   (flowjax's affine)
  'spline':   z = g_theta(x), rational-quadratic     log |dz/dx| = log g'(x)    (Neural Spline Flows)

The affine log-scale is softly bounded by c = SCALE_BOUND for stability. The softplus scale is
linear (not exponential) in its raw output for large scales and floored at m = MIN_SCALE; a_0 =
log(exp(1 - m) - 1) makes a zero output the identity. On the 2-D mixtures it trains to a better fit
than the exp scale in short runs (scripts/benchmark_flowjax.py, README's flows section).

A conditioner's dense layers start in one of CONDITIONER_INITS (`conditioner_init`).
"""

import math
from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.flows.splines import num_spline_params, rational_quadratic_spline

TRANSFORMS = ("additive", "affine", "affine_softplus", "spline")
SCALE_BOUND = 3.0
MIN_SCALE = 1e-2
CONDITIONER_INITS = ("identity", "uniform")


def conditioner_init(init: str, fan_in: int, output: bool) -> tuple[Callable, Callable]:
  """(kernel_init, bias_init) of a conditioner's dense layer with `fan_in` inputs.

  'identity': lecun-normal hidden kernels, zero biases, a zero output layer, so every coupling or
    MAF layer starts as the identity (its gradients reach the hidden layers only once the output
    layer has moved).
  'uniform': kernels and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)) in every layer (the default dense
    init of PyTorch and equinox, hence flowjax's): the flow starts near the identity, and the hidden
    ReLUs' kinks -b/w spread over the inputs instead of all sitting at 0.

  Args:
    init: one of CONDITIONER_INITS; fan_in: the layer's input width (mask included);
    output: the conditioner's last (parameter) layer.

  Returns:
    two flax initializers (key, shape, dtype) -> array.

  Example:
    >>> import jax
    >>> kernel_init, bias_init = conditioner_init("uniform", 4, output=True)
    >>> float(abs(bias_init(jax.random.PRNGKey(0), (1000,))).max()) <= 0.5
    True
  """
  if init not in CONDITIONER_INITS:
    raise ValueError(f"init: expected one of {list(CONDITIONER_INITS)}, got {init!r}")
  if init == "identity":
    return (nn.initializers.zeros if output else nn.initializers.lecun_normal()), nn.initializers.zeros
  limit = 1.0 / math.sqrt(fan_in)
  uniform = lambda key, shape, dtype=jnp.float32: jax.random.uniform(key, shape, dtype, -limit, limit)
  return uniform, uniform


def num_params(transform: str, num_bins: int = 8) -> int:
  """Conditioner outputs per transformed element: 1 (additive), 2 (affine, affine_softplus), 3K - 1 (spline).

  Example:
    >>> num_params("affine"), num_params("spline", num_bins=8)
    (2, 23)
  """
  if transform not in TRANSFORMS:
    raise ValueError(f"transform: expected one of {list(TRANSFORMS)}, got {transform!r}")
  return {"additive": 1, "affine": 2, "affine_softplus": 2, "spline": num_spline_params(num_bins)}[transform]


def apply(transform: str, x: jax.Array, params: jax.Array, inverse: bool = False,
          bound: float = 3.0) -> tuple[jax.Array, jax.Array]:
  """(y, log |dy/dx|), both shaped like x, for x [...] and params [..., num_params(transform)].

  Args:
    transform: 'additive', 'affine', 'affine_softplus' or 'spline' (see module doc).
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
  if transform == "affine_softplus":
    scale = jax.nn.softplus(params[..., 0] + math.log(math.expm1(1 - MIN_SCALE))) + MIN_SCALE
    shift = params[..., 1]
    if inverse:
      return (x - shift) / scale, -jnp.log(scale)
    return x * scale + shift, jnp.log(scale)
  if transform == "spline":
    return rational_quadratic_spline(x, params, bound, inverse)
  raise ValueError(f"transform: expected one of {list(TRANSFORMS)}, got {transform!r}")
