"""Log-densities, KL divergences and discrete-table identities as pure jax.numpy functions.

Conventions: the event axis is the LAST axis; leading axes are batch axes and
broadcast. Diagonal Gaussians are given by `mean` and `log_var` (log sigma^2),
full Gaussians by `mean` [..., D] and `cov` [..., D, D] (symmetric positive
definite; factorised by Cholesky, never inverted explicitly).

Following `gen_jax.checks`, only shapes and static arguments are checked when called;
value preconditions (a positive-definite covariance, a normalised joint table) are
`value_check`s that `gen_jax.checks.checked` turns into ValueErrors.
"""

from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.linalg import solve_triangular

from gen_jax.checks import check_int, check_positive_int, value_check

_LOG_2PI = float(np.log(2.0 * np.pi))


def _check_event_shapes(mean, cov, names: tuple[str, str]):
  """ValueError unless mean is [..., D] and cov is [..., D, D]."""
  if jnp.ndim(mean) < 1:
    raise ValueError(f"{names[0]}: expected shape [..., D], got {jnp.shape(mean)}")
  d = jnp.shape(mean)[-1]
  if jnp.ndim(cov) < 2 or jnp.shape(cov)[-2:] != (d, d):
    raise ValueError(f"{names[1]}: expected shape [..., {d}, {d}] to match {names[0]}, got {jnp.shape(cov)}")


def cholesky(cov, name: str = "cov"):
  """Lower Cholesky factor L of a symmetric positive-definite matrix: L L^T = Sigma.

  `jnp.linalg.cholesky` reads the symmetrised input (Sigma + Sigma^T) / 2, so gradients are symmetric.

  Args:
    cov: Sigma [..., D, D] float, symmetric positive definite (value-checked).
    name: argument name used in the value check's message.

  Returns:
    L [..., D, D], lower triangular. A matrix that is not positive definite gives
    NaN (`gen_jax.checks.checked` raises ValueError naming `name` instead).

  References:
    G. Golub and C. Van Loan, Matrix Computations (4th ed., 2013), section 4.2.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax import probability
    >>> print(probability.cholesky(jnp.array([[4.0, 2.0], [2.0, 2.0]])))
    [[2. 0.]
     [1. 1.]]
  """
  factor = jnp.linalg.cholesky(cov)  # [..., D, D]
  value_check(jnp.all(jnp.isfinite(factor)),
              f"{name}: expected a symmetric positive-definite matrix, got one whose Cholesky factorization fails")
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
  """Log-density of a diagonal Gaussian, summed over the last axis.

    log N(x; mu, diag sigma^2) = -1/2 sum_i [log 2 pi + log sigma_i^2 + (x_i - mu_i)^2 / sigma_i^2]

  Args:
    x: points [..., D] float.
    mean: mu, broadcasting with x.
    log_var: log sigma^2, broadcasting with x.

  Returns:
    log-densities [...] (the broadcast batch shape).

  References:
    C. Bishop, Pattern Recognition and Machine Learning (2006), eq. 2.43.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax import probability
    >>> print(f"{float(probability.gaussian_log_prob(jnp.zeros(2), 0.0, 0.0)):.4f}")  # -log(2 pi)
    -1.8379
  """
  return -0.5 * jnp.sum(_LOG_2PI + log_var + jnp.square(x - mean) * jnp.exp(-log_var), axis=-1)


def mvn_log_prob(x, mean, cov):
  """Log-density of a full-covariance Gaussian, by Cholesky factor and triangular solve.

    log N(x; mu, Sigma) = -1/2 [D log 2 pi + log|Sigma| + ||L^{-1}(x - mu)||^2],   Sigma = L L^T

  Args:
    x: points [..., D] float.
    mean: mu [..., D].
    cov: Sigma [..., D, D], symmetric positive definite (value-checked).

  Returns:
    log-densities [...] (the broadcast batch shape); NaN for a cov that is not positive definite.

  References:
    C. Bishop, Pattern Recognition and Machine Learning (2006), eq. 2.43.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax import probability
    >>> cov = jnp.array([[2.0, 0.0], [0.0, 0.5]])
    >>> print(f"{float(probability.mvn_log_prob(jnp.ones(2), jnp.zeros(2), cov)):.4f}")
    -3.0879
  """
  _check_event_shapes(mean, cov, ("mean", "cov"))
  factor = cholesky(cov)
  whitened = _whiten(factor, x - mean)  # [..., D]
  d = jnp.shape(mean)[-1]
  return -0.5 * (d * _LOG_2PI + _log_det_from_cholesky(factor) + jnp.sum(jnp.square(whitened), axis=-1))


def bernoulli_log_prob(x, logits):
  """Log-probability of independent Bernoullis given logits, stable for any logit, summed over the last axis.

    log Bern(x; sigmoid(l)) = sum_i [x_i l_i - softplus(l_i)]

  Args:
    x: values [..., D] in [0, 1] (fractional values are the continuous relaxation).
    logits: l, broadcasting with x.

  Returns:
    log-probabilities [...].

  References:
    C. Bishop, Pattern Recognition and Machine Learning (2006), eq. 4.90.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax import probability
    >>> print(f"{float(probability.bernoulli_log_prob(jnp.array([1.0, 0.0]), jnp.zeros(2))):.4f}")  # 2 log(1/2)
    -1.3863
  """
  return jnp.sum(x * logits - jax.nn.softplus(logits), axis=-1)


