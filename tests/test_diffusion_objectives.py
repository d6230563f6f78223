"""Diffusion objectives and schedules: closed forms against Bayes' rule and Monte Carlo, and the lecture's link,
the Markovian HVAE's ELBO with its encoder fixed to q(x_t|x_{t-1}) equals the diffusion ELBO."""

import flax
import jax
import jax.numpy as jnp
import numpy as np
import pytest


from gen_jax import probability
from gen_jax.diffusion import objectives, schedules
from gen_jax.vae import objectives as vae_objectives
from gen_jax.vae.hierarchical import HierarchicalDecoder


def gauss_hermite(n: int) -> tuple[np.ndarray, np.ndarray]:
  """Nodes and weights of E_{u ~ N(0, 1)} f(u) ~= sum_i w_i f(u_i) (exact for polynomials of degree < 2n)."""
  nodes, weights = np.polynomial.hermite_e.hermegauss(n)
  return nodes, weights / np.sqrt(2 * np.pi)


def test_hvae_with_the_fixed_gaussian_encoder_has_the_diffusion_elbo():
  """The lecture's "VAEs -> Diffusion Models" slide, run: gen_jax's Markovian HVAE decoder
  p(x_{0:T}) = p(x_T) prod_t p(x_{t-1}|x_t) (HierarchicalDecoder: T = 3 layers of the data's dimension 1,
  tanh MLPs with learned variances, a Gaussian p(x_0|x_1)) with the encoder fixed to
  q(x_t|x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I). The HVAE ELBO E_q[log p(x_{0:T}) - log q(x_{1:T}|x_0)]
  is computed from the HVAE's own pieces (HierarchicalDecoder's log p(x_{1:T}), the VAE decoder likelihood,
  log q of the chain), the diffusion ELBO -(L_T + sum_t L_{t-1} + L_0) from gen_jax.diffusion.objectives
  (closed-form KLs against the posterior q(x_{t-1}|x_t, x_0)). The HVAE module's encoder is a learned network
  and cannot be fixed, so the chain is written out here. Both expectations are taken by Gauss-Hermite
  quadrature (40 nodes per Gaussian variable; the integrands are smooth: quadrature error ~1e-10),
  not Monte Carlo: the two ELBOs agree to 1e-8 in float64 (float32 would stop at ~1e-6), not only in
  expectation; a wrong term (e.g. L_T against N(0, I) left out) moves them apart by O(1).
  """
  betas = np.array([0.1, 0.3, 0.5])
  num_layers = len(betas)
  nodes, weights = gauss_hermite(40)
  with jax.enable_x64(True):
    decoder = HierarchicalDecoder(latent_dims=(1,) * num_layers, hidden=((8,),) * num_layers, example_shape=(1,),
                                  params_per_value=2, arch="mlp", act="tanh", dtype=jnp.float64)
    zs = tuple(jnp.zeros((1, 1, 1)) for _ in range(num_layers))
    params = decoder.init(jax.random.PRNGKey(3), zs)
    params = jax.tree.map(lambda p: 0.7 * jnp.asarray(p, jnp.float64), params)
    x0 = jnp.array([[0.8]])  # [B = 1, D = 1]
    grid = np.meshgrid(*[nodes] * num_layers, indexing="ij")
    u = tuple(jnp.asarray(g.reshape(-1, 1, 1)) for g in grid)  # each [S, 1, 1]
    w = jnp.asarray(np.prod(np.meshgrid(*[weights] * num_layers, indexing="ij"), axis=0).reshape(-1))  # [S]
    n, w1 = jnp.asarray(nodes)[:, None], jnp.asarray(weights)  # [Q, 1], [Q]

    @jax.jit
    def hvae_elbo(params):
      """E_q[log p(x_0|x_1) + log p(x_{1:T}) - log q(x_{1:T}|x_0)], chain x_t = sqrt(1 - beta_t) x_{t-1} +
      sqrt(beta_t) u_t on the product grid of the u_t."""
      chain, previous, log_q = [], x0[None], 0.0
      for t in range(num_layers):
        mean, log_var = jnp.sqrt(1 - betas[t]) * previous, jnp.log(betas[t])
        x_t = mean + jnp.sqrt(betas[t]) * u[t]
        log_q = log_q + probability.gaussian_log_prob(x_t, mean, log_var)  # [S, 1]
        chain.append(x_t)
        previous = x_t
      out, log_prior = decoder.apply(params, tuple(chain))
      log_lik = vae_objectives.decoder_log_likelihood(x0, out, "gaussian", 1)  # [S, 1]
      return jnp.sum(w[:, None] * (log_lik + log_prior - log_q), axis=0)  # [1]

    @jax.jit
    def diffusion_elbo(params):
      """-(L_T + sum_{t=2..T} E_{q(x_t|x_0)} KL(q(x_{t-1}|x_t,x_0) || p(x_{t-1}|x_t)) + L_0), x_t = alpha_t x_0 +
      sigma_t u on the nodes u."""
      alpha, sigma = schedules.alpha_sigma(schedules.discrete_gamma(jnp.asarray(betas)))
      prior = objectives.prior_kl(x0, alpha[-1], sigma[-1])
      steps = []
      for t in range(2, num_layers + 1):
        x_t = alpha[t - 1] * x0 + sigma[t - 1] * n
        mean, log_var = decoder.apply(params, x_t, t - 2, method=HierarchicalDecoder.transition)
        kl = objectives.denoising_kl(x_t, jnp.broadcast_to(x0, x_t.shape), mean, jnp.exp(log_var), alpha[t - 2],
                                     sigma[t - 2], alpha[t - 1], sigma[t - 1])  # [Q]
        steps.append(jnp.sum(w1 * kl)[None])
      x_1 = alpha[0] * x0 + sigma[0] * n
      out_1 = decoder.apply(params, x_1, method=HierarchicalDecoder.decode)
      reconstruction = -jnp.sum(w1 * vae_objectives.decoder_log_likelihood(jnp.broadcast_to(x0, x_1.shape), out_1,
                                                                           "gaussian", 1))[None]
      return -objectives.discrete_nll_bound(prior, jnp.stack(steps), reconstruction)

    hvae, diffusion = hvae_elbo(params), diffusion_elbo(params)
    assert hvae.dtype == jnp.float64
    np.testing.assert_allclose(np.asarray(hvae), np.asarray(diffusion), rtol=1e-8, atol=1e-8)


