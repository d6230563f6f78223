"""Log-densities, KL divergences and discrete-table identities as pure jax.numpy functions.

Conventions: the event axis is the LAST axis; leading axes are batch axes and
broadcast. Diagonal Gaussians are given by `mean` and `log_var` (log sigma^2),
full Gaussians by `mean` [..., D] and `cov` [..., D, D] (symmetric positive
definite; factorised by Cholesky, never inverted explicitly).

Inputs are validated where their values are known (eager calls); under `jit`
only shapes are checked.
"""

from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.linalg import solve_triangular

_LOG_2PI = float(np.log(2.0 * np.pi))


def _concrete(x) -> np.ndarray | None:
  """The value of `x` as a NumPy array, or None when `x` is traced (inside jit/vmap/grad)."""
  try:
    return np.asarray(x)
  except (jax.errors.TracerArrayConversionError, jax.errors.ConcretizationTypeError):
    return None


def _check_event_shapes(mean, cov, names: tuple[str, str]):
  """ValueError unless mean is [..., D] and cov is [..., D, D]."""
  if jnp.ndim(mean) < 1:
    raise ValueError(f"{names[0]}: expected shape [..., D], got {jnp.shape(mean)}")
  d = jnp.shape(mean)[-1]
  if jnp.ndim(cov) < 2 or jnp.shape(cov)[-2:] != (d, d):
    raise ValueError(f"{names[1]}: expected shape [..., {d}, {d}] to match {names[0]}, got {jnp.shape(cov)}")


def cholesky(cov, name: str = "cov"):
  """Lower Cholesky factor L of a symmetric positive-definite `cov` (L L^T = cov).

  The input is symmetrised, (cov + cov^T) / 2, so gradients are symmetric.
  ValueError naming `name` when `cov` is concrete and not positive definite.
  """
  factor = jnp.linalg.cholesky(cov)  # [..., D, D]
  value = _concrete(factor)
  if value is not None and not np.all(np.isfinite(value)):
    raise ValueError(f"{name}: expected a symmetric positive-definite matrix (Cholesky failed)")
  return factor


def _log_det_from_cholesky(factor):
  """log|Sigma| = 2 sum_i log L_ii."""
  return 2.0 * jnp.sum(jnp.log(jnp.diagonal(factor, axis1=-2, axis2=-1)), axis=-1)


def _whiten(factor, x):
  """L^{-1} x for x [..., D] by a triangular solve (batch axes broadcast)."""
  batch = jnp.broadcast_shapes(factor.shape[:-2], x.shape[:-1])
  factor = jnp.broadcast_to(factor, batch + factor.shape[-2:])
  x = jnp.broadcast_to(x, batch + x.shape[-1:])
  return solve_triangular(factor, x[..., None], lower=True)[..., 0]


def gaussian_log_prob(x, mean, log_var):
  """log N(x; mu, diag(sigma^2)) = -1/2 sum_i [log 2 pi + log sigma_i^2 + (x_i - mu_i)^2 / sigma_i^2].

  Sums over the last axis; x, mean, log_var broadcast.
  """
  return -0.5 * jnp.sum(_LOG_2PI + log_var + jnp.square(x - mean) * jnp.exp(-log_var), axis=-1)


def mvn_log_prob(x, mean, cov):
  """log N(x; mu, Sigma) = -1/2 [D log 2 pi + log|Sigma| + ||L^{-1}(x - mu)||^2], Sigma = L L^T."""
  _check_event_shapes(mean, cov, ("mean", "cov"))
  factor = cholesky(cov)
  whitened = _whiten(factor, x - mean)  # [..., D]
  d = jnp.shape(mean)[-1]
  return -0.5 * (d * _LOG_2PI + _log_det_from_cholesky(factor) + jnp.sum(jnp.square(whitened), axis=-1))


def bernoulli_log_prob(x, logits):
  """log Bern(x; sigmoid(l)) = sum_i [x_i l_i - softplus(l_i)], stable for any logits.

  Sums over the last axis; x may be fractional in [0, 1] (continuous relaxation).
  """
  return jnp.sum(x * logits - jax.nn.softplus(logits), axis=-1)


def kl_standard_normal(mean, log_var):
  """KL(N(mu, diag(sigma^2)) || N(0, I)) = 1/2 sum_i (sigma_i^2 + mu_i^2 - 1 - log sigma_i^2)."""
  return 0.5 * jnp.sum(jnp.exp(log_var) + jnp.square(mean) - 1.0 - log_var, axis=-1)


def kl_diag_gaussians(mean_p, log_var_p, mean_q, log_var_q):
  """KL(N(mu_p, diag s_p^2) || N(mu_q, diag s_q^2))
  = 1/2 sum_i [log s_q,i^2 - log s_p,i^2 + (s_p,i^2 + (mu_p,i - mu_q,i)^2) / s_q,i^2 - 1].
  """
  ratio = (jnp.exp(log_var_p) + jnp.square(mean_p - mean_q)) * jnp.exp(-log_var_q)
  return 0.5 * jnp.sum(log_var_q - log_var_p + ratio - 1.0, axis=-1)