def kl_standard_normal(mean, log_var):
  """KL divergence from a diagonal Gaussian to the standard normal, in closed form.

    KL(N(mu, diag sigma^2) || N(0, I)) = 1/2 sum_i (sigma_i^2 + mu_i^2 - 1 - log sigma_i^2)

  Args:
    mean: mu [..., D].
    log_var: log sigma^2, broadcasting with mean.

  Returns:
    KL [...], >= 0.

  References:
    D. Kingma and M. Welling, Auto-Encoding Variational Bayes (ICLR 2014), appendix B.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax import probability
    >>> print(f"{float(probability.kl_standard_normal(jnp.ones(2), jnp.zeros(2))):.4f}")
    1.0000
  """
  return 0.5 * jnp.sum(jnp.exp(log_var) + jnp.square(mean) - 1.0 - log_var, axis=-1)


def kl_diag_gaussians(mean_p, log_var_p, mean_q, log_var_q):
  """KL divergence between two diagonal Gaussians, in closed form.

    KL(N(mu_p, diag s_p^2) || N(mu_q, diag s_q^2))
      = 1/2 sum_i [log s_q,i^2 - log s_p,i^2 + (s_p,i^2 + (mu_p,i - mu_q,i)^2) / s_q,i^2 - 1]

  Args:
    mean_p, log_var_p: p's mean and log-variance [..., D].
    mean_q, log_var_q: q's, broadcasting with p's.

  Returns:
    KL [...], >= 0.

  References:
    C. Bishop, Pattern Recognition and Machine Learning (2006), exercise 2.13.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax import probability
    >>> kl = probability.kl_diag_gaussians(jnp.zeros(1), jnp.zeros(1), jnp.ones(1), jnp.log(jnp.full(1, 2.0)))
    >>> print(f"{float(kl):.4f}")
    0.3466
  """
  ratio = (jnp.exp(log_var_p) + jnp.square(mean_p - mean_q)) * jnp.exp(-log_var_q)
  return 0.5 * jnp.sum(log_var_q - log_var_p + ratio - 1.0, axis=-1)


