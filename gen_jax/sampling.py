"""Sampling from known densities: inverse transform (discrete, closed-form, tabulated),
rejection sampling and the reparameterization trick, as pure JAX functions.

Every function takes an explicit PRNG key. Following `gen_jax.checks`, only shapes,
dtypes and integer counts are checked when called; value preconditions (non-negative
weights, a positive bound, ...) are `value_check`s that `gen_jax.checks.checked` turns
into ValueErrors, and otherwise each function's documented fallback applies, eagerly
and under `jit` alike.
"""

from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp

from gen_jax.checks import check_int, check_positive_int, value_check
from gen_jax.probability import _check_event_shapes, cholesky

# jnp.searchsorted method, measured on CPU drawing 10^6 samples inside one jitted
# sampler: 'compare_all' ([N, K] comparisons, fused) wins for tiny K; beyond that the
# rolled binary search 'scan' does (~log2 K gathers). 'scan_unrolled' was 3-10x slower
# there once the uniform draws are generated in the same computation, and 'sort'
# (sorting N + K values) 10-40x slower.
_COMPARE_ALL_MAX_K = 32


def _search_method(num_categories: int) -> str:
  return "compare_all" if num_categories <= _COMPARE_ALL_MAX_K else "scan"


def _check_weights(probs):
  """value_checks: finite, non-negative weights with a positive, finite total per distribution."""
  value_check(jnp.all(jnp.isfinite(probs)), "probs: expected finite weights, got NaN or inf")
  value_check(jnp.all(probs >= 0), "probs: expected non-negative weights, got minimum {}", jnp.min(probs))
  totals = jnp.sum(probs, axis=-1)
  tiny = jnp.finfo(probs.dtype).tiny
  value_check(jnp.all(totals >= tiny), f"probs: expected a total weight >= the smallest normal {probs.dtype} "
              f"({tiny}) per distribution, got a zero or subnormal total {{}}", jnp.min(totals))
  value_check(jnp.all(jnp.isfinite(totals)), f"probs: expected a total weight that fits in {probs.dtype}, "
              "got one that overflows; rescale the weights")


def _zero_safe_cdf(probs):
  """Unnormalised CDF P_i = sum_{j<=i} p_j with P_i == P_{i-1} exactly wherever p_i == 0.

  jnp.cumsum may associate differently at neighbouring indices, so a zero weight
  could still get a rounding-sized step; the running max over the sums at
  positive-weight indices removes it (max is exact), which makes zero-weight
  categories impossible to draw.
  """
  sums = jnp.cumsum(probs, axis=-1)  # [..., K]
  return jax.lax.cummax(jnp.where(probs > 0, sums, 0), axis=probs.ndim - 1)


def _batched_search(cdf, u, batch_shape: tuple[int, ...]):
  """First i with cdf[..., i] > u for each u [..., *batch], searching its own row of cdf."""
  k = cdf.shape[-1]
  search = lambda row, values: jnp.searchsorted(row, values, side="right", method=_search_method(k))
  if not batch_shape:
    return search(cdf, u)
  rows = cdf.reshape(-1, k)  # [M, K]
  values = u.reshape(-1, rows.shape[0])  # [S, M]
  return jax.vmap(search, in_axes=(0, 1), out_axes=1)(rows, values).reshape(u.shape)


