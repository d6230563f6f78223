"""Sampling from known densities: inverse transform (discrete, closed-form, tabulated),
rejection sampling and the reparameterization trick, as pure JAX functions.

Every function takes an explicit PRNG key. Arguments are validated where their
values are known (eager calls); under `jit` only shapes are checked and the
documented fallback of each function applies.
"""

from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.probability import _check_event_shapes, _concrete, cholesky

# jnp.searchsorted method, measured on CPU drawing 10^6 samples inside one jitted
# sampler: 'compare_all' ([N, K] comparisons, fused) wins for tiny K; beyond that the
# rolled binary search 'scan' does (~log2 K gathers). 'scan_unrolled' was 3-10x slower
# there once the uniform draws are generated in the same computation, and 'sort'
# (sorting N + K values) 10-40x slower.
_COMPARE_ALL_MAX_K = 32


def _search_method(num_categories: int) -> str:
  return "compare_all" if num_categories <= _COMPARE_ALL_MAX_K else "scan"


def _check_int(value, name: str, minimum: int = 1):
  if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
    raise ValueError(f"{name}: expected an int >= {minimum}, got {value!r}")


def _check_weights(probs: np.ndarray):
  """ValueError unless every distribution has finite, non-negative weights with a positive sum."""
  if not np.all(np.isfinite(probs)):
    raise ValueError("probs: expected finite weights, got NaN or inf")
  if np.any(probs < 0):
    raise ValueError(f"probs: expected non-negative weights, got minimum {probs.min()}")
  totals = probs.sum(axis=-1)
  if np.any(totals < jnp.finfo(probs.dtype).tiny):
    raise ValueError("probs: every distribution needs a positive total weight of at least the smallest normal "
                     f"{probs.dtype} ({jnp.finfo(probs.dtype).tiny}); some are zero or subnormal")
  if not np.all(np.isfinite(totals)):
    raise ValueError(f"probs: the total weight of some distributions overflows {probs.dtype}; rescale them")


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
    probs: [..., K] weights; leading axes are a batch of distributions.
    shape: output shape, as in `jax.random.categorical`: it must end with the
      batch shape probs.shape[:-1] (default: exactly the batch shape).

  Returns:
    int32 indices of `shape`. Concrete negative, NaN/inf or all-zero weights raise
    ValueError; under `jit` the samples of such a distribution are K (one past
    the last category) instead.
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
  value = _concrete(probs)
  if value is not None:
    _check_weights(value)
  return _draw_discrete(key, probs, shape)


@jax.jit(static_argnums=2)
def _draw_discrete(key, probs, shape: tuple[int, ...]):
  """sample_discrete after validation: one compiled search per (shape, K), eager calls included."""
  batch_shape, k = probs.shape[:-1], probs.shape[-1]
  cdf = _zero_safe_cdf(probs)  # [..., K]
  total = cdf[..., -1]  # [...]
  u = jax.random.uniform(key, shape, cdf.dtype) * total
  u = jnp.minimum(u, jnp.nextafter(total, jnp.zeros_like(total)))  # keep u < P_K after rounding
  index = _batched_search(cdf, u, batch_shape)
  valid = jnp.all(jnp.isfinite(probs) & (probs >= 0), axis=-1) & (total > 0)  # [...]
  return jnp.where(valid, index, k).astype(jnp.int32)


def inverse_transform_sample(key, inverse_cdf: Callable, shape, dtype=jnp.float32):
  """x = F^{-1}(u) with u ~ U(0, 1) of `shape`: samples of the density whose CDF is F."""
  return inverse_cdf(jax.random.uniform(key, tuple(shape), dtype))


def _tabulation_grid(low, high, num_points):
  _check_int(num_points, "num_points", minimum=2)
  bounds = _concrete(jnp.stack([jnp.asarray(low, jnp.float32), jnp.asarray(high, jnp.float32)]))
  if bounds is not None and not (np.all(np.isfinite(bounds)) and bounds[0] < bounds[1]):
    raise ValueError(f"low, high: expected finite low < high, got low={low}, high={high}")
  return jnp.linspace(low, high, num_points)  # [n]


