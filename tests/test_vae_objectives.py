"""VAE objectives: decoder likelihoods, reparameterized samples, ELBO forms, IWAE bound, IMQ MMD."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from gen_jax import checks, probability
from gen_jax.vae import objectives


def test_bernoulli_log_likelihood_sums_over_event_axes():
  key_x, key_l = jax.random.split(jax.random.PRNGKey(0))
  x = jax.random.bernoulli(key_x, 0.4, (3, 4, 4, 1)).astype(jnp.float32)
  logits = jax.random.normal(key_l, (2, 3, 4, 4, 1))  # [S, B, H, W, C]
  got = objectives.decoder_log_likelihood(x, logits, "bernoulli", event_ndim=3)
  p = jax.nn.sigmoid(logits)
  expected = jnp.sum(x * jnp.log(p) + (1 - x) * jnp.log1p(-p), axis=(2, 3, 4))
  assert got.shape == (2, 3)
  np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_gaussian_log_likelihoods_match_scipy():
  key_x, key_o = jax.random.split(jax.random.PRNGKey(1))
  x = jax.random.normal(key_x, (5, 6))
  out = jax.random.normal(key_o, (5, 12))
  fixed = objectives.decoder_log_likelihood(x, out[:, :6], "gaussian_fixed", 1, log_var=np.log(0.3))
  np.testing.assert_allclose(fixed, stats.norm.logpdf(x, out[:, :6], np.sqrt(0.3)).sum(-1), rtol=1e-5)
  learned = objectives.decoder_log_likelihood(x, out, "gaussian", 1)
  log_var = objectives.MIN_DECODER_LOG_VAR + jax.nn.softplus(out[:, 6:] - objectives.MIN_DECODER_LOG_VAR)
  np.testing.assert_allclose(learned, stats.norm.logpdf(x, out[:, :6], np.exp(0.5 * log_var)).sum(-1), rtol=1e-5)
  np.testing.assert_allclose(objectives.decoder_mean(out, "gaussian"), out[:, :6])
  np.testing.assert_allclose(objectives.decoder_mean(out, "bernoulli"), jax.nn.sigmoid(out), rtol=1e-6)


def test_learned_decoder_variance_is_floored():
  x = jnp.zeros((1, 3))
  out = jnp.concatenate([jnp.zeros((1, 3)), jnp.full((1, 3), -1e4)], -1)  # log-variance -> -inf
  value = objectives.decoder_log_likelihood(x, out, "gaussian", 1)
  np.testing.assert_allclose(value, -1.5 * (np.log(2 * np.pi) + objectives.MIN_DECODER_LOG_VAR), rtol=1e-5)


def test_unknown_likelihood_names_the_field():
  with pytest.raises(ValueError, match=r"objective.likelihood: expected one of \['bernoulli', 'gaussian', 'gaussian_fixed'\], got 'poisson'"):
    objectives.check_likelihood("poisson")
  with pytest.raises(ValueError, match="likelihood"):
    objectives.num_decoder_params("laplace")


def test_sample_posterior_moments_and_per_example_keys():
  mean = jnp.array([[1.0, -2.0], [0.5, 3.0]])
  log_var = jnp.log(jnp.array([[0.25, 4.0], [1.0, 0.01]]))
  keys = jax.random.split(jax.random.PRNGKey(2), 2)
  z = objectives.sample_posterior(keys, mean, log_var, 20_000)  # [S, B, D]
  assert z.shape == (20_000, 2, 2)
  for b in range(2):
    for d in range(2):
      sd = float(jnp.exp(0.5 * log_var[b, d]))
      assert stats.kstest(np.asarray(z[:, b, d]), "norm", args=(float(mean[b, d]), sd)).pvalue > 0.01
  # Example 0's samples depend only on its own key, not on the rest of the batch.
  alone = objectives.sample_posterior(keys[:1], mean[:1], log_var[:1], 20_000)
  np.testing.assert_array_equal(alone[:, 0], z[:, 0])
  # Upper layers: one Gaussian per sample, one draw each.
  upper = objectives.sample_posterior(keys, z[:5], jnp.zeros((5, 2, 2)), 5)
  assert upper.shape == (5, 2, 2)
  with pytest.raises(ValueError, match="num_samples"):
    objectives.sample_posterior(keys, mean, log_var, 0)


def test_elbo_closed_form_and_monte_carlo_forms_agree():
  key = jax.random.PRNGKey(3)
  mean, log_var = jnp.array([[0.3, -1.0, 2.0]]), jnp.array([[-0.5, 0.2, -1.5]])
  z = objectives.sample_posterior(jax.random.split(key, 1), mean, log_var, 100_000)  # [S, 1, D]
  log_lik = -jnp.sum(jnp.square(z - 1.0), -1)  # any function of z: [S, 1]
  closed = objectives.elbo(log_lik, probability.kl_standard_normal(mean, log_var))
  mc_terms = probability.gaussian_log_prob(z, mean, log_var) - probability.gaussian_log_prob(z, 0.0, 0.0)
  mc = objectives.elbo(log_lik, mc_terms)
  np.testing.assert_allclose(closed["reconstruction"], mc["reconstruction"])
  se = float(jnp.std(mc_terms) / np.sqrt(z.shape[0]))
  assert abs(float(closed["kl"][0] - mc["kl"][0])) < 4 * se
  np.testing.assert_allclose(closed["elbo"], closed["reconstruction"] - closed["kl"])


def test_beta_weights_only_the_training_objective():
  log_lik, kl = jnp.array([[-10.0, -20.0]]), jnp.array([2.0, 3.0])
  parts = objectives.elbo(log_lik, kl, beta=4.0)
  np.testing.assert_allclose(parts["objective"], [-18.0, -32.0])
  np.testing.assert_allclose(parts["elbo"], [-12.0, -23.0])
  traced = jax.jit(objectives.elbo)(log_lik, kl, 4.0)  # a traced beta (KL annealing inside a jitted step)
  np.testing.assert_allclose(traced["objective"], parts["objective"])
  with pytest.raises(ValueError, match="beta: expected a KL weight >= 0, got -1.0"):
    checks.checked(objectives.elbo)(log_lik, kl, beta=jnp.array(-1.0))
  with pytest.raises(ValueError, match="kl: expected shape"):
    objectives.elbo(log_lik, jnp.zeros((3, 4, 2)))


def test_iwae_bound_is_log_mean_exp_of_weights_and_reduces_to_the_elbo():
  key = jax.random.PRNGKey(4)
  ll, lp, lq = jax.random.normal(key, (3, 7, 5))  # [k, B] each
  log_w = ll + lp - lq
  np.testing.assert_allclose(objectives.iwae_bound(ll, lp, lq),
                             np.log(np.mean(np.exp(np.asarray(log_w, np.float64)), axis=0)), rtol=1e-5)
  single = objectives.iwae_bound(ll[:1], lp[:1], lq[:1])
  np.testing.assert_allclose(single, objectives.elbo(ll[:1], lq[:1] - lp[:1])["elbo"], rtol=1e-6)
  # Jensen: the k-sample bound is at least the average of its single-sample ELBOs.
  assert np.all(objectives.iwae_bound(ll, lp, lq) >= objectives.elbo(ll, lq - lp)["elbo"] - 1e-6)


def test_mmd_imq_separates_distributions_and_is_unbiased_near_zero():
  keys = jax.random.split(jax.random.PRNGKey(5), 40)
  same = [float(objectives.mmd_imq(jax.random.normal(k, (64, 3)), jax.random.normal(jax.random.fold_in(k, 1),
                                                                                     (64, 3)))) for k in keys]
  shifted = float(objectives.mmd_imq(jax.random.normal(keys[0], (64, 3)) + 1.0,
                                     jax.random.normal(keys[1], (64, 3))))
  se = np.std(same) / np.sqrt(len(same))
  assert abs(np.mean(same)) < 4 * se  # unbiased: E[MMD^2] = 0 for equal distributions
  assert shifted > np.mean(same) + 10 * np.std(same)
  a = jnp.array([[0.0, 0.0], [1.0, 0.0]])
  k = objectives.imq_kernel(a, a, scales=(1.0,))
  np.testing.assert_allclose(k, [[1.0, 4 / 5], [4 / 5, 1.0]], rtol=1e-6)  # C = 2 D s = 4
  with pytest.raises(ValueError, match="z_p"):
    objectives.mmd_imq(a, jnp.zeros((3, 2)))