def sample_discrete(key, probs, shape=None):
  """Inverse-transform samples i ~ p from non-negative weights on the last axis of `probs`.

  With P_i = sum_{j<=i} p_j and u ~ U(0, P_K) (the weights need not sum to 1, so u
  is scaled by the total instead of normalising P), returns the first i with
  P_{i-1} <= u < P_i, found by binary search. Zero-weight categories are never drawn.

  Args:
    key: PRNG key.
    probs: [..., K] real weights (integers are cast to float32); leading axes are a
      batch of distributions.
    shape: output shape, as in `jax.random.categorical`: it must end with the
      batch shape probs.shape[:-1] (default: exactly the batch shape).

  Returns:
    int32 indices of `shape`. A distribution with a negative, NaN or inf weight, or a
    zero, subnormal or overflowing total, gives K (one past the last category) in every
    sample, eagerly and under `jit`; `gen_jax.checks.checked` raises ValueError instead.

  References:
    L. Devroye, Non-Uniform Random Variate Generation (1986), section III.2.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax import sampling
    >>> draws = sampling.sample_discrete(jax.random.PRNGKey(0), jnp.array([1.0, 0.0, 3.0]), (1000,))
    >>> print(draws.shape, draws.dtype, bool(jnp.all(draws != 1)))
    (1000,) int32 True
  """
  probs = jnp.asarray(probs)
  if jnp.issubdtype(probs.dtype, jnp.complexfloating):
    raise TypeError(f"probs: expected real weights, got dtype {probs.dtype}")
  if not jnp.issubdtype(probs.dtype, jnp.floating):
    probs = probs.astype(jnp.float32)
  if probs.ndim < 1 or probs.shape[-1] == 0:
    raise ValueError(f"probs: expected shape [..., K] with K >= 1, got {probs.shape}")
  batch_shape = probs.shape[:-1]
  shape = batch_shape if shape is None else tuple(shape)
  if len(shape) < len(batch_shape) or shape[len(shape) - len(batch_shape):] != batch_shape:
    raise ValueError(f"shape: expected a shape ending with the batch shape {batch_shape}, got {shape}")
  return _draw_discrete(key, probs, shape)


@jax.jit(static_argnums=2)
def _draw_discrete(key, probs, shape: tuple[int, ...]):
  """sample_discrete after the static checks: one compiled search per (shape, K), eager calls included."""
  _check_weights(probs)
  batch_shape, k = probs.shape[:-1], probs.shape[-1]
  cdf = _zero_safe_cdf(probs)  # [..., K]
  total = cdf[..., -1]  # [...]
  u = jax.random.uniform(key, shape, cdf.dtype) * total
  u = jnp.minimum(u, jnp.nextafter(total, jnp.zeros_like(total)))  # keep u < P_K after rounding
  index = _batched_search(cdf, u, batch_shape)
  valid = jnp.all(jnp.isfinite(probs) & (probs >= 0), axis=-1) & (total > 0)  # [...]
  return jnp.where(valid, index, k).astype(jnp.int32)


def inverse_transform_sample(key, inverse_cdf: Callable, shape, dtype=jnp.float32):
  """x = F^{-1}(u), u ~ U(0, 1): samples of the distribution whose CDF is F.

  Args:
    key: PRNG key.
    inverse_cdf: F^{-1}, mapping an array of u in [0, 1) to points elementwise.
    shape: shape of the uniform draws (static).
    dtype: floating dtype of u.

  Returns:
    inverse_cdf(u) for u [*shape].

  References:
    L. Devroye, Non-Uniform Random Variate Generation (1986), theorem II.2.1.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax import sampling
    >>> exponential = lambda u: -jnp.log1p(-u)  # F(x) = 1 - exp(-x)
    >>> x = sampling.inverse_transform_sample(jax.random.PRNGKey(0), exponential, (20000,))
    >>> print(f"{float(x.mean()):.1f}")
    1.0
  """
  return inverse_cdf(jax.random.uniform(key, tuple(shape), dtype))


def _tabulation_grid(low, high, num_points):
  check_int(num_points, "num_points", minimum=2)
  value_check(jnp.isfinite(low) & jnp.isfinite(high) & (low < high),
              "low, high: expected finite low < high, got low={}, high={}", low, high)
  return jnp.linspace(low, high, num_points)  # [n]


