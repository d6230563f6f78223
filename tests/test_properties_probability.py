"""Property-based bad-input tests of gen_jax.probability: a bad shape or static argument raises an error naming it;
a bad value gives the documented result (the same eagerly and jitted) and, under checks.checked, an error naming it."""

import jax
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from gen_jax import checks, probability

FAST = settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(FAST, max_examples=5)  # every example traces a new program: fewer, with the edges pinned by @example
BAD_FLOATS = st.sampled_from([np.nan, np.inf, -np.inf])
DIMS = st.sampled_from([1, 2, 3])


def spd(d, seed):
  a = np.random.default_rng(seed).standard_normal((d, d)).astype(np.float32)
  return a @ a.T + d * np.eye(d, dtype=np.float32)


@FAST
@given(DIMS, st.integers(1, 2))
def test_full_gaussians_name_misshaped_covariances(d, extra):
  mean, bad_cov = np.zeros(d, np.float32), np.eye(d + extra, dtype=np.float32)
  with pytest.raises(ValueError, match="cov"):
    probability.mvn_log_prob(mean, mean, bad_cov)
  with pytest.raises(ValueError, match="cov_q"):
    probability.kl_gaussian(mean, spd(d, 0), mean, bad_cov)
  with pytest.raises(ValueError, match="mean_p"):
    probability.kl_gaussian(np.float32(0), spd(d, 0), mean, spd(d, 1))
  with pytest.raises(ValueError, match="mean_q|cov_q"):
    probability.kl_gaussian(mean, spd(d, 0), np.zeros(d + extra, np.float32), spd(d, 1))


@FEW
@given(DIMS, st.one_of(BAD_FLOATS, st.floats(-10, -1e-3)), st.integers(0, 2))
@example(1, np.nan, 0)
@example(3, np.inf, 1)
@example(2, -np.inf, 2)
@example(2, -1e-3, 0)
def test_full_gaussians_reject_non_positive_definite_or_nonfinite_covariances(d, bad, seed):
  """Unchecked: NaN or -inf, eagerly and jitted alike; checks.checked: a ValueError naming the covariance."""
  cov = spd(d, seed)
  cov[0, 0] = bad if not np.isfinite(bad) else -abs(bad) - 100.0
  mean = np.zeros(d, np.float32)
  eager = probability.mvn_log_prob(mean, mean, cov)
  assert not np.isfinite(eager)
  np.testing.assert_array_equal(eager, jax.jit(probability.mvn_log_prob)(mean, mean, cov))
  with pytest.raises(ValueError, match="cov: expected a symmetric positive-definite matrix"):
    checks.checked(probability.mvn_log_prob)(mean, mean, cov)
  with pytest.raises(ValueError, match="cov_p: expected"):
    checks.checked(probability.kl_gaussian)(mean, cov, mean, spd(d, seed))
  with pytest.raises(ValueError, match="cov: expected"):
    checks.checked(probability.cholesky)(cov)


@FAST
@given(DIMS, st.integers(0, 3))
def test_kl_gaussian_of_a_distribution_with_itself_is_zero_and_positive_otherwise(d, seed):
  mean, cov = np.random.default_rng(seed).standard_normal(d).astype(np.float32), spd(d, seed)
  assert abs(float(probability.kl_gaussian(mean, cov, mean, cov))) < 1e-4
  assert float(probability.kl_gaussian(mean + 1, cov, mean, cov)) > 0


@FAST
@given(hnp.arrays(np.float32, (2, 3), elements=st.floats(-3, 3, width=32)), BAD_FLOATS, st.integers(0, 1))
def test_diagonal_densities_propagate_nonfinite_inputs_to_their_example_only(x, bad, row):
  x = x.copy()
  x[row, 0] = bad
  values = {
      "gaussian_log_prob": probability.gaussian_log_prob(x, 0.0, 0.0),
      "bernoulli_log_prob": probability.bernoulli_log_prob(0.5, x),
      "kl_standard_normal": probability.kl_standard_normal(x, 0.0),
      "kl_diag_gaussians": probability.kl_diag_gaussians(x, 0.0, 0.0, 0.0),
  }
  for name, value in values.items():
    value = np.asarray(value)
    assert not np.isfinite(value[row]) and np.isfinite(value[1 - row]), name


