"""Tests of gen_jax.probability: log-densities against scipy, KL closed forms against
each other and against Monte-Carlo estimates, and the lecture's joint-table questions."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from gen_jax import probability as prob

# The lecture's joint table p(x, y): rows x = 1..3, columns y = 1..3.
JOINT = jnp.array([[0.32, 0.03, 0.01], [0.06, 0.24, 0.02], [0.02, 0.03, 0.27]])
NUM_MC = 20_000


def random_spd(key, d: int, batch=()):
  a = jax.random.normal(key, batch + (d, d))
  return a @ jnp.swapaxes(a, -1, -2) / d + 0.5 * jnp.eye(d)


def mc_kl_tolerance(log_ratio) -> float:
  """Four standard errors of a Monte-Carlo mean of log p - log q."""
  return 4.0 * float(jnp.std(log_ratio)) / np.sqrt(log_ratio.shape[0])


# --- log-densities ---------------------------------------------------------


def test_gaussian_log_prob_matches_scipy():
  x, mean, log_var = (jax.random.normal(k, (4, 3)) for k in jax.random.split(jax.random.key(0), 3))
  expected = stats.norm(mean, np.exp(0.5 * log_var)).logpdf(x).sum(-1)
  np.testing.assert_allclose(prob.gaussian_log_prob(x, mean, log_var), expected, rtol=1e-5)
  np.testing.assert_allclose(jax.jit(prob.gaussian_log_prob)(x, mean, log_var), expected, rtol=1e-5)


def test_mvn_log_prob_matches_scipy_with_batch():
  k1, k2, k3 = jax.random.split(jax.random.key(1), 3)
  cov = random_spd(k1, 3)
  mean, x = jax.random.normal(k2, (3,)), jax.random.normal(k3, (5, 3))
  expected = stats.multivariate_normal(np.asarray(mean), np.asarray(cov)).logpdf(np.asarray(x))
  np.testing.assert_allclose(prob.mvn_log_prob(x, mean, cov), expected, rtol=1e-5)
  covs = jnp.stack([cov, 2.0 * cov])  # [2, D, D] against x [2, 5, D]: batch axes broadcast
  batched = jax.vmap(prob.mvn_log_prob, in_axes=(None, None, 0))(x, mean, covs)
  np.testing.assert_allclose(batched[0], expected, rtol=1e-5)
  np.testing.assert_allclose(prob.mvn_log_prob(x[None], mean, covs[:, None]), batched, rtol=1e-5)


def test_mvn_log_prob_diagonal_equals_gaussian_log_prob():
  x, mean, log_var = (jax.random.normal(k, (6, 4)) for k in jax.random.split(jax.random.key(2), 3))
  cov = jax.vmap(jnp.diag)(jnp.exp(log_var))
  np.testing.assert_allclose(prob.mvn_log_prob(x, mean, cov), prob.gaussian_log_prob(x, mean, log_var), rtol=1e-5)


def test_bernoulli_log_prob_matches_direct_formula_and_is_stable():
  logits = jnp.array([[-3.0, 0.0, 2.5], [0.5, -1.0, 4.0]])
  x = jnp.array([[1.0, 0.0, 1.0], [0.0, 0.3, 1.0]])
  p = 1.0 / (1.0 + np.exp(-np.asarray(logits, np.float64)))
  expected = np.sum(x * np.log(p) + (1 - x) * np.log1p(-p), axis=-1)
  np.testing.assert_allclose(prob.bernoulli_log_prob(x, logits), expected, rtol=1e-5)
  extreme = prob.bernoulli_log_prob(jnp.array([1.0, 0.0, 0.0, 1.0]), jnp.array([200.0, -200.0, 200.0, -200.0]))
  np.testing.assert_allclose(extreme, -400.0, rtol=1e-6)


# --- KL divergences --------------------------------------------------------


def test_kl_standard_normal_formula_and_agreement():
  mean, log_var = jnp.array([[0.5, -1.0], [0.0, 0.0]]), jnp.array([[0.2, -0.7], [0.0, 0.0]])
  expected = 0.5 * np.sum(np.exp(log_var) + mean**2 - 1 - log_var, axis=-1)
  kl = prob.kl_standard_normal(mean, log_var)
  np.testing.assert_allclose(kl, expected, rtol=1e-6)
  assert float(kl[1]) == 0.0  # KL(N(0, I) || N(0, I))
  zeros = jnp.zeros_like(mean)
  np.testing.assert_allclose(prob.kl_diag_gaussians(mean, log_var, zeros, zeros), expected, rtol=1e-6)
  np.testing.assert_allclose(jax.vmap(prob.kl_standard_normal)(mean, log_var), expected, rtol=1e-6)


def test_kl_gaussian_one_dimensional_closed_form():
  # KL(N(0, 1) || N(1, 4)) = log 2 + (1 + 1) / 8 - 1/2.
  kl = prob.kl_gaussian(jnp.zeros(1), jnp.eye(1), jnp.ones(1), 4.0 * jnp.eye(1))
  np.testing.assert_allclose(kl, np.log(2.0) + 0.25 - 0.5, rtol=1e-6)


def test_kl_of_a_distribution_with_itself_is_zero():
  k1, k2 = jax.random.split(jax.random.key(3))
  mean, cov = jax.random.normal(k1, (3, 4)), random_spd(k2, 4, (3,))
  np.testing.assert_allclose(prob.kl_gaussian(mean, cov, mean, cov), 0.0, atol=1e-5)
  log_var = jax.random.normal(k2, (3, 4))
  np.testing.assert_allclose(prob.kl_diag_gaussians(mean, log_var, mean, log_var), 0.0, atol=1e-6)


def test_kl_diag_equals_kl_full_with_diagonal_covariances():
  mp, lvp, mq, lvq = (jax.random.normal(k, (5, 3)) for k in jax.random.split(jax.random.key(4), 4))
  diag = jax.vmap(jnp.diag)
  full = prob.kl_gaussian(mp, diag(jnp.exp(lvp)), mq, diag(jnp.exp(lvq)))
  np.testing.assert_allclose(prob.kl_diag_gaussians(mp, lvp, mq, lvq), full, rtol=1e-4)
  np.testing.assert_allclose(jax.jit(prob.kl_gaussian)(mp, diag(jnp.exp(lvp)), mq, diag(jnp.exp(lvq))), full,
                             rtol=1e-5)
  std_normal = prob.kl_gaussian(mp, diag(jnp.exp(lvp)), jnp.zeros(3), jnp.eye(3))  # q broadcasts
  np.testing.assert_allclose(prob.kl_standard_normal(mp, lvp), std_normal, rtol=1e-4)


@pytest.mark.parametrize("jit", [False, True])
def test_kl_gaussian_matches_monte_carlo(jit):
  k1, k2, k3, k4, key = jax.random.split(jax.random.key(5), 5)
  mean_p, mean_q = jax.random.normal(k1, (3,)), jax.random.normal(k2, (3,))
  cov_p, cov_q = random_spd(k3, 3), random_spd(k4, 3)
  sample_p = lambda k, n: jax.random.multivariate_normal(k, mean_p, cov_p, (n,))
  log_p = lambda x: prob.mvn_log_prob(x, mean_p, cov_p)
  log_q = lambda x: prob.mvn_log_prob(x, mean_q, cov_q)
  estimate_fn = lambda k: prob.monte_carlo_kl(k, sample_p, log_p, log_q, NUM_MC)
  estimate = (jax.jit(estimate_fn) if jit else estimate_fn)(key)
  x = sample_p(key, NUM_MC)
  assert abs(float(estimate) - float(prob.kl_gaussian(mean_p, cov_p, mean_q, cov_q))) < mc_kl_tolerance(
      log_p(x) - log_q(x))


def test_kl_diag_gaussians_matches_monte_carlo():
  mp, lvp, mq, lvq = (jax.random.normal(k, (2,)) for k in jax.random.split(jax.random.key(6), 4))
  sample_p = lambda k, n: mp + jnp.exp(0.5 * lvp) * jax.random.normal(k, (n, 2))
  log_p = lambda x: prob.gaussian_log_prob(x, mp, lvp)
  log_q = lambda x: prob.gaussian_log_prob(x, mq, lvq)
  key = jax.random.key(7)
  estimate = prob.monte_carlo_kl(key, sample_p, log_p, log_q, NUM_MC)
  x = sample_p(key, NUM_MC)
  assert abs(float(estimate) - float(prob.kl_diag_gaussians(mp, lvp, mq, lvq))) < mc_kl_tolerance(
      log_p(x) - log_q(x))


def test_kl_gaussian_is_differentiable():
  cov = random_spd(jax.random.key(8), 2)
  grad = jax.grad(lambda m: prob.kl_gaussian(m, cov, jnp.zeros(2), jnp.eye(2)))(jnp.array([1.0, -2.0]))
  np.testing.assert_allclose(grad, [1.0, -2.0], rtol=1e-5)  # d/dmu_p of mu^T mu / 2 with S_q = I


@pytest.mark.parametrize("fn, args, match", [
    (prob.kl_gaussian, (jnp.zeros(2), jnp.eye(2), jnp.zeros(3), jnp.eye(3)), "mean_q"),
    (prob.kl_gaussian, (jnp.zeros(2), jnp.eye(3), jnp.zeros(2), jnp.eye(2)), "cov_p"),
    (prob.mvn_log_prob, (jnp.zeros(2), jnp.zeros(()), jnp.eye(2)), "mean"),
    (prob.monte_carlo_kl, (jax.random.key(0), None, None, None, 0), "num_samples"),
    (prob.log_mean_exp, (jnp.zeros((2, 0)), 1), "axis"),
])
def test_bad_inputs(fn, args, match):
  with pytest.raises(ValueError, match=match):
    fn(*args)


# --- log_mean_exp ----------------------------------------------------------


def test_log_mean_exp():
  x = jax.random.normal(jax.random.key(9), (4, 5, 6))
  np.testing.assert_allclose(prob.log_mean_exp(x, axis=1), np.log(np.mean(np.exp(x), axis=1)), rtol=1e-5)
  np.testing.assert_allclose(prob.log_mean_exp(x, axis=(0, 2)), np.log(np.mean(np.exp(x), axis=(0, 2))), rtol=1e-5)
  np.testing.assert_allclose(prob.log_mean_exp(x), np.log(np.mean(np.exp(x))), rtol=1e-5)
  assert prob.log_mean_exp(x, axis=-1, keepdims=True).shape == (4, 5, 1)
  np.testing.assert_allclose(prob.log_mean_exp(jnp.array([1000.0, 1000.0])), 1000.0)  # no overflow
  np.testing.assert_allclose(prob.log_mean_exp(jnp.array([-1000.0, -1000.0 + np.log(3.0)])),
                             -1000.0 + np.log(2.0), rtol=1e-6)


# --- the lecture's joint table ---------------------------------------------


def test_lecture_joint_table():
  values = jnp.array([1.0, 2.0, 3.0])
  p_x = prob.marginal(JOINT, axis=0)
  p_y = prob.marginal(JOINT, axis=1)
  np.testing.assert_allclose(p_x, [0.36, 0.32, 0.32], rtol=1e-6)
  np.testing.assert_allclose(p_y, [0.40, 0.30, 0.30], rtol=1e-6)
  np.testing.assert_allclose(prob.expectation(values, p_x), 0.36 + 2 * 0.32 + 3 * 0.32, rtol=1e-6)  # 1.96
  y_given_x = prob.conditional(JOINT, given=0)
  np.testing.assert_allclose(y_given_x[0, 1], 0.03 / 0.36, rtol=1e-6)
  np.testing.assert_allclose(y_given_x.sum(axis=1), 1.0, rtol=1e-6)
  # Bayes: p(y=2 | x=1) = p(x=1 | y=2) p(y=2) / p(x=1).
  x_given_y = prob.conditional(JOINT, given=1)
  np.testing.assert_allclose(x_given_y[0, 1] * p_y[1] / p_x[0], y_given_x[0, 1], rtol=1e-6)
  # E[y | x] for every x at once.
  np.testing.assert_allclose(prob.expectation(values, y_given_x), (JOINT @ values) / p_x, rtol=1e-6)


def test_joint_helpers_in_three_dimensions_and_under_jit():
  joint = jax.random.uniform(jax.random.key(10), (2, 3, 4))
  joint = joint / joint.sum()
  np.testing.assert_allclose(prob.marginal(joint, axis=-1), joint.sum(axis=(0, 1)), rtol=1e-6)
  np.testing.assert_allclose(jax.jit(prob.marginal, static_argnums=1)(joint, 1), joint.sum(axis=(0, 2)), rtol=1e-6)
  cond = jax.jit(prob.conditional, static_argnums=1)(joint, 1)
  np.testing.assert_allclose(cond.sum(axis=(0, 2)), 1.0, rtol=1e-5)


@pytest.mark.parametrize("fn, args, match", [
    (prob.marginal, (JOINT, 2), "axis"),
    (prob.conditional, (JOINT, 1.5), "given"),
    (prob.expectation, (jnp.ones(3), jnp.array(1.0)), "probs"),
])
def test_joint_helpers_bad_inputs(fn, args, match):
  with pytest.raises(ValueError, match=match):
    fn(*args)
