"""Statistical tests of gen_jax.sampling in the style of JAX's random tests.

Fixed keys, >= 10,000 samples, KS tests for continuous and chi-square tests for
discrete distributions at alpha = 0.01, eagerly and under jit.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads
from scipy import stats

from gen_jax import sampling

ALPHA = 0.01
N = 10_000
BETA_BOUND = 30 * 0.2 * 0.8**4  # max of the Beta(2, 5) density 30 x (1 - x)^4, at x = 1/5


def maybe_jit(fn, jit: bool, **kwargs):
  return jax.jit(fn, **kwargs) if jit else fn


def assert_chi_square(samples, probs):
  """Chi-square goodness of fit over the positive-weight categories; zero-weight ones never appear."""
  samples = np.asarray(samples).ravel()
  probs = np.asarray(probs, np.float64)
  counts = np.bincount(samples, minlength=len(probs))
  assert len(counts) == len(probs), "index out of range"
  assert np.all(counts[probs == 0] == 0)
  positive = probs > 0
  expected = probs[positive] * (samples.size / probs[positive].sum())
  result = stats.chisquare(counts[positive], expected)
  assert result.pvalue > ALPHA, result


def assert_ks(samples, cdf):
  result = stats.kstest(np.asarray(samples, np.float64).ravel(), cdf)
  assert result.pvalue > ALPHA, result


def lecture_pdf(x):
  """The lecture's p(x) = 3/8 x^2 on [0, 2]."""
  return 3.0 / 8.0 * x**2


def lecture_cdf(x):
  return np.clip(x, 0, 2) ** 3 / 8.0


def beta25_pdf(x):
  return 30.0 * x * (1.0 - x) ** 4


def uniform_proposal(low, high):
  sample = lambda key, n: jax.random.uniform(key, (n,), minval=low, maxval=high)
  pdf = lambda x: jnp.full(x.shape[:1], 1.0 / (high - low))
  return sample, pdf


# --- sample_discrete -------------------------------------------------------


@pytest.mark.parametrize("jit", [False, True])
def test_discrete_small_pmf(jit):
  probs = jnp.array([0.1, 0.2, 0.3, 0.4])
  samples = maybe_jit(sampling.sample_discrete, jit, static_argnums=2)(jax.random.key(0), probs, (N,))
  assert samples.shape == (N,) and samples.dtype == jnp.int32
  assert_chi_square(samples, probs)


@pytest.mark.parametrize("jit", [False, True])
def test_discrete_unnormalized_with_zero_weights(jit):
  weights = jnp.array([0.0, 2.0, 0.0, 0.0, 5.0, 1.0, 0.0])
  samples = maybe_jit(sampling.sample_discrete, jit, static_argnums=2)(jax.random.key(1), weights, (100_000,))
  assert_chi_square(samples, weights)


@pytest.mark.parametrize("jit", [False, True])
def test_discrete_batch_of_distributions(jit):
  probs = jax.random.uniform(jax.random.key(2), (3, 6)).at[1, 2].set(0.0)  # [B, K]
  samples = maybe_jit(sampling.sample_discrete, jit, static_argnums=2)(jax.random.key(3), probs, (N, 3))
  assert samples.shape == (N, 3)
  for row in range(3):
    assert_chi_square(samples[:, row], probs[row])
  assert sampling.sample_discrete(jax.random.key(3), probs).shape == (3,)


def test_discrete_vmap_over_keys():
  probs = jnp.array([0.5, 0.0, 0.25, 0.25])
  keys = jax.random.split(jax.random.key(4), N)
  samples = jax.vmap(sampling.sample_discrete, in_axes=(0, None))(keys, probs)
  assert samples.shape == (N,)
  assert_chi_square(samples, probs)


@pytest.mark.parametrize("num_categories", [500, 5_000])
def test_discrete_many_categories(num_categories):
  weights = jax.random.uniform(jax.random.key(5), (num_categories,), minval=0.5, maxval=1.5)
  weights = jnp.where(jnp.arange(num_categories) % 7 == 0, 0.0, weights)  # every 7th never drawn
  samples = sampling.sample_discrete(jax.random.key(6), weights, (20 * num_categories,))
  assert_chi_square(samples, weights)