def test_posterior_is_bayes_rule_of_the_forward_process():
  """log q(x_s|x_t,x_0) = log q(x_t|x_s) + log q(x_s|x_0) - log q(x_t|x_0) at random points (exact)."""
  with jax.enable_x64(True):
    key = jax.random.PRNGKey(0)
    x0, x_s, x_t = jax.random.normal(key, (3, 5, 4))
    a_s, s_s, a_t, s_t = 0.9, np.sqrt(1 - 0.81), 0.6, 0.8
    a_ts, var_ts = a_t / a_s, s_t ** 2 - (a_t / a_s) ** 2 * s_s ** 2
    mean, var = objectives.posterior(x_t, x0, a_s, s_s, a_t, s_t)
    lhs = probability.gaussian_log_prob(x_s, mean, jnp.log(var))
    rhs = (probability.gaussian_log_prob(x_t, a_ts * x_s, np.log(var_ts))
           + probability.gaussian_log_prob(x_s, a_s * x0, np.log(s_s ** 2))
           - probability.gaussian_log_prob(x_t, a_t * x0, np.log(s_t ** 2)))
    np.testing.assert_allclose(np.asarray(lhs), np.asarray(rhs), rtol=1e-10)


def test_forward_chain_has_the_closed_form_marginal():
  """T Monte-Carlo steps of q(x_t|x_{t-1}) from one x_0 have mean alpha_T x_0 and variance sigma_T^2."""
  betas = schedules.linear_betas(50, 1e-3, 0.1)
  x0, n = 1.5, 200_000
  keys = jax.random.split(jax.random.PRNGKey(1), 50)
  x = jnp.full((n,), x0)
  for t in range(50):
    x = jnp.sqrt(1 - betas[t]) * x + jnp.sqrt(betas[t]) * jax.random.normal(keys[t], (n,))
  alpha, sigma = schedules.alpha_sigma(schedules.discrete_gamma(betas)[-1])
  standard_error = float(sigma) / np.sqrt(n)
  assert abs(float(jnp.mean(x)) - float(alpha) * x0) < 4 * standard_error
  assert abs(float(jnp.var(x)) / float(sigma) ** 2 - 1) < 4 * np.sqrt(2 / n)