def tabulated_inverse_cdf(pdf: Callable, low, high, num_points: int = 4097) -> Callable:
  """Numerical F^{-1} for a non-negative, possibly unnormalised density on [low, high].

  Tabulates F on a uniform grid x_0 = low < ... < x_{n-1} = high by the trapezoid rule,

    F_j = sum_{m<=j} (pdf(x_{m-1}) + pdf(x_m)) / 2 * dx,   normalised so F_{n-1} = 1,

  and returns u -> x_{j-1} + (u - F_{j-1}) / (F_j - F_{j-1}) * dx with j the first index
  where F_j > u (j capped at the first index where F_j = 1): piecewise-linear and monotone,
  it skips flat stretches where pdf = 0 (a u at a plateau of F maps to the plateau's right
  end), maps u = 0 to the start of the support and u = 1 to its end.

  Args:
    pdf: maps an array of points [n] to densities [n].
    low, high: float scalars (may be traced), the support; value-checked finite low < high.
    num_points: grid size n >= 2 (static).

  Returns:
    F^{-1}, a function from u (any shape, in [0, 1]) to points of the same shape. A
    negative, non-finite or all-zero density, or low >= high, gives NaN points
    (`gen_jax.checks.checked` raises instead).

  References:
    L. Devroye, Non-Uniform Random Variate Generation (1986), section II.2.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax import sampling
    >>> inverse_cdf = sampling.tabulated_inverse_cdf(lambda x: 2 * x, 0.0, 1.0)  # F(x) = x^2
    >>> print(jnp.round(inverse_cdf(jnp.array([0.0, 0.25, 1.0])), 3))
    [0.  0.5 1. ]
  """
  x = _tabulation_grid(low, high, num_points)
  density = jnp.asarray(pdf(x), jnp.float32)  # [n]
  if density.shape != x.shape:
    raise ValueError(f"pdf: expected one density per grid point, shape {x.shape}, got {density.shape}")
  usable = jnp.all(jnp.isfinite(density) & (density >= 0))
  value_check(usable, "pdf: expected finite, non-negative densities on [low, high], got minimum {}", jnp.min(density))
  value_check(jnp.any(density > 0), "pdf: expected a positive density somewhere on [low, high], got zero everywhere")
  usable &= jnp.any(density > 0) & (low < high)
  step = x[1] - x[0]
  areas = 0.5 * (density[1:] + density[:-1]) * step  # [n-1]
  cdf = jnp.concatenate([jnp.zeros(1, areas.dtype), jnp.cumsum(areas)])  # [n]
  cdf = jax.lax.cummax(cdf / cdf[-1])

  support_end = jnp.maximum(jnp.searchsorted(cdf, 1.0, side="left"), 1)  # first j with F_j = 1

  @jax.jit
  def inverse_cdf(u):
    j = jnp.clip(jnp.searchsorted(cdf, u, side="right"), 1, support_end)
    lower, upper = cdf[j - 1], cdf[j]
    rise = upper - lower
    fraction = jnp.where(rise > 0, (u - lower) / jnp.where(rise > 0, rise, 1.0), 1.0)
    return jnp.where(usable, x[j - 1] + jnp.clip(fraction, 0.0, 1.0) * step, jnp.nan)

  return inverse_cdf


_DEFAULT_ROUND_SIZE = 2**16


class RejectionResult(NamedTuple):
  """Output of `rejection_sample`.

  samples: [num_samples, ...] accepted draws; rows not filled (only when `complete`
    is False) are NaN.
  num_accepted: accepted draws over all rounds (may exceed num_samples in the last round).
  num_proposed: draws proposed, round_size * rounds.
  acceptance_rate: num_accepted / num_proposed, ~ 1 / bound for normalised p and q.
  num_envelope_violations: proposals with p(x) > bound * q(x): the envelope is wrong
    there and the samples are biased unless this is 0.
  rounds: proposal rounds run.
  complete: True when all num_samples rows were filled within max_rounds.

  Example:
    >>> from gen_jax.sampling import RejectionResult
    >>> print(RejectionResult._fields)
    ('samples', 'num_accepted', 'num_proposed', 'acceptance_rate', 'num_envelope_violations', 'rounds', 'complete')
  """

  samples: jax.Array
  num_accepted: jax.Array
  num_proposed: jax.Array
  acceptance_rate: jax.Array
  num_envelope_violations: jax.Array
  rounds: jax.Array
  complete: jax.Array