@pytest.mark.parametrize("u, expected", [(0.0, 1), (0.25, 3), (0.5, 3), (np.nextafter(np.float32(1), 0), 3)])
def test_discrete_cdf_boundaries(monkeypatch, u, expected):
  """u exactly at P_{i-1} picks i (skipping zero-weight categories); u -> 1 picks the last positive weight."""
  weights = jnp.array([0.0, 1.0, 0.0, 3.0, 0.0])  # P = [0, 1, 1, 4, 4]; u * 4 = 1 is the boundary P_1 = P_2
  monkeypatch.setattr(jax.random, "uniform", lambda key, shape, dtype: jnp.full(shape, u, dtype))
  with jax.disable_jit():  # no compiled trace may keep (or leak) the patched uniform
    assert int(sampling.sample_discrete(jax.random.key(0), weights)) == expected


@pytest.mark.parametrize("probs, shape, match", [
    (jnp.array(1.0), None, "probs"),
    (jnp.zeros((3, 0)), None, "probs"),
    (jnp.ones((3, 4)), (10, 4), "shape"),
    (jnp.ones((3, 4)), (), "shape"),
])
def test_discrete_bad_inputs(probs, shape, match):
  with pytest.raises(ValueError, match=match):
    sampling.sample_discrete(jax.random.key(0), probs, shape)


def test_discrete_invalid_weights_under_jit_give_k():
  probs = jnp.array([[1.0, -1.0], [jnp.nan, 1.0], [0.0, 0.0], [1.0, 1.0]])
  samples = jax.jit(sampling.sample_discrete, static_argnums=2)(jax.random.key(7), probs, (1000, 4))
  np.testing.assert_array_equal(samples[:, :3], 2)
  assert set(np.unique(samples[:, 3])) == {0, 1}


# --- inverse transform: closed form and tabulated ---------------------------


@pytest.mark.parametrize("jit", [False, True])
def test_closed_form_inverse_cdf_lecture_example(jit):
  inverse_cdf = lambda u: 2.0 * jnp.cbrt(u)  # F^{-1}(u) = 2 u^{1/3}
  draw = maybe_jit(lambda key: sampling.inverse_transform_sample(key, inverse_cdf, (N,)), jit)
  assert_ks(draw(jax.random.key(8)), lecture_cdf)


@pytest.mark.parametrize("jit", [False, True])
def test_tabulated_inverse_cdf_lecture_example(jit):
  inverse_cdf = sampling.tabulated_inverse_cdf(lecture_pdf, 0.0, 2.0)
  draw = maybe_jit(lambda key: sampling.inverse_transform_sample(key, inverse_cdf, (N,)), jit)
  samples = draw(jax.random.key(9))
  assert_ks(samples, lecture_cdf)
  u = jnp.linspace(0.0, 1.0, 101)
  np.testing.assert_allclose(inverse_cdf(u), 2.0 * np.cbrt(u), atol=2e-3)


