"""Property-based bad-input tests of gen_jax.sampling: a bad shape or static argument raises an error naming it;
a bad value gives the documented result (the same eagerly and jitted) and, under checks.checked, an error naming it."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from gen_jax import checks, sampling

FAST = settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
# For properties whose every example traces a new program (about 1 s each on CPU): fewer drawn examples, with the
# edge values pinned by @example.
FEW = settings(FAST, max_examples=5)
KEY = jax.random.PRNGKey(0)
BAD_FLOATS = st.sampled_from([np.nan, np.inf, -np.inf])
BAD_COUNTS = st.one_of(st.integers(max_value=0), st.floats(0.5, 3.5).filter(lambda v: v != int(v)),
                       st.just(True), st.just("3"))


def weights():
  """[B, K] non-negative float32 weights with a positive sum in each row (few shapes: each compiles once)."""
  shapes = st.tuples(st.integers(1, 2), st.sampled_from([1, 3, 5]))
  return hnp.arrays(np.float32, shapes, elements=st.floats(0, 10, width=32)).filter(
      lambda w: np.all(w.sum(-1) >= np.finfo(np.float32).tiny))


@FAST
@given(weights())
def test_sample_discrete_valid_weights_never_draw_zero_weight_categories(probs):
  draws = np.asarray(sampling.sample_discrete(KEY, probs, (50, probs.shape[0])))
  assert draws.shape == (50, probs.shape[0])
  rows = np.broadcast_to(np.arange(probs.shape[0]), draws.shape)
  assert np.all((draws >= 0) & (draws < probs.shape[1])) and np.all(probs[rows, draws] > 0)


@FAST
@given(weights(), st.data())
def test_sample_discrete_rejects_negative_nan_inf_weights(probs, data):
  bad = probs.copy()
  index = tuple(data.draw(st.integers(0, n - 1)) for n in probs.shape)
  bad[index] = data.draw(st.one_of(BAD_FLOATS, st.floats(-10, -1e-6)))
  draws = np.asarray(sampling.sample_discrete(KEY, bad))
  assert draws[index[0]] == probs.shape[1]  # the bad distribution draws K, one past the last category
  np.testing.assert_array_equal(draws, jax.jit(sampling.sample_discrete)(KEY, bad))
  with pytest.raises(ValueError, match="probs: expected (finite|non-negative) weights"):
    checks.checked(sampling.sample_discrete)(KEY, bad)


@FAST
@given(st.integers(1, 3), st.integers(1, 5))
def test_sample_discrete_rejects_all_zero_rows_and_empty_or_scalar_input(batch, k):
  np.testing.assert_array_equal(sampling.sample_discrete(KEY, np.zeros((batch, k), np.float32)), k)
  with pytest.raises(ValueError, match="probs: expected a total weight"):
    checks.checked(sampling.sample_discrete)(KEY, np.zeros((batch, k), np.float32))
  with pytest.raises(ValueError, match="probs"):
    sampling.sample_discrete(KEY, np.zeros((batch, 0), np.float32))
  with pytest.raises(ValueError, match="probs"):
    sampling.sample_discrete(KEY, np.float32(k))


@FAST
@given(st.floats(0, float(np.float32(1e-38)), width=32), st.floats(float(np.float32(2e38)), float(np.float32(3e38)), width=32))
def test_sample_discrete_rejects_subnormal_or_overflowing_totals(tiny, huge):
  with pytest.raises(ValueError, match="probs: .*subnormal"):
    checks.checked(sampling.sample_discrete)(KEY, np.array([tiny, 0.0], np.float32))
  with pytest.raises(ValueError, match="probs: .*overflows"):
    checks.checked(sampling.sample_discrete)(KEY, np.array([huge, huge], np.float32))


@FAST
@given(weights(), st.integers(1, 3))
def test_sample_discrete_rejects_a_shape_without_the_batch_shape(probs, extra):
  with pytest.raises(ValueError, match="shape"):
    sampling.sample_discrete(KEY, probs, (probs.shape[0] + extra,))


@FAST
@given(hnp.arrays(np.int32, 4, elements=st.integers(0, 9)).filter(lambda c: c.sum() > 0))
def test_sample_discrete_integer_weights_equal_float_weights(counts):
  np.testing.assert_array_equal(sampling.sample_discrete(KEY, counts, (64,)),
                                sampling.sample_discrete(KEY, counts.astype(np.float32), (64,)))


def test_sample_discrete_rejects_complex_weights():
  with pytest.raises(TypeError, match="probs"):
    sampling.sample_discrete(KEY, np.array([1 + 1j, 2.0], np.complex64))


@FEW
@given(st.floats(-5, 5), st.floats(-5, 5))
@example(0.0, 0.0)
def test_tabulated_inverse_cdf_rejects_empty_or_reversed_or_nonfinite_ranges(low, high):
  if low < high:
    low, high = high, low
  for bad_low in (low, np.nan):
    assert np.isnan(sampling.tabulated_inverse_cdf(lambda x: jnp.ones_like(x), bad_low, high)(0.5))
    with pytest.raises(ValueError, match="low, high: expected finite low < high"):
      checks.checked(lambda u: sampling.tabulated_inverse_cdf(lambda x: jnp.ones_like(x), bad_low, high)(u))(0.5)


@FEW
@given(st.one_of(BAD_FLOATS, st.floats(-5, -1e-3)), st.integers(0, 16))
@example(np.nan, 0)
@example(np.inf, 16)
@example(-1e-3, 8)
def test_tabulated_inverse_cdf_rejects_a_bad_density_value(bad, where):
  pdf = lambda x: jnp.ones_like(x).at[where].set(bad)
  assert np.isnan(sampling.tabulated_inverse_cdf(pdf, 0.0, 1.0, num_points=17)(0.5))
  with pytest.raises(ValueError, match="pdf: expected finite, non-negative densities"):
    checks.checked(lambda u: sampling.tabulated_inverse_cdf(pdf, 0.0, 1.0, num_points=17)(u))(0.5)


@FAST
@given(BAD_COUNTS)
def test_tabulated_inverse_cdf_rejects_bad_grid_sizes(num_points):
  with pytest.raises(ValueError, match="num_points"):
    sampling.tabulated_inverse_cdf(lambda x: jnp.ones_like(x), 0.0, 1.0, num_points=num_points)


def test_tabulated_inverse_cdf_rejects_zero_density_and_wrong_output_shape():
  with pytest.raises(ValueError, match="pdf: expected a positive density"):
    checks.checked(lambda u: sampling.tabulated_inverse_cdf(lambda x: jnp.zeros_like(x), 0.0, 1.0)(u))(0.5)
  with pytest.raises(ValueError, match="pdf"):
    sampling.tabulated_inverse_cdf(lambda x: jnp.ones(3), 0.0, 1.0)


TRUNCATED_EXP_INVERSE = sampling.tabulated_inverse_cdf(lambda x: jnp.exp(-x), 1.0, 3.0, num_points=65)


@FAST
@given(st.sampled_from([(), (0,), (5,), (2, 0), (2, 3)]))
def test_inverse_transform_sample_maps_uniforms_into_the_support(shape):
  x = np.asarray(sampling.inverse_transform_sample(KEY, TRUNCATED_EXP_INVERSE, shape))
  assert x.shape == tuple(shape) and np.all((x >= 1.0) & (x <= 3.0))


@FEW
@given(st.one_of(BAD_FLOATS, st.floats(-5, 0)))
@example(np.nan)
@example(np.inf)
@example(-np.inf)
@example(0.0)
def test_rejection_sample_rejects_bad_bounds(bound):
  args = (KEY, jnp.ones_like, lambda k, n: jax.random.uniform(k, (n,)), jnp.ones_like, bound, 10)
  result = sampling.rejection_sample(*args)
  assert int(result.rounds) == 0 and not bool(result.complete) and np.all(np.isnan(result.samples))
  with pytest.raises(ValueError, match="bound: expected a finite scalar > 0"):
    checks.checked(sampling.rejection_sample)(*args)


@FAST
@given(BAD_COUNTS, st.sampled_from(["num_samples", "max_rounds", "round_size"]))
def test_rejection_sample_rejects_bad_counts(value, name):
  kwargs = {"num_samples": 10, "max_rounds": 5, "round_size": 10, name: value}
  num_samples = kwargs.pop("num_samples")
  with pytest.raises(ValueError, match=name):
    sampling.rejection_sample(KEY, jnp.ones_like, lambda k, n: jax.random.uniform(k, (n,)),
                              jnp.ones_like, 1.0, num_samples, **kwargs)


def test_rejection_sample_rejects_integer_or_misshaped_proposals():
  with pytest.raises(ValueError, match="proposal_sample"):
    sampling.rejection_sample(KEY, jnp.ones_like, lambda k, n: jnp.zeros((n,), jnp.int32), jnp.ones_like, 1.0, 4)
  with pytest.raises(ValueError, match="proposal_sample"):
    sampling.rejection_sample(KEY, jnp.ones_like, lambda k, n: jnp.zeros((n + 1,)), jnp.ones_like, 1.0, 4)


SHAPES = st.sampled_from([(1,), (3,), (2, 3), (2, 1), (4, 3)])


@FAST
@given(SHAPES, SHAPES)
def test_reparameterize_broadcasts_or_names_log_var(mean_shape, var_shape):
  mean, log_var = np.zeros(mean_shape, np.float32), np.zeros(var_shape, np.float32)
  try:
    expected = np.broadcast_shapes(tuple(mean_shape), tuple(var_shape))
  except ValueError:
    with pytest.raises(ValueError, match="log_var"):
      sampling.reparameterize(KEY, mean, log_var)
    return
  assert sampling.reparameterize(KEY, mean, log_var, 2).shape == (2, *expected)


@FAST
@given(BAD_COUNTS)
def test_reparameterize_rejects_bad_sample_counts(num_samples):
  with pytest.raises(ValueError, match="num_samples"):
    sampling.reparameterize(KEY, np.zeros(2, np.float32), np.zeros(2, np.float32), num_samples)
  with pytest.raises(ValueError, match="num_samples"):
    sampling.reparameterize_full(KEY, np.zeros(2, np.float32), np.eye(2, dtype=np.float32), num_samples)


@FAST
@given(hnp.arrays(np.float32, 3, elements=st.floats(-3, 3, width=32)), BAD_FLOATS)
def test_reparameterize_propagates_nonfinite_inputs_as_nan_or_inf(mean, bad):
  mean = mean.copy()
  mean[0] = bad
  z = np.asarray(sampling.reparameterize(KEY, mean, np.zeros_like(mean)))
  assert not np.isfinite(z[0]) and np.all(np.isfinite(z[1:]))


@pytest.mark.parametrize("dtype", [np.int32, np.complex64, np.bool_])
def test_reparameterize_rejects_non_real_floating_parameters(dtype):
  with pytest.raises(TypeError, match="mean, log_var"):
    sampling.reparameterize(KEY, np.ones(2, dtype), np.zeros(2, dtype))
  with pytest.raises(TypeError, match="mean, cov"):
    sampling.reparameterize_full(KEY, np.ones(2, dtype), np.eye(2, dtype=dtype))


@FAST
@given(st.integers(1, 3), st.integers(1, 3))
def test_reparameterize_full_names_misshaped_covariances(d, extra):
  with pytest.raises(ValueError, match="cov"):
    sampling.reparameterize_full(KEY, np.zeros(d, np.float32), np.eye(d + extra, dtype=np.float32))
  with pytest.raises(ValueError, match="mean"):
    sampling.reparameterize_full(KEY, np.float32(0.0), np.eye(d, dtype=np.float32))


@FAST
@given(st.integers(1, 3), st.one_of(BAD_FLOATS, st.floats(-5, -0.1)))
def test_reparameterize_full_rejects_non_positive_definite_or_nonfinite_covariances(d, bad):
  cov = np.eye(d, dtype=np.float32)
  cov[-1, -1] = bad
  assert not np.all(np.isfinite(sampling.reparameterize_full(KEY, np.zeros(d, np.float32), cov)))
  with pytest.raises(ValueError, match="cov: expected a symmetric positive-definite matrix"):
    checks.checked(sampling.reparameterize_full)(KEY, np.zeros(d, np.float32), cov)