def rejection_sample(key, target_pdf: Callable, proposal_sample: Callable, proposal_pdf: Callable, bound,
                     num_samples: int, *, max_rounds: int | None = None,
                     round_size: int | None = None) -> RejectionResult:
  """Rejection sampling of p with the envelope M q (needs p(x) <= M q(x) everywhere).

  Each round draws x ~ q with `proposal_sample(key, round_size)`, h ~ U(0, M q(x)), and
  accepts x when h <= p(x) and p(x) > 0 (points of zero target density are never
  accepted), so accepted draws follow p / integral(p) with acceptance rate integral(p) / M.
  Rounds are vectorised and run inside `lax.while_loop` until num_samples are accepted or
  max_rounds have run, so the call never hangs, has a static output shape and is jit-able.

  Args:
    key: PRNG key.
    target_pdf: p, mapping points [R, ...] to densities [R] (may be unnormalised).
    proposal_sample: (key, R) -> floating points [R, ...] drawn from q.
    proposal_pdf: q, mapping points [R, ...] to densities [R].
    bound: M, a float scalar (may be traced); value-checked finite and > 0.
    num_samples: accepted draws wanted (static int >= 1).
    max_rounds: proposal rounds at most (static); default: enough rounds to propose
      1000 * num_samples points (acceptance rates down to 0.1%).
    round_size: proposals per round (static); default min(num_samples, 2^16) (rounds that
      stay in cache were ~4x faster on CPU than one round of all proposals).

  Returns:
    A `RejectionResult`. Running out of rounds does not raise (eagerly or under jit): the
    result has complete=False and its unfilled rows are NaN. A bound that is not finite and > 0
    runs no round (complete=False, rounds=0; `gen_jax.checks.checked` raises instead).

  References:
    J. von Neumann, Various techniques used in connection with random digits (1951);
    C. Bishop, Pattern Recognition and Machine Learning (2006), section 11.1.2.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax import sampling
    >>> triangle = lambda x: 2 * x[:, 0]  # p(x) = 2x on [0, 1]
    >>> uniform = lambda key, n: jax.random.uniform(key, (n, 1))
    >>> result = sampling.rejection_sample(jax.random.PRNGKey(0), triangle, uniform,
    ...                                    lambda x: jnp.ones(x.shape[0]), 2.0, 4000)
    >>> print(bool(result.complete), f"{float(result.samples.mean()):.2f}", f"{float(result.acceptance_rate):.1f}")
    True 0.67 0.5
  """
  check_positive_int(num_samples, "num_samples")
  round_size = min(num_samples, _DEFAULT_ROUND_SIZE) if round_size is None else round_size
  check_positive_int(round_size, "round_size")
  max_rounds = -(-1000 * num_samples // round_size) if max_rounds is None else max_rounds
  check_positive_int(max_rounds, "max_rounds")
  if jnp.ndim(bound) != 0:
    raise ValueError(f"bound: expected a scalar, got shape {jnp.shape(bound)}")
  proposal = jax.eval_shape(lambda k: proposal_sample(k, round_size), key)
  if proposal.shape[:1] != (round_size,) or not jnp.issubdtype(proposal.dtype, jnp.floating):
    raise ValueError(f"proposal_sample: expected floating samples of shape [{round_size}, ...], "
                     f"got {proposal.dtype}{list(proposal.shape)}")
  bound = jnp.asarray(bound, proposal.dtype)
  usable = jnp.isfinite(bound) & (bound > 0)
  value_check(usable, "bound: expected a finite scalar > 0, got {}", bound)

  def run_round(state):
    key, samples, filled, accepted, violations, rounds = state
    key, draw_key, height_key = jax.random.split(key, 3)
    x = proposal_sample(draw_key, round_size)  # [R, ...]
    p, envelope = target_pdf(x), bound * proposal_pdf(x)  # [R], [R]
    h = jax.random.uniform(height_key, (round_size,), proposal.dtype) * envelope
    accept = (h <= p) & (p > 0)
    slot = filled + jnp.cumsum(accept) - 1  # row each accepted draw goes to
    slot = jnp.where(accept & (slot < num_samples), slot, num_samples)
    samples = samples.at[slot].set(x, mode="drop")
    count = jnp.sum(accept)
    return (key, samples, jnp.minimum(filled + count, num_samples), accepted + count,
            violations + jnp.sum(p > envelope), rounds + 1)

  def more_needed(state):
    _, _, filled, _, _, rounds = state
    return usable & (filled < num_samples) & (rounds < max_rounds)

  zero = jnp.zeros((), jnp.int32)
  empty = jnp.full((num_samples,) + proposal.shape[1:], jnp.nan, proposal.dtype)
  _, samples, filled, accepted, violations, rounds = jax.lax.while_loop(
      more_needed, run_round, (key, empty, zero, zero, zero, zero))
  proposed = rounds * round_size
  return RejectionResult(samples=samples, num_accepted=accepted, num_proposed=proposed,
                         acceptance_rate=accepted / jnp.maximum(proposed, 1),
                         num_envelope_violations=violations, rounds=rounds, complete=filled >= num_samples)


def _noise_shape(batch_shape: tuple[int, ...], num_samples: int | None) -> tuple[int, ...]:
  if num_samples is None:
    return batch_shape
  return (check_positive_int(num_samples, "num_samples"),) + batch_shape


def _check_floating(a, b, names: str):
  """TypeError naming `names` unless a and b promote to a real floating-point dtype (noise is drawn in it)."""
  if not jnp.issubdtype(jnp.result_type(a, b), jnp.floating):
    raise TypeError(f"{names}: expected real floating-point arrays, got dtypes {a.dtype} and {b.dtype}")


def reparameterize(key, mean, log_var, num_samples: int | None = None):
  """z = mu + exp(log_var / 2) * eps, eps ~ N(0, I): a sample of N(mu, diag(exp(log_var))).

  Differentiable in mean and log_var (the reparameterization trick).

  Args:
    key: PRNG key.
    mean: mu, float array [...].
    log_var: log sigma^2, float array broadcasting with mean.
    num_samples: None for one sample, or S (static int >= 1) for S samples on a new leading axis.

  Returns:
    z of the broadcast shape [...], or [S, ...] with num_samples, in the promoted float dtype.

  References:
    D. Kingma and M. Welling, Auto-Encoding Variational Bayes (ICLR 2014), section 2.4.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax import sampling
    >>> z = sampling.reparameterize(jax.random.PRNGKey(0), jnp.full(2, 3.0), jnp.log(jnp.full(2, 4.0)), 20000)
    >>> print(z.shape, jnp.round(z.mean(0), 1), jnp.round(z.std(0), 1))
    (20000, 2) [3. 3.] [2. 2.]
  """
  mean, log_var = jnp.asarray(mean), jnp.asarray(log_var)
  try:
    batch_shape = jnp.broadcast_shapes(mean.shape, log_var.shape)
  except ValueError:
    raise ValueError(f"log_var: expected a shape broadcasting with mean {mean.shape}, got {log_var.shape}") from None
  _check_floating(mean, log_var, "mean, log_var")
  eps = jax.random.normal(key, _noise_shape(batch_shape, num_samples), jnp.result_type(mean, log_var))
  return mean + jnp.exp(0.5 * log_var) * eps


def reparameterize_full(key, mean, cov, num_samples: int | None = None):
  """z = mu + L eps, eps ~ N(0, I), L = cholesky(Sigma): a sample of N(mu, Sigma).

  Differentiable in mean and cov.

  Args:
    key: PRNG key.
    mean: mu [..., D] float.
    cov: Sigma [..., D, D], symmetric positive definite (value-checked); batch axes broadcast with mean's.
    num_samples: None for one sample, or S (static int >= 1) for S samples on a new leading axis.

  Returns:
    z [..., D], or [S, ..., D] with num_samples. A cov that is not positive definite
    gives NaN (`gen_jax.checks.checked` raises instead).

  References:
    C. Bishop, Pattern Recognition and Machine Learning (2006), section 11.1.4.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax import sampling
    >>> cov = jnp.array([[1.0, 0.8], [0.8, 1.0]])
    >>> z = sampling.reparameterize_full(jax.random.PRNGKey(0), jnp.zeros(2), cov, 20000)
    >>> print(z.shape, f"{float(jnp.corrcoef(z.T)[0, 1]):.1f}")
    (20000, 2) 0.8
  """
  mean, cov = jnp.asarray(mean), jnp.asarray(cov)
  _check_event_shapes(mean, cov, ("mean", "cov"))
  _check_floating(mean, cov, "mean, cov")
  factor = cholesky(cov)  # [..., D, D]
  batch_shape = jnp.broadcast_shapes(mean.shape, cov.shape[:-1])
  eps = jax.random.normal(key, _noise_shape(batch_shape, num_samples), jnp.result_type(mean, cov))
  return mean + jnp.einsum("...ij,...j->...i", factor, eps)