def test_closed_form_denoising_kl_matches_a_monte_carlo_kl():
  """L_{t-1} = KL(q(x_{t-1}|x_t,x_0) || p(x_{t-1}|x_t)) closed form vs E_q[log q - log p] over 400,000 draws."""
  key_x, key_m, key_s = jax.random.split(jax.random.PRNGKey(2), 3)
  x0, x_t = jax.random.normal(key_x, (2, 1, 3))
  model_mean = jax.random.normal(key_m, (1, 3))
  model_var = jnp.array([0.05, 0.1, 0.2])
  a_s, s_s, a_t, s_t = 0.95, np.sqrt(1 - 0.95 ** 2), 0.9, np.sqrt(1 - 0.81)
  closed = float(objectives.denoising_kl(x_t, x0, model_mean, model_var, a_s, s_s, a_t, s_t)[0])
  mean, var = objectives.posterior(x_t, x0, a_s, s_s, a_t, s_t)
  draws = mean + jnp.sqrt(var) * jax.random.normal(key_s, (400_000, 3))
  log_ratio = (probability.gaussian_log_prob(draws, mean, jnp.log(var))
               - probability.gaussian_log_prob(draws, model_mean, jnp.log(model_var)))
  standard_error = float(jnp.std(log_ratio)) / np.sqrt(draws.shape[0])
  assert abs(float(jnp.mean(log_ratio)) - closed) < 4 * standard_error, (closed, float(jnp.mean(log_ratio)))


def test_snr_weighted_kl_is_the_kl_with_the_data_estimate_plugged_in():
  """1/2 (SNR_s - SNR_t) ||x_0 - x_hat_0||^2 = KL(q(x_s|x_t,x_0) || q(x_s|x_t,x_hat_0)) (exact)."""
  with jax.enable_x64(True):
    x0, x0_hat, x_t = jax.random.normal(jax.random.PRNGKey(4), (3, 2, 4, 4, 1))
    gamma_s, gamma_t = jnp.array([-2.0, 0.5]), jnp.array([-1.0, 1.5])
    (a_s, s_s), (a_t, s_t) = schedules.alpha_sigma(gamma_s), schedules.alpha_sigma(gamma_t)
    mean, var = objectives.posterior(x_t, x0_hat, a_s, s_s, a_t, s_t)
    kl = objectives.denoising_kl(x_t, x0, mean, var, a_s, s_s, a_t, s_t)
    np.testing.assert_allclose(np.asarray(objectives.snr_weighted_kl(x0, x0_hat, gamma_s, gamma_t)),
                               np.asarray(kl), rtol=1e-10)


def test_discrete_sum_of_kl_terms_tends_to_the_continuous_loss():
  """sum_t 1/2 (SNR_{t-1} - SNR_t) ||x_0 - x_hat_0||^2 with x_hat_0 = x_0 - sigma_t/alpha_t d (an eps error d)
  tends to the integral of 1/2 gamma'(t) ||d||^2, VDM's L_inf, as T grows."""
  d2 = 3.0  # ||eps - eps_hat||^2
  gamma = lambda t: schedules.linear_gamma(t, -6.0, 6.0)
  continuous = float(objectives.continuous_diffusion_loss(jnp.ones((1, 3)), jnp.zeros((1, 3)), jnp.array([12.0]))[0])
  assert continuous == pytest.approx(0.5 * 12.0 * d2)
  times = jnp.linspace(0.0, 1.0, 4001)
  g = gamma(times)
  snr_weight = jnp.exp(-g[:-1]) - jnp.exp(-g[1:])
  discrete = jnp.sum(0.5 * snr_weight * d2 * jnp.exp(g[1:]))  # ||x0 - x0_hat||^2 = d2 sigma_t^2 / alpha_t^2
  assert float(discrete) == pytest.approx(continuous, rel=1e-2)