@FAST
@given(hnp.arrays(np.float32, (2, 3), elements=st.floats(-3, 3, width=32)))
def test_kls_are_non_negative_and_zero_at_equality(mean):
  assert np.all(np.asarray(probability.kl_standard_normal(mean, 0.0)) >= 0)
  np.testing.assert_allclose(probability.kl_diag_gaussians(mean, mean, mean, mean), 0.0, atol=1e-5)


@FAST
@given(st.sampled_from([(0,), (2, 0), (0, 3)]), st.sampled_from([None, 0, -1]))
def test_log_mean_exp_rejects_empty_axes(shape, axis):
  x = np.zeros(shape, np.float32)
  if axis is not None and shape[axis] != 0:
    assert np.asarray(probability.log_mean_exp(x, axis=axis)).size == 0
    return
  with pytest.raises(ValueError, match="axis"):
    probability.log_mean_exp(x, axis=axis)


@FAST
@given(hnp.arrays(np.float32, 4, elements=st.floats(-50, 50, width=32)))
def test_log_mean_exp_is_between_min_and_max(x):
  value = float(probability.log_mean_exp(x))
  assert x.min() - 1e-4 <= value <= x.max() + 1e-4


@FAST
@given(st.sampled_from([0, 1, 2, 3]))
def test_monte_carlo_kl_rejects_bad_sample_counts(n):
  num_samples = [0, -3, 2.5, True][n]
  with pytest.raises(ValueError, match="num_samples"):
    probability.monte_carlo_kl(jax.random.PRNGKey(0), lambda k, m: jax.random.normal(k, (m,)),
                               lambda x: x, lambda x: x, num_samples)


def joint_tables():
  return hnp.arrays(np.float64, st.sampled_from([(2, 3), (3, 2), (2, 2, 2)]),
                    elements=st.floats(0.01, 1)).map(lambda t: (t / t.sum()).astype(np.float32))


@FAST
@given(joint_tables(), st.data())
def test_marginal_and_conditional_reject_negative_nan_or_unnormalised_tables(joint, data):
  """Unchecked: computed as given (eagerly = jitted); checks.checked: a ValueError naming the joint table."""
  index = tuple(data.draw(st.integers(0, n - 1)) for n in joint.shape)
  bad = joint.copy()
  bad[index] = data.draw(st.one_of(st.just(np.nan), st.floats(-1, -1e-3)))
  for fn in (probability.marginal, probability.conditional):
    np.testing.assert_array_equal(fn(bad, 0), jax.jit(fn, static_argnums=1)(bad, 0))
    with pytest.raises(ValueError, match="joint: expected non-negative probabilities"):
      checks.checked(fn)(bad, 0)
    with pytest.raises(ValueError, match="joint: expected probabilities summing to 1"):
      checks.checked(fn)(joint * 2, 0)


@FAST
@given(joint_tables(), st.integers(-5, 5))
def test_marginal_sums_to_one_or_names_a_bad_axis(joint, axis):
  if -joint.ndim <= axis < joint.ndim:
    np.testing.assert_allclose(np.sum(probability.marginal(joint, axis)), 1.0, rtol=1e-5)
    np.testing.assert_allclose(np.sum(probability.conditional(joint, axis), axis=tuple(
        a for a in range(joint.ndim) if a != axis % joint.ndim)), 1.0, rtol=1e-5)
  else:
    with pytest.raises(ValueError, match="axis"):
      probability.marginal(joint, axis)
    with pytest.raises(ValueError, match="given"):
      probability.conditional(joint, axis)


def test_marginal_rejects_inf_entries():
  with pytest.raises(ValueError, match="joint: expected probabilities summing to 1, got inf"):
    checks.checked(probability.marginal)(np.array([[np.inf, 0.0], [0.0, 0.0]], np.float32), 0)


@FAST
@given(hnp.arrays(np.float32, 3, elements=st.floats(-5, 5, width=32)))
def test_expectation_needs_a_distribution_axis(values):
  with pytest.raises(ValueError, match="probs"):
    probability.expectation(values, np.float32(1.0))
  np.testing.assert_allclose(probability.expectation(values, np.full(3, 1 / 3, np.float32)), values.mean(),
                             rtol=1e-5, atol=1e-5)