def test_tabulated_inverse_cdf_vmap_and_batch_shape():
  inverse_cdf = sampling.tabulated_inverse_cdf(lecture_pdf, 0.0, 2.0, num_points=513)
  keys = jax.random.split(jax.random.key(10), 4)
  samples = jax.vmap(lambda key: sampling.inverse_transform_sample(key, inverse_cdf, (N // 4, 2)))(keys)
  assert samples.shape == (4, N // 4, 2)
  assert_ks(samples, lecture_cdf)


def test_tabulated_inverse_cdf_flat_regions_and_unnormalized():
  """Two plateaus of weight 5 on [0,1] and [2,3], zero on (1, 2) and outside: never sampled there."""
  pdf = lambda x: 5.0 * (((x >= 0) & (x <= 1)) | ((x >= 2) & (x <= 3)))
  inverse_cdf = sampling.tabulated_inverse_cdf(pdf, -1.0, 4.0, num_points=5001)
  samples = np.asarray(sampling.inverse_transform_sample(jax.random.key(11), inverse_cdf, (N,)))
  step = 5.0 / 5000
  assert not np.any((samples > 1 + step) & (samples < 2 - step))
  assert_ks(samples, lambda x: 0.5 * np.clip(x, 0, 1) + 0.5 * np.clip(x - 2, 0, 1))
  np.testing.assert_allclose(inverse_cdf(jnp.array([0.0, 0.25, 0.5, 1.0])), [0.0, 0.5, 2.0, 3.0], atol=2 * step)


@pytest.mark.parametrize("kwargs, match", [
    (dict(num_points=1), "num_points"),
    (dict(num_points=10.0), "num_points"),
    (dict(pdf=lambda x: jnp.ones(3)), "pdf"),
])
def test_tabulated_inverse_cdf_bad_inputs(kwargs, match):
  args = dict(pdf=lecture_pdf, low=0.0, high=2.0, num_points=64) | kwargs
  with pytest.raises(ValueError, match=match):
    sampling.tabulated_inverse_cdf(**args)


# --- rejection sampling ----------------------------------------------------


@pytest.mark.parametrize("jit", [False, True])
def test_rejection_lecture_example(jit):
  sample_q, q = uniform_proposal(0.0, 2.0)
  bound = 3.0  # max p / q = (3/2) / (1/2)
  run = maybe_jit(lambda key: sampling.rejection_sample(key, lecture_pdf, sample_q, q, bound, N), jit)
  result = run(jax.random.key(12))
  assert bool(result.complete) and int(result.num_envelope_violations) == 0
  assert_ks(result.samples, lecture_cdf)


@pytest.mark.parametrize("jit", [False, True])
def test_rejection_beta_2_5_uniform_proposal(jit):
  sample_q, q = uniform_proposal(0.0, 1.0)
  run = maybe_jit(lambda key: sampling.rejection_sample(key, beta25_pdf, sample_q, q, BETA_BOUND, N,
                                                        round_size=4096), jit)
  result = run(jax.random.key(13))
  assert result.samples.shape == (N,) and bool(result.complete)
  assert int(result.num_envelope_violations) == 0
  assert int(result.num_proposed) == 4096 * int(result.rounds)
  assert int(result.num_accepted) >= N
  # Binomial standard error of the acceptance rate around 1 / bound.
  expected = 1.0 / BETA_BOUND
  stderr = np.sqrt(expected * (1 - expected) / int(result.num_proposed))
  assert abs(float(result.acceptance_rate) - expected) < 4 * stderr
  assert_ks(result.samples, stats.beta(2, 5).cdf)


def test_rejection_counts_envelope_violations():
  sample_q, q = uniform_proposal(0.0, 1.0)
  result = sampling.rejection_sample(jax.random.key(14), beta25_pdf, sample_q, q, 1.0, N)
  grid = np.linspace(0, 1, 1_000_001)
  violating_fraction = np.mean(beta25_pdf(grid) > 1.0)
  proposed = int(result.num_proposed)
  stderr = np.sqrt(violating_fraction * (1 - violating_fraction) / proposed)
  assert abs(int(result.num_envelope_violations) / proposed - violating_fraction) < 4 * stderr


@pytest.mark.parametrize("jit", [False, True])
def test_rejection_max_rounds_exhausted_is_flagged(jit):
  sample_q, q = uniform_proposal(0.0, 1.0)
  run = maybe_jit(lambda key: sampling.rejection_sample(key, beta25_pdf, sample_q, q, 100.0, 1000,
                                                        max_rounds=2, round_size=500), jit)
  result = run(jax.random.key(15))
  assert not bool(result.complete)
  assert int(result.rounds) == 2 and int(result.num_proposed) == 1000
  filled = int(result.num_accepted)
  assert 0 < filled < 1000
  assert np.all(np.isfinite(result.samples[:filled])) and np.all(np.isnan(result.samples[filled:]))


def test_rejection_multivariate_proposal():
  """Uniform on the unit disk from a uniform square proposal: samples [n, 2], acceptance pi / 4."""
  sample_q = lambda key, n: jax.random.uniform(key, (n, 2), minval=-1.0, maxval=1.0)
  q = lambda x: jnp.full(x.shape[:1], 0.25)
  p = lambda x: (jnp.sum(x**2, axis=-1) <= 1.0) / jnp.pi
  result = sampling.rejection_sample(jax.random.key(16), p, sample_q, q, 4.0 / jnp.pi, N)
  assert result.samples.shape == (N, 2) and bool(result.complete)
  radius2 = np.sum(np.asarray(result.samples) ** 2, axis=-1)
  assert_ks(radius2, stats.uniform(0, 1).cdf)  # r^2 ~ U(0, 1) for the uniform disk
  assert abs(float(result.acceptance_rate) - np.pi / 4) < 0.02


@pytest.mark.parametrize("kwargs, match", [
    (dict(bound=jnp.ones(2)), "bound"),
    (dict(num_samples=0), "num_samples"),
    (dict(max_rounds=0), "max_rounds"),
    (dict(round_size=0), "round_size"),
    (dict(proposal_sample=lambda key, n: jax.random.randint(key, (n,), 0, 2)), "proposal_sample"),
    (dict(proposal_sample=lambda key, n: jax.random.uniform(key, (n + 1,))), "proposal_sample"),
])
def test_rejection_bad_inputs(kwargs, match):
  sample_q, q = uniform_proposal(0.0, 1.0)
  args = dict(target_pdf=beta25_pdf, proposal_sample=sample_q, proposal_pdf=q, bound=BETA_BOUND,
              num_samples=10) | kwargs
  with pytest.raises(ValueError, match=match):
    sampling.rejection_sample(jax.random.key(0), **args)


# --- reparameterization ----------------------------------------------------


@pytest.mark.parametrize("jit", [False, True])
def test_reparameterize_moments(jit):
  mean, log_var = jnp.array([1.0, -2.0, 0.5]), jnp.array([0.0, 1.0, -1.5])
  draw = maybe_jit(sampling.reparameterize, jit, static_argnums=3)
  z = draw(jax.random.key(17), mean, log_var, N)
  assert z.shape == (N, 3)
  for i in range(3):
    assert_ks(z[:, i], stats.norm(float(mean[i]), float(np.exp(0.5 * log_var[i]))).cdf)
  assert draw(jax.random.key(17), mean, jnp.zeros((4, 1))).shape == (4, 3)


def test_reparameterize_vmap_over_keys():
  keys = jax.random.split(jax.random.key(18), N)
  z = jax.vmap(sampling.reparameterize, in_axes=(0, None, None))(keys, 3.0, jnp.log(4.0))
  assert_ks(z, stats.norm(3.0, 2.0).cdf)


def test_reparameterize_gradients():
  key = jax.random.key(19)
  loss = jax.jit(lambda mean, log_var: jnp.sum(sampling.reparameterize(key, mean, log_var, 8) ** 2))
  check_grads(loss, (jnp.array([0.3, -1.0]), jnp.array([0.1, -0.4])), order=1, modes=["rev"])
  # dz/dmu = 1 for every sample, so the gradient of the sum is num_samples.
  grad_mean = jax.grad(lambda m: jnp.sum(sampling.reparameterize(key, m, jnp.zeros(2), 8)))(jnp.zeros(2))
  np.testing.assert_allclose(grad_mean, [8.0, 8.0])


@pytest.mark.parametrize("jit", [False, True])
def test_reparameterize_full_moments(jit):
  mean = jnp.array([1.0, -1.0])
  cov = jnp.array([[2.0, 0.8], [0.8, 1.0]])
  draw = maybe_jit(sampling.reparameterize_full, jit, static_argnums=3)
  z = np.asarray(draw(jax.random.key(20), mean, cov, N), np.float64)
  assert z.shape == (N, 2)
  whitened = np.linalg.solve(np.linalg.cholesky(np.asarray(cov, np.float64)), (z - np.asarray(mean)).T).T
  for i in range(2):
    assert_ks(whitened[:, i], stats.norm.cdf)
  np.testing.assert_allclose(np.cov(z.T), cov, atol=0.1)


def test_reparameterize_full_batch_and_gradients():
  key = jax.random.key(21)
  mean = jnp.zeros((3, 2))
  cov = jnp.array([[1.5, 0.3], [0.3, 0.7]])
  assert sampling.reparameterize_full(key, mean, cov).shape == (3, 2)
  assert sampling.reparameterize_full(key, mean, cov, 5).shape == (5, 3, 2)
  loss = jax.jit(lambda m, c: jnp.sum(jnp.sin(sampling.reparameterize_full(key, m, c, 4))))
  check_grads(loss, (jnp.array([0.2, -0.1]), cov), order=1, modes=["rev"], atol=1e-2, rtol=1e-2)


@pytest.mark.parametrize("fn, args, match", [
    (sampling.reparameterize, (jnp.zeros(3), jnp.zeros(2)), "log_var"),
    (sampling.reparameterize, (jnp.zeros(3), jnp.zeros(3), 0), "num_samples"),
    (sampling.reparameterize_full, (jnp.zeros(2), jnp.eye(3)), "cov"),
    (sampling.reparameterize_full, (jnp.zeros(()), jnp.eye(1)), "mean"),
    (sampling.reparameterize_full, (jnp.zeros(2), jnp.eye(2), -1), "num_samples"),
])
def test_reparameterize_bad_inputs(fn, args, match):
  with pytest.raises(ValueError, match=match):
    fn(jax.random.key(0), *args)