def tabulated_inverse_cdf(pdf: Callable, low, high, num_points: int = 4097) -> Callable:
  """Numerical F^{-1} for a non-negative, possibly unnormalised density on [low, high].

  Tabulates F on a uniform grid x_0 = low < ... < x_{n-1} = high by the trapezoid rule,
  F_j = sum_{m<=j} (pdf(x_{m-1}) + pdf(x_m)) / 2 * dx, normalised so F_{n-1} = 1, and
  returns u -> x_{j-1} + (u - F_{j-1}) / (F_j - F_{j-1}) * dx with j the first index
  where F_j > u (j capped at the first index where F_j = 1): piecewise-linear and monotone,
  it skips flat stretches where pdf = 0 (a u at a plateau of F maps to the plateau's right
  end), maps u = 0 to the start of the support and u = 1 to its end.

  `pdf` maps an array of points to densities. ValueError for num_points < 2, low >= high,
  or (when its values are concrete) a negative, non-finite or all-zero density.
  """
  x = _tabulation_grid(low, high, num_points)
  density = jnp.asarray(pdf(x), jnp.float32)  # [n]
  if density.shape != x.shape:
    raise ValueError(f"pdf: expected one density per grid point, shape {x.shape}, got {density.shape}")
  value = _concrete(density)
  if value is not None:
    if not np.all(np.isfinite(value)) or np.any(value < 0):
      raise ValueError("pdf: expected finite, non-negative densities on [low, high]")
    if not np.any(value > 0):
      raise ValueError("pdf: the density is zero everywhere on [low, high]")
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
    return x[j - 1] + jnp.clip(fraction, 0.0, 1.0) * step

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
  """

  samples: jax.Array
  num_accepted: jax.Array
  num_proposed: jax.Array
  acceptance_rate: jax.Array
  num_envelope_violations: jax.Array
  rounds: jax.Array
  complete: jax.Array


def _check_bound(bound):
  value = _concrete(bound)
  if value is not None and not (np.ndim(value) == 0 and np.isfinite(value) and value > 0):
    raise ValueError(f"bound: expected a finite scalar > 0, got {value}")


def rejection_sample(key, target_pdf: Callable, proposal_sample: Callable, proposal_pdf: Callable, bound,
                     num_samples: int, *, max_rounds: int | None = None,
                     round_size: int | None = None) -> RejectionResult:
  """Rejection sampling of p with the envelope bound * q (needs p(x) <= bound * q(x) everywhere).

  Each round draws x ~ q with `proposal_sample(key, round_size)` ([R, ...], floating),
  h ~ U(0, bound * q(x)), and accepts x when h <= p(x) and p(x) > 0 (points of zero target
  density are never accepted). Accepted draws fill the output in order. Rounds are
  vectorised and run inside `lax.while_loop` until num_samples are accepted or
  max_rounds have run, so the call never hangs, has a static output shape and is
  jit-able. `target_pdf` and `proposal_pdf` map [R, ...] points to [R] densities (p may
  be unnormalised; the expected acceptance rate is integral(p) / bound).

  round_size defaults to min(num_samples, 2^16): rounds that stay in cache were ~4x
  faster on CPU than one round of all proposals. max_rounds defaults to enough rounds
  to propose 1000 * num_samples points (acceptance rates down to 0.1%). Running out of
  rounds does not raise (eagerly or under jit): the result has complete=False and its
  unfilled rows are NaN.
  """
  _check_int(num_samples, "num_samples")
  round_size = min(num_samples, _DEFAULT_ROUND_SIZE) if round_size is None else round_size
  _check_int(round_size, "round_size")
  max_rounds = -(-1000 * num_samples // round_size) if max_rounds is None else max_rounds
  _check_int(max_rounds, "max_rounds")
  _check_bound(bound)
  proposal = jax.eval_shape(lambda k: proposal_sample(k, round_size), key)
  if proposal.shape[:1] != (round_size,) or not jnp.issubdtype(proposal.dtype, jnp.floating):
    raise ValueError(f"proposal_sample: expected floating samples of shape [{round_size}, ...], "
                     f"got {proposal.dtype}{list(proposal.shape)}")
  bound = jnp.asarray(bound, proposal.dtype)

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
    return (filled < num_samples) & (rounds < max_rounds)

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
  _check_int(num_samples, "num_samples")
  return (num_samples,) + batch_shape


def _check_floating(a, b, names: str):
  """TypeError naming `names` unless a and b promote to a real floating-point dtype (noise is drawn in it)."""
  if not jnp.issubdtype(jnp.result_type(a, b), jnp.floating):
    raise TypeError(f"{names}: expected real floating-point arrays, got dtypes {a.dtype} and {b.dtype}")


def reparameterize(key, mean, log_var, num_samples: int | None = None):
  """z = mu + exp(log_var / 2) * eps, eps ~ N(0, I): a sample of N(mu, diag(exp(log_var))).

  Differentiable in mean and log_var. mean and log_var broadcast; with num_samples
  the result gets a new leading axis [num_samples, ...].
  """
  mean, log_var = jnp.asarray(mean), jnp.asarray(log_var)
  try:
    batch_shape = jnp.broadcast_shapes(mean.shape, log_var.shape)
  except ValueError:
    raise ValueError(f"log_var: shape {log_var.shape} does not broadcast with mean {mean.shape}") from None
  _check_floating(mean, log_var, "mean, log_var")
  eps = jax.random.normal(key, _noise_shape(batch_shape, num_samples), jnp.result_type(mean, log_var))
  return mean + jnp.exp(0.5 * log_var) * eps


def reparameterize_full(key, mean, cov, num_samples: int | None = None):
  """z = mu + L eps, eps ~ N(0, I), L = cholesky(Sigma): a sample of N(mu, Sigma).

  mean [..., D], cov [..., D, D] symmetric positive definite (ValueError when concrete
  and not). Differentiable in mean and cov; with num_samples the result is
  [num_samples, ..., D].
  """
  mean, cov = jnp.asarray(mean), jnp.asarray(cov)
  _check_event_shapes(mean, cov, ("mean", "cov"))
  _check_floating(mean, cov, "mean, cov")
  factor = cholesky(cov)  # [..., D, D]
  batch_shape = jnp.broadcast_shapes(mean.shape, cov.shape[:-1])
  eps = jax.random.normal(key, _noise_shape(batch_shape, num_samples), jnp.result_type(mean, cov))
  return mean + jnp.einsum("...ij,...j->...i", factor, eps)