def kl_gaussian(mean_p, cov_p, mean_q, cov_q):
  """KL(N(mu_p, S_p) || N(mu_q, S_q))
  = 1/2 [log|S_q| - log|S_p| - D + tr(S_q^{-1} S_p) + (mu_q - mu_p)^T S_q^{-1} (mu_q - mu_p)].

  With S_p = L_p L_p^T and S_q = L_q L_q^T: tr(S_q^{-1} S_p) = ||L_q^{-1} L_p||_F^2 and the
  quadratic form is ||L_q^{-1}(mu_q - mu_p)||^2 (triangular solves, no inverses).
  """
  _check_event_shapes(mean_p, cov_p, ("mean_p", "cov_p"))
  _check_event_shapes(mean_q, cov_q, ("mean_q", "cov_q"))
  if jnp.shape(mean_p)[-1] != jnp.shape(mean_q)[-1]:
    raise ValueError(f"mean_q: expected dimension {jnp.shape(mean_p)[-1]} like mean_p, got {jnp.shape(mean_q)}")
  factor_p = cholesky(cov_p, "cov_p")
  factor_q = cholesky(cov_q, "cov_q")
  batch = jnp.broadcast_shapes(factor_p.shape[:-2], factor_q.shape[:-2])
  d = factor_p.shape[-1]
  factor_q_b = jnp.broadcast_to(factor_q, batch + (d, d))
  trace = jnp.sum(jnp.square(solve_triangular(factor_q_b, jnp.broadcast_to(factor_p, batch + (d, d)), lower=True)),
                  axis=(-2, -1))
  quad = jnp.sum(jnp.square(_whiten(factor_q, mean_q - mean_p)), axis=-1)
  log_det_ratio = _log_det_from_cholesky(factor_q) - _log_det_from_cholesky(factor_p)
  return 0.5 * (log_det_ratio - d + trace + quad)


def monte_carlo_kl(key, sample_p: Callable, log_p: Callable, log_q: Callable, num_samples: int):
  """KL(p || q) ~= 1/N sum_n [log p(x_n) - log q(x_n)], x_n ~ p, drawn by `sample_p(key, N)`.

  `log_p` and `log_q` map the [N, ...] samples to [N] log-densities. Unbiased;
  its standard error is std(log p - log q) / sqrt(N).
  """
  if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples < 1:
    raise ValueError(f"num_samples: expected a positive int, got {num_samples!r}")
  x = sample_p(key, num_samples)  # [N, ...]
  return jnp.mean(log_p(x) - log_q(x))


def log_mean_exp(x, axis=None, keepdims: bool = False):
  """log (1/N sum_n exp x_n) = logsumexp(x) - log N over `axis` (int, tuple or None = all)."""
  x = jnp.asarray(x)
  axes = tuple(range(x.ndim)) if axis is None else np.atleast_1d(axis).tolist()
  count = int(np.prod([x.shape[a] for a in axes]))
  if count == 0:
    raise ValueError(f"axis: log_mean_exp over an empty axis {axis} of shape {x.shape}")
  return jax.nn.logsumexp(x, axis=axis, keepdims=keepdims) - np.log(count)


def _check_joint(joint):
  """ValueError unless a concrete `joint` is non-negative and sums to 1."""
  value = _concrete(joint)
  if value is None:
    return
  if np.any(np.isnan(value)) or np.any(value < 0):
    raise ValueError("joint: expected non-negative probabilities")
  if not np.isclose(value.sum(), 1.0, rtol=1e-4, atol=1e-5):
    raise ValueError(f"joint: expected probabilities summing to 1, got {value.sum()}")


def _other_axes(joint, axis: int, name: str) -> tuple[int, ...]:
  """Every axis of `joint` except `axis` (ValueError naming `name` when out of range)."""
  if not isinstance(axis, int) or not -joint.ndim <= axis < joint.ndim:
    raise ValueError(f"{name}: expected an axis of the {joint.ndim}-D joint table, got {axis!r}")
  axis %= joint.ndim
  return tuple(a for a in range(joint.ndim) if a != axis)


def marginal(joint, axis: int):
  """p(x_axis = i) = sum over every other variable of p(x_1, ..., x_n), from a joint table."""
  joint = jnp.asarray(joint)
  _check_joint(joint)
  return jnp.sum(joint, axis=_other_axes(joint, axis, "axis"))


def conditional(joint, given: int):
  """p(rest | x_given) = p(x_1, ..., x_n) / p(x_given) (Bayes' rule), same shape as `joint`.

  For a 2-D table p(x, y): conditional(joint, given=0)[i, j] = p(y=j | x=i).
  Slices where p(x_given) = 0 come out NaN (the conditional is undefined).
  """
  joint = jnp.asarray(joint)
  _check_joint(joint)
  return joint / jnp.sum(joint, axis=_other_axes(joint, given, "given"), keepdims=True)


def expectation(values, probs):
  """E_p[f] = sum_i f(x_i) p(x_i) over the last axis (values and probs broadcast)."""
  values, probs = jnp.asarray(values), jnp.asarray(probs)
  if jnp.ndim(probs) < 1:
    raise ValueError(f"probs: expected a distribution on the last axis, got shape {jnp.shape(probs)}")
  return jnp.sum(values * probs, axis=-1)
