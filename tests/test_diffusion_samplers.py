"""Diffusion samplers with the exact noise prediction of Gaussian data: DDIM's determinism and its eta = 1 case,
the moments of the samples, and the probability-flow ODE's exact log-likelihood."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gen_jax import probability
from gen_jax.diffusion import samplers, schedules

MEAN, STD = 1.0, 0.5  # data N(MEAN, STD^2 I)


def gaussian_eps(gamma_fn):
  """The exact eps_theta for data N(m, s^2 I): eps = sigma_t (x - alpha_t m) / (alpha_t^2 s^2 + sigma_t^2)."""
  def eps_fn(x, t):
    alpha, sigma = schedules.alpha_sigma(gamma_fn(t))
    return sigma * (x - alpha * MEAN) / (jnp.square(alpha * STD) + jnp.square(sigma))
  return eps_fn


def ddpm_grid(num_steps: int = 200):
  """A DDPM's gamma_t, and its sampling grid with t = 0 (alpha 1, sigma 0) in front."""
  gammas = schedules.discrete_gamma(schedules.linear_betas(num_steps, 1e-4, 0.1))
  alpha, sigma = schedules.alpha_sigma(gammas)
  times = jnp.arange(num_steps + 1) / num_steps
  return gammas, times, jnp.concatenate([jnp.ones(1), alpha]), jnp.concatenate([jnp.zeros(1), sigma])


@pytest.fixture(scope="module")
def setting():
  gammas, times, alphas, sigmas = ddpm_grid()
  eps_fn = gaussian_eps(lambda t: schedules.interpolated_gamma(t, gammas))
  x_T = jax.random.normal(jax.random.PRNGKey(0), (4000, 2))
  return eps_fn, x_T, times, alphas, sigmas


def test_ddim_with_eta_zero_ignores_the_key_and_eta_one_is_ancestral_sampling(setting):
  eps_fn, x_T, times, alphas, sigmas = setting
  run = jax.jit(lambda key, eta: samplers.ddim_sample(eps_fn, key, x_T, times, alphas, sigmas, eta))
  a, b = run(jax.random.PRNGKey(1), 0.0), run(jax.random.PRNGKey(2), 0.0)
  np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
  ancestral = jax.jit(lambda key: samplers.ancestral_sample(eps_fn, key, x_T, times, alphas, sigmas))
  np.testing.assert_allclose(np.asarray(run(jax.random.PRNGKey(1), 1.0)), np.asarray(ancestral(jax.random.PRNGKey(1))),
                             atol=1e-4)
  assert not np.allclose(np.asarray(a), np.asarray(ancestral(jax.random.PRNGKey(1))), atol=1e-2)


@pytest.mark.parametrize("sampler", ["ancestral", "ddim_50_steps"])
def test_samples_of_gaussian_data_have_its_moments(setting, sampler):
  eps_fn, x_T, times, alphas, sigmas = setting
  if sampler == "ancestral":
    x = samplers.ancestral_sample(eps_fn, jax.random.PRNGKey(3), x_T, times, alphas, sigmas)
  else:
    every = slice(None, None, 4)  # 50 of the 200 steps
    x = samplers.ddim_sample(eps_fn, jax.random.PRNGKey(3), x_T, times[every], alphas[every], sigmas[every], 0.0)
  n = x.shape[0]
  assert np.all(np.abs(np.asarray(jnp.mean(x, 0)) - MEAN) < 4 * STD / np.sqrt(n) + 0.01)
  assert np.all(np.abs(np.asarray(jnp.std(x, 0)) / STD - 1) < 4 * np.sqrt(0.5 / n) + 0.02)


def test_path_ends_at_the_sample(setting):
  eps_fn, x_T, times, alphas, sigmas = setting
  x, path = samplers.ancestral_sample(eps_fn, jax.random.PRNGKey(3), x_T[:5], times, alphas, sigmas, return_path=True)
  assert path.shape == (200, 5, 2)
  np.testing.assert_array_equal(np.asarray(path[-1]), np.asarray(x))


def test_ode_log_likelihood_of_gaussian_data_is_exact_and_hutchinson_agrees():
  """With the exact eps of N(m, s^2 I) the ODE maps the data to ~N(0, I) at gamma(1) = 16 and its
  log-likelihood is log N(x; m, s^2 I) (p_1 = N(alpha_1 m, ~I) against N(0, I): an error ~alpha_1 m x_1 < 1e-3);
  the Jacobian is a multiple of I,
  so Hutchinson's estimate with a Rademacher probe equals the exact trace."""
  gamma_fn = lambda t: schedules.linear_gamma(t, -12.0, 16.0)
  eps_fn = gaussian_eps(gamma_fn)
  x = MEAN + STD * jax.random.normal(jax.random.PRNGKey(4), (6, 2))
  exact = samplers.ode_log_likelihood(eps_fn, gamma_fn, x, 0.0)
  truth = probability.gaussian_log_prob(x, MEAN, jnp.log(STD ** 2))
  np.testing.assert_allclose(np.asarray(exact), np.asarray(truth), atol=2e-3)
  probe = jax.random.rademacher(jax.random.PRNGKey(5), x.shape).astype(x.dtype)
  np.testing.assert_allclose(np.asarray(samplers.ode_log_likelihood(eps_fn, gamma_fn, x, 0.0, probe)),
                             np.asarray(exact), atol=1e-4)
  samples = samplers.ode_sample(eps_fn, gamma_fn, jax.random.normal(jax.random.PRNGKey(6), (4000, 2)), 0.0)
  assert np.all(np.abs(np.asarray(jnp.mean(samples, 0)) - MEAN) < 0.05)
  assert np.all(np.abs(np.asarray(jnp.std(samples, 0)) / STD - 1) < 0.05)