def kl_gaussian(mean_p, cov_p, mean_q, cov_q):
  """KL divergence between two full-covariance Gaussians, by Cholesky factors (no inverses).

    KL(N(mu_p, S_p) || N(mu_q, S_q))
      = 1/2 [log|S_q| - log|S_p| - D + tr(S_q^{-1} S_p) + (mu_q - mu_p)^T S_q^{-1} (mu_q - mu_p)]

  With S_p = L_p L_p^T and S_q = L_q L_q^T: tr(S_q^{-1} S_p) = ||L_q^{-1} L_p||_F^2 and the
  quadratic form is ||L_q^{-1}(mu_q - mu_p)||^2 (triangular solves).

  Args:
    mean_p, cov_p: p's mean [..., D] and covariance [..., D, D] (value-checked positive definite).
    mean_q, cov_q: q's, same D; batch axes broadcast.

  Returns:
    KL [...], >= 0; NaN when a covariance is not positive definite.

  References:
    C. Bishop, Pattern Recognition and Machine Learning (2006), exercise 2.13 (full-covariance form:
    J. Duchi, Derivations for Linear Algebra and Optimization, 2007).

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax import probability
    >>> print(f"{float(probability.kl_gaussian(jnp.zeros(2), jnp.eye(2), jnp.ones(2), 2 * jnp.eye(2))):.4f}")  # log 2
    0.6931
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
  """Unbiased Monte-Carlo estimate of KL(p || q) from samples of p.

    KL(p || q) ~= 1/N sum_n [log p(x_n) - log q(x_n)],   x_n ~ p

  Its standard error is std(log p - log q) / sqrt(N).

  Args:
    key: PRNG key, passed to `sample_p`.
    sample_p: (key, N) -> samples [N, ...] of p.
    log_p, log_q: map the samples [N, ...] to log-densities [N].
    num_samples: N (static int >= 1).

  Returns:
    the estimate, a float scalar.

  References:
    C. Bishop, Pattern Recognition and Machine Learning (2006), section 11.1 (Monte Carlo).

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax import probability
    >>> log_q = lambda x: probability.gaussian_log_prob(x, 1.0, 0.0)  # N(1, 1) vs p = N(0, 1): KL = 1/2
    >>> kl = probability.monte_carlo_kl(jax.random.PRNGKey(0), lambda k, n: jax.random.normal(k, (n, 1)),
    ...                                 lambda x: probability.gaussian_log_prob(x, 0.0, 0.0), log_q, 100000)
    >>> print(f"{float(kl):.2f}")
    0.50
  """
  x = sample_p(key, check_positive_int(num_samples, "num_samples"))  # [N, ...]
  return jnp.mean(log_p(x) - log_q(x))


def log_mean_exp(x, axis=None, keepdims: bool = False):
  """Log of the mean of exponentials, computed stably (log-sum-exp).

    log (1/N sum_n exp x_n) = logsumexp(x) - log N

  Args:
    x: float array.
    axis: int, tuple of ints or None (all axes); static. The reduced size N must be >= 1.
    keepdims: keep the reduced axes with size 1.

  Returns:
    x reduced over `axis`.

  References:
    Y. Burda, R. Grosse and R. Salakhutdinov, Importance Weighted Autoencoders (ICLR 2016), eq. 8.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax import probability
    >>> print(f"{float(probability.log_mean_exp(jnp.log(jnp.array([1.0, 3.0])))):.4f}")  # log 2
    0.6931
  """
  x = jnp.asarray(x)
  axes = tuple(range(x.ndim)) if axis is None else np.atleast_1d(axis).tolist()
  count = int(np.prod([x.shape[a] for a in axes]))
  if count == 0:
    raise ValueError(f"axis: expected axes of positive total size, got {axis} of shape {x.shape}")
  return jax.nn.logsumexp(x, axis=axis, keepdims=keepdims) - np.log(count)


def _check_joint(joint):
  """value_checks: `joint` holds non-negative probabilities summing to 1."""
  value_check(jnp.all(joint >= 0), "joint: expected non-negative probabilities, got minimum {}", jnp.min(joint))
  total = jnp.sum(joint)
  value_check(jnp.abs(total - 1.0) <= 1e-5 + 1e-4, "joint: expected probabilities summing to 1, got {}", total)


def _other_axes(joint, axis, name: str) -> tuple[int, ...]:
  """Every axis of `joint` except `axis` (ValueError naming `name` when out of range)."""
  axis = check_int(axis, name)
  if not -joint.ndim <= axis < joint.ndim:
    raise ValueError(f"{name}: expected an axis of the {joint.ndim}-D joint table, got {axis!r}")
  axis %= joint.ndim
  return tuple(a for a in range(joint.ndim) if a != axis)


def marginal(joint, axis: int):
  """Marginal distribution of one variable from a joint probability table (sum rule).

    p(x_axis = i) = sum over every other variable of p(x_1, ..., x_n)

  Args:
    joint: [K_1, ..., K_n] probabilities, non-negative and summing to 1 (value-checked).
    axis: the variable kept (static int, negative counts from the end).

  Returns:
    [K_axis] marginal probabilities.

  References:
    C. Bishop, Pattern Recognition and Machine Learning (2006), eq. 1.10.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax import probability
    >>> import numpy as np
    >>> print(np.asarray(probability.marginal(jnp.array([[0.1, 0.2], [0.3, 0.4]]), axis=0)).round(3))
    [0.3 0.7]
  """
  joint = jnp.asarray(joint)
  _check_joint(joint)
  return jnp.sum(joint, axis=_other_axes(joint, axis, "axis"))


def conditional(joint, given: int):
  """Conditional distribution of the other variables given one, from a joint table (Bayes' rule).

    p(rest | x_given) = p(x_1, ..., x_n) / p(x_given)

  For a 2-D table p(x, y): conditional(joint, given=0)[i, j] = p(y=j | x=i).

  Args:
    joint: [K_1, ..., K_n] probabilities, non-negative and summing to 1 (value-checked).
    given: the conditioning variable (static int, negative counts from the end).

  Returns:
    [K_1, ..., K_n] conditional probabilities; slices where p(x_given) = 0 are NaN (undefined).

  References:
    C. Bishop, Pattern Recognition and Machine Learning (2006), eq. 1.12 (Bayes' theorem).

  Example (rows of a 2x2 table renormalised):
    >>> import numpy as np
    >>> from gen_jax.probability import conditional
    >>> print(np.asarray(conditional(np.array([[0.1, 0.3], [0.2, 0.4]]), given=0)).round(3))
    [[0.25  0.75 ]
     [0.333 0.667]]
  """
  joint = jnp.asarray(joint)
  _check_joint(joint)
  return joint / jnp.sum(joint, axis=_other_axes(joint, given, "given"), keepdims=True)


def expectation(values, probs):
  """Expectation of a function under a discrete distribution, over the last axis.

    E_p[f] = sum_i f(x_i) p(x_i)

  Args:
    values: f(x_i) [..., K].
    probs: p(x_i) [..., K], broadcasting with values.

  Returns:
    [...] expectations.

  References:
    C. Bishop, Pattern Recognition and Machine Learning (2006), eq. 1.33.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax import probability
    >>> print(f"{float(probability.expectation(jnp.array([1.0, 2.0, 3.0]), jnp.array([0.5, 0.25, 0.25]))):.2f}")
    1.75
  """
  values, probs = jnp.asarray(values), jnp.asarray(probs)
  if jnp.ndim(probs) < 1:
    raise ValueError(f"probs: expected shape [..., K], got {jnp.shape(probs)}")
  return jnp.sum(values * probs, axis=-1)
