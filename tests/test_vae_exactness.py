"""The ELBO and the IWAE bound on a linear-Gaussian model, where log p(x) and p(z|x) are known exactly.

p(z) = N(0, I), p(x|z) = N(W z + b, s^2 I)  =>  p(x) = N(b, W W^T + s^2 I),
p(z|x) = N(S W^T (x - b) / s^2, S), S = (I + W^T W / s^2)^{-1}.
W has orthogonal columns, so S is diagonal and a diagonal-Gaussian q can equal the posterior.
Everything runs in float64.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gen_jax import probability
from gen_jax.vae import objectives

S2 = 0.25  # s^2
D_X, D_Z = 4, 2


@pytest.fixture(scope="module")
def model():
  with jax.enable_x64(True):
    rng = np.random.default_rng(0)
    q_mat, _ = np.linalg.qr(rng.normal(size=(D_X, D_Z)))
    w = q_mat * np.array([1.5, 0.7])  # orthogonal columns: W^T W diagonal
    b = rng.normal(size=D_X)
    x = rng.normal(size=D_X) * 2.0
    post_cov = np.linalg.inv(np.eye(D_Z) + w.T @ w / S2)
    post_mean = post_cov @ w.T @ (x - b) / S2
    log_px = float(probability.mvn_log_prob(jnp.asarray(x), jnp.asarray(b), jnp.asarray(w @ w.T + S2 * np.eye(D_X))))
  return dict(w=w, b=b, x=x, post_mean=post_mean, post_cov=post_cov, log_px=log_px)


def log_likelihood(m, z):
  """log p(x | z) for z [..., D_Z] -> [...]."""
  mean = z @ jnp.asarray(m["w"]).T + jnp.asarray(m["b"])
  return objectives.decoder_log_likelihood(jnp.asarray(m["x"]), mean, "gaussian_fixed", 1, log_var=np.log(S2))


def analytic_elbo(m, q_mean, q_var):
  """E_q[log p(x|z)] - KL(q || N(0, I)) in closed form for q = N(q_mean, diag q_var)."""
  w, resid = m["w"], m["x"] - m["w"] @ q_mean - m["b"]
  expected_ll = -0.5 * D_X * np.log(2 * np.pi * S2) - (resid @ resid + np.trace(w @ np.diag(q_var) @ w.T)) / (2 * S2)
  kl = 0.5 * np.sum(q_var + q_mean ** 2 - 1.0 - np.log(q_var))
  return expected_ll - kl


Q_MEAN, Q_VAR = np.array([0.3, -0.8]), np.array([0.5, 0.05])


def test_jensen_gap_equals_kl_to_the_true_posterior(model):
  with jax.enable_x64(True):
    elbo = analytic_elbo(model, Q_MEAN, Q_VAR)
    gap = float(probability.kl_gaussian(jnp.asarray(Q_MEAN), jnp.diag(jnp.asarray(Q_VAR)),
                                        jnp.asarray(model["post_mean"]), jnp.asarray(model["post_cov"])))
  assert elbo < model["log_px"]
  np.testing.assert_allclose(model["log_px"] - elbo, gap, rtol=1e-10)


def test_monte_carlo_elbo_gap_is_the_per_sample_kl_exactly(model):
  """log p(x) - log w(z) = log q(z) - log p(z|x) for every z, so the sample means agree to rounding."""
  with jax.enable_x64(True):
    mean, log_var = jnp.asarray(Q_MEAN)[None], jnp.log(jnp.asarray(Q_VAR))[None]
    z = objectives.sample_posterior(jax.random.split(jax.random.PRNGKey(0), 1), mean, log_var, 1000)  # [S, 1, D]
    log_q = probability.gaussian_log_prob(z, mean, log_var)
    log_prior = probability.gaussian_log_prob(z, 0.0, 0.0)
    parts = objectives.elbo(log_likelihood(model, z), log_q - log_prior)
    log_post = probability.mvn_log_prob(z, jnp.asarray(model["post_mean"]), jnp.asarray(model["post_cov"]))
    np.testing.assert_allclose(model["log_px"] - parts["elbo"][0], jnp.mean(log_q - log_post), rtol=1e-10)
    assert parts["elbo"][0] < model["log_px"]


def test_closed_form_kl_elbo_matches_the_analytic_expectation(model):
  with jax.enable_x64(True):
    mean, log_var = jnp.asarray(Q_MEAN)[None], jnp.log(jnp.asarray(Q_VAR))[None]
    z = objectives.sample_posterior(jax.random.split(jax.random.PRNGKey(1), 1), mean, log_var, 200_000)
    ll = log_likelihood(model, z)  # [S, 1]
    parts = objectives.elbo(ll, probability.kl_standard_normal(mean, log_var))
    se = float(jnp.std(ll) / np.sqrt(ll.shape[0]))
    assert abs(float(parts["elbo"][0]) - analytic_elbo(model, Q_MEAN, Q_VAR)) < 4 * se


def test_elbo_equals_log_evidence_when_q_is_the_true_posterior(model):
  post_var = np.diag(model["post_cov"])
  np.testing.assert_allclose(np.diag(post_var), model["post_cov"], atol=1e-12)  # diagonal posterior
  np.testing.assert_allclose(analytic_elbo(model, model["post_mean"], post_var), model["log_px"], rtol=1e-12)
  with jax.enable_x64(True):
    mean, log_var = jnp.asarray(model["post_mean"])[None], jnp.log(jnp.asarray(post_var))[None]
    z = objectives.sample_posterior(jax.random.split(jax.random.PRNGKey(2), 1), mean, log_var, 50)
    log_q = probability.gaussian_log_prob(z, mean, log_var)
    log_prior = probability.gaussian_log_prob(z, 0.0, 0.0)
    ll = log_likelihood(model, z)
    # Every importance weight equals p(x): the single-sample ELBO has zero variance.
    np.testing.assert_allclose(objectives.log_importance_weights(ll, log_prior, log_q), model["log_px"], rtol=1e-12)
    np.testing.assert_allclose(objectives.iwae_bound(ll, log_prior, log_q), model["log_px"], rtol=1e-12)


def test_iwae_bound_rises_with_k_toward_log_evidence(model):
  replicates = 4000
  with jax.enable_x64(True):
    mean, log_var = jnp.asarray(Q_MEAN)[None], jnp.log(jnp.asarray(Q_VAR))[None]
    means, ses = [], []
    for i, k in enumerate((1, 4, 16, 64, 256)):
      keys = jax.random.split(jax.random.PRNGKey(10 + i), replicates)
      z = objectives.sample_posterior(keys, jnp.repeat(mean, replicates, 0), jnp.repeat(log_var, replicates, 0), k)
      bound = objectives.iwae_bound(log_likelihood(model, z), probability.gaussian_log_prob(z, 0.0, 0.0),
                                    probability.gaussian_log_prob(z, mean, log_var))  # [replicates]
      means.append(float(jnp.mean(bound)))
      ses.append(float(jnp.std(bound) / np.sqrt(replicates)))
  elbo = analytic_elbo(model, Q_MEAN, Q_VAR)
  assert abs(means[0] - elbo) < 4 * ses[0]  # L_1 is the ELBO
  for a, b, sa, sb in zip(means[:-1], means[1:], ses[:-1], ses[1:]):
    assert b > a - 3 * np.hypot(sa, sb)  # non-decreasing in k
  assert means[-1] <= model["log_px"] + 4 * ses[-1]  # still a lower bound
  assert model["log_px"] - means[-1] < 0.25 * (model["log_px"] - elbo)  # and most of the gap is closed