def test_decoders_are_probabilities_of_the_discrete_values():
  """Over all K levels the discretised Gaussian and VDM's categorical sum to 1; K = 2 VDM is a Bernoulli."""
  for num_levels in (2, 256):
    levels = objectives.data_levels(num_levels)[:, None]  # [K, 1]: one level per example
    mean = jnp.full((num_levels, 1), 0.3)
    total = jnp.sum(jnp.exp(objectives.discretized_gaussian_log_likelihood(levels, mean, jnp.log(0.2), num_levels)))
    assert float(total) == pytest.approx(1.0, abs=1e-5)
    total = jnp.sum(jnp.exp(objectives.vdm_decoder_log_likelihood(levels, mean, 0.9, 0.3, num_levels)))
    assert float(total) == pytest.approx(1.0, abs=1e-5)
  z0, alpha_0, sigma_0 = jnp.array([[0.2, -0.7]]), 0.95, 0.4
  bernoulli = probability.bernoulli_log_prob(jnp.array([[1.0, 0.0]]), 2 * alpha_0 * z0 / sigma_0 ** 2)
  vdm = objectives.vdm_decoder_log_likelihood(jnp.array([[1.0, -1.0]]), z0, alpha_0, sigma_0, 2)
  np.testing.assert_allclose(np.asarray(vdm), np.asarray(bernoulli), rtol=1e-5)


def test_schedules_properties():
  linear = schedules.linear_betas(1000)
  assert float(linear[0]) == pytest.approx(1e-4) and float(linear[-1]) == pytest.approx(0.02)
  for betas in (linear, schedules.cosine_betas(1000)):
    abar = schedules.alpha_bar(betas)
    assert bool(jnp.all(jnp.diff(abar) < 0)) and 0 < float(abar[-1]) < 1e-3 < 0.99 < float(abar[0])
    gamma = schedules.discrete_gamma(betas)
    assert bool(jnp.all(jnp.diff(gamma) > 0))
    alpha, sigma = schedules.alpha_sigma(gamma)
    np.testing.assert_allclose(np.asarray(alpha ** 2), np.asarray(abar), rtol=1e-4)
    np.testing.assert_allclose(np.asarray(alpha ** 2 + sigma ** 2), 1.0, rtol=1e-6)
    steps = jnp.arange(1, 1001) / 1000
    np.testing.assert_allclose(np.asarray(schedules.interpolated_gamma(steps, gamma)), np.asarray(gamma), rtol=1e-6)
  t = jnp.linspace(0, 1, 1001)[1:]
  f = lambda s: jnp.cos(0.5 * jnp.pi * (s + 0.008) / 1.008) ** 2
  cosine = schedules.alpha_bar(schedules.cosine_betas(1000))
  np.testing.assert_allclose(np.asarray(cosine[:900]), np.asarray((f(t) / f(0.0))[:900]), rtol=1e-3)


def test_learned_schedule_is_monotone_with_its_end_points_for_any_parameters():
  net = schedules.MonotoneNetwork(-10.0, 4.0, hidden=16)
  t = jnp.linspace(0.0, 1.0, 101)
  params = net.init(jax.random.PRNGKey(0), t)
  noisy = jax.tree.map(lambda p: p + 3.0 * jax.random.normal(jax.random.PRNGKey(1), p.shape), params)
  noisy = flax.core.unfreeze(noisy)
  noisy["params"]["gamma_span"] = jnp.asarray(-5.0)  # a tiny span: gamma_1 = gamma_0 + softplus(-5)
  for p in (params, noisy):
    gamma = net.apply(p, t)
    assert bool(jnp.all(jnp.diff(gamma) > 0))
    assert float(gamma[0]) == pytest.approx(float(p["params"]["gamma_0"]), abs=1e-4)
  assert float(net.apply(params, t)[-1]) == pytest.approx(4.0, abs=1e-4)
