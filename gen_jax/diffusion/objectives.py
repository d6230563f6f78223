"""Diffusion objectives: the forward marginal, the posterior, and the ELBO of the Markovian HVAE with a fixed
Gaussian encoder, in discrete time (DDPM) and continuous time (VDM).

Notation (see gen_jax.diffusion.schedules): q(x_t | x_0) = N(alpha_t x_0, sigma_t^2 I), gamma_t = -log SNR_t,
SNR_t = alpha_t^2 / sigma_t^2. The leading axis of every array is the batch; alpha, sigma, gamma are
per-example [B] (or scalars); per-example results are [B], summed over all other axes. With the encoder
fixed, the HVAE's ELBO regroups into KL terms (Sohl-Dickstein et al. 2015; Ho et al. 2020, eq. 5):

  -ELBO(x_0) = L_T + sum_{t=2..T} L_{t-1} + L_0,
  L_T     = KL(q(x_T | x_0) || p(x_T)),
  L_{t-1} = E_{q(x_t|x_0)} KL(q(x_{t-1} | x_t, x_0) || p(x_{t-1} | x_t)),
  L_0     = -E_{q(x_1|x_0)} log p(x_0 | x_1).
"""

import jax
import jax.numpy as jnp

from gen_jax import probability


def per_example(a: jax.Array, x: jax.Array) -> jax.Array:
  """A per-example [B] (or scalar) array reshaped to broadcast against x [B, ...].

  Example:
    >>> per_example(jnp.array([1.0, 2.0]), jnp.zeros((2, 3, 4))).shape
    (2, 1, 1)
  """
  a = jnp.asarray(a)
  return a.reshape(a.shape + (1,) * (x.ndim - a.ndim))


def flat(x: jax.Array) -> jax.Array:
  """[B, ...] -> [B, D].

  Example:
    >>> flat(jnp.zeros((2, 3, 4))).shape
    (2, 12)
  """
  return x.reshape(x.shape[0], -1)


def diffuse(x0: jax.Array, alpha: jax.Array, sigma: jax.Array, eps: jax.Array) -> jax.Array:
  """A draw of the forward marginal q(x_t | x_0) = N(alpha_t x_0, sigma_t^2 I): x_t = alpha_t x_0 + sigma_t eps.

  Args:
    x0: data [B, ...]; alpha, sigma: [B] or scalars; eps: N(0, I) noise like x0.

  Returns:
    x_t [B, ...].

  Reference: Ho et al., "Denoising Diffusion Probabilistic Models", NeurIPS 2020, eq. 4.

  Example:
    >>> diffuse(jnp.ones((1, 2)), jnp.array([0.5]), jnp.array([0.25]), jnp.ones((1, 2))).tolist()
    [[0.75, 0.75]]
  """
  return per_example(alpha, x0) * x0 + per_example(sigma, x0) * eps


def x0_from_eps(x_t: jax.Array, eps_hat: jax.Array, alpha: jax.Array, sigma: jax.Array) -> jax.Array:
  """The data estimate of an epsilon-prediction: x_hat_0 = (x_t - sigma_t eps_hat) / alpha_t.

  Example:
    >>> x0_from_eps(jnp.array([[0.75]]), jnp.array([[1.0]]), 0.5, 0.25).tolist()
    [[1.0]]
  """
  return (x_t - per_example(sigma, x_t) * eps_hat) / per_example(alpha, x_t)


def posterior(x_t: jax.Array, x0: jax.Array, alpha_s: jax.Array, sigma_s: jax.Array, alpha_t: jax.Array,
              sigma_t: jax.Array) -> tuple[jax.Array, jax.Array]:
  """The reverse step of the fixed encoder, q(x_s | x_t, x_0) = N(mu, v I) for s < t:

    alpha_{t|s} = alpha_t / alpha_s,  sigma_{t|s}^2 = sigma_t^2 - alpha_{t|s}^2 sigma_s^2,
    mu = (alpha_{t|s} sigma_s^2 x_t + alpha_s sigma_{t|s}^2 x_0) / sigma_t^2,
    v  = sigma_{t|s}^2 sigma_s^2 / sigma_t^2.

  With s = t - 1 this is DDPM's eq. 7 (sigma_{t|t-1}^2 = beta_t, v = beta_tilde_t).

  Args:
    x_t, x0: [B, ...]; alpha_s, sigma_s, alpha_t, sigma_t: [B] or scalars.

  Returns:
    (mu [B, ...], v broadcastable to [B, ...]).

  Reference: Kingma et al., "Variational Diffusion Models", NeurIPS 2021, eqs. 3-6.

  Example:
    >>> a_s, s_s = jnp.sqrt(0.9), jnp.sqrt(0.1)   # q(x_1|x_0): beta_1 = 0.1
    >>> a_t, s_t = jnp.sqrt(0.45), jnp.sqrt(0.55)  # beta_2 = 0.5
    >>> mean, var = posterior(jnp.zeros((1, 1)), jnp.ones((1, 1)), a_s, s_s, a_t, s_t)
    >>> round(float(var[0, 0]), 6)  # beta_tilde_2 = (1 - 0.9) / (1 - 0.45) * 0.5
    0.090909
  """
  a_s, s_s, a_t, s_t = (per_example(v, x_t) for v in (alpha_s, sigma_s, alpha_t, sigma_t))
  alpha_ts = a_t / a_s
  var_ts = jnp.square(s_t) - jnp.square(alpha_ts * s_s)
  mean = (alpha_ts * jnp.square(s_s) * x_t + a_s * var_ts * x0) / jnp.square(s_t)
  return mean, var_ts * jnp.square(s_s) / jnp.square(s_t)


def prior_kl(x0: jax.Array, alpha_T: jax.Array, sigma_T: jax.Array) -> jax.Array:
  """L_T = KL(q(x_T | x_0) || N(0, I)) = 1/2 sum_i (sigma_T^2 + alpha_T^2 x_{0,i}^2 - 1 - log sigma_T^2): [B].

  Example:
    >>> float(prior_kl(jnp.zeros((1, 3)), 0.0, 1.0)[0])
    0.0
  """
  mean = flat(per_example(alpha_T, x0) * x0)
  log_var = jnp.broadcast_to(flat(per_example(2.0 * jnp.log(sigma_T), x0) + jnp.zeros_like(x0)), mean.shape)
  return probability.kl_standard_normal(mean, log_var)


def denoising_kl(x_t: jax.Array, x0: jax.Array, model_mean: jax.Array, model_var: jax.Array,
                 alpha_s: jax.Array, sigma_s: jax.Array, alpha_t: jax.Array, sigma_t: jax.Array) -> jax.Array:
  """L_{t-1} at one x_t: KL(q(x_s | x_t, x_0) || N(model_mean, diag model_var)), s = t - 1: [B].

  Args:
    x_t, x0, model_mean: [B, ...]; model_var: broadcastable to them (p's variance);
    alpha_s, sigma_s, alpha_t, sigma_t: [B] or scalars.

  Reference: Ho et al. 2020, eq. 5 (L_{t-1}).

  Example:
    >>> x = jnp.ones((1, 2))
    >>> mean, var = posterior(x, x, 0.9, 0.4, 0.8, 0.6)
    >>> abs(float(denoising_kl(x, x, mean, var, 0.9, 0.4, 0.8, 0.6)[0])) < 1e-6  # p = q: no loss
    True
  """
  mean, var = posterior(x_t, x0, alpha_s, sigma_s, alpha_t, sigma_t)
  log_var = lambda v: flat(jnp.broadcast_to(jnp.log(v), x_t.shape))
  return probability.kl_diag_gaussians(flat(mean), log_var(var), flat(model_mean), log_var(model_var))


def snr_weighted_kl(x0: jax.Array, x0_hat: jax.Array, gamma_s: jax.Array, gamma_t: jax.Array) -> jax.Array:
  """L_{t-1} when p(x_s | x_t) = q(x_s | x_t, x_0 = x_hat_0), the posterior with the data estimate plugged in:

    L_{t-1} = 1/2 (SNR_s - SNR_t) ||x_0 - x_hat_0||^2,  SNR = exp(-gamma).

  Args:
    x0, x0_hat: [B, ...]; gamma_s < gamma_t: [B] or scalars.

  Reference: Kingma et al. 2021, eq. 13.

  Example:
    >>> float(snr_weighted_kl(jnp.ones((1, 2)), jnp.zeros((1, 2)), 0.0, jnp.log(2.0))[0])  # (1 - 1/2) / 2 * 2
    0.5
  """
  weight = jnp.exp(-jnp.asarray(gamma_s)) - jnp.exp(-jnp.asarray(gamma_t))
  return 0.5 * per_example(weight, x0[:, 0]).reshape(-1) * jnp.sum(jnp.square(flat(x0 - x0_hat)), axis=-1)


def simple_loss(eps: jax.Array, eps_hat: jax.Array) -> jax.Array:
  """DDPM's L_simple at one (t, eps): ||eps - eps_theta(x_t, t)||^2 (the ELBO's L_{t-1} without its weight): [B].

  Reference: Ho et al. 2020, eq. 14.

  Example:
    >>> float(simple_loss(jnp.ones((1, 3)), jnp.zeros((1, 3)))[0])
    3.0
  """
  return jnp.sum(jnp.square(flat(eps - eps_hat)), axis=-1)


def discrete_nll_bound(prior_term: jax.Array, step_terms: jax.Array, reconstruction_term: jax.Array) -> jax.Array:
  """-ELBO = L_T + sum_{t=2..T} L_{t-1} + L_0, from L_T [B], the L_{t-1} [T - 1, B] and L_0 [B]: [B].

  Example:
    >>> discrete_nll_bound(jnp.array([1.0]), jnp.array([[0.5], [0.25]]), jnp.array([2.0])).tolist()
    [3.75]
  """
  return prior_term + jnp.sum(step_terms, axis=0) + reconstruction_term


def continuous_diffusion_loss(eps: jax.Array, eps_hat: jax.Array, dgamma_dt: jax.Array) -> jax.Array:
  """VDM's T -> infinity diffusion loss at one t ~ U(0, 1):

    L_inf = 1/2 E_{t, eps} [gamma'(t) ||eps - eps_theta(x_t, t)||^2]  (unbiased for one draw of t, eps): [B].

  Args:
    eps, eps_hat: [B, ...]; dgamma_dt: gamma'(t) [B].

  Reference: Kingma et al. 2021, eq. 17.

  Example:
    >>> float(continuous_diffusion_loss(jnp.ones((1, 2)), jnp.zeros((1, 2)), jnp.array([3.0]))[0])
    3.0
  """
  return 0.5 * dgamma_dt * simple_loss(eps, eps_hat)


def low_discrepancy_times(key: jax.Array, index: jax.Array, total: int) -> jax.Array:
  """Times covering [0, 1) evenly with one shared uniform: t_i = (u + i / N) mod 1, u ~ U(0, 1), for the
  example indices i [n] of a batch of N (each t_i is U(0, 1), so the loss stays unbiased, and its variance
  over the batch drops; give every device its examples' global indices): [n].

  Reference: Kingma et al. 2021, appendix I.1.

  Example:
    >>> t = low_discrepancy_times(jax.random.PRNGKey(0), jnp.arange(4), 4)
    >>> [round(float(d), 4) for d in jnp.diff(jnp.sort(t))]
    [0.25, 0.25, 0.25]
  """
  u = jax.random.uniform(key, ())
  return jnp.mod(u + index / total, 1.0)


def data_levels(num_levels: int) -> jax.Array:
  """The num_levels values of discrete data mapped to [-1, 1]: v_k = -1 + 2k / (K - 1): [K].

  Example:
    >>> data_levels(3).tolist()
    [-1.0, 0.0, 1.0]
  """
  return jnp.linspace(-1.0, 1.0, num_levels)


def discretized_gaussian_log_likelihood(x: jax.Array, mean: jax.Array, log_scale: jax.Array,
                                        num_levels: int) -> jax.Array:
  """DDPM's decoder for K-level data in [-1, 1]: log p(x_0 | x_1) = sum_i log int_{bin(x_i)} N(u; mu_i, s_i^2) du,

  bins of width 2 / (K - 1) centred on the levels, the outer ones extended to -inf and +inf,
  so it is a probability of the discrete data (K = 2: binary pixels; K = 256: 8-bit images).

  Args:
    x: data on the levels of `data_levels(num_levels)`, [B, ...]; mean, log_scale: broadcastable to x.

  Returns:
    [B] (nats).

  Reference: Ho et al. 2020, eq. 13.

  Example:
    >>> x = jnp.array([[-1.0, 1.0]])
    >>> float(jnp.exp(discretized_gaussian_log_likelihood(x, jnp.zeros((1, 2)), 0.0, 2)[0]))  # 1/2 * 1/2
    0.25
  """
  half_bin = 1.0 / (num_levels - 1)
  inv_scale = jnp.exp(-log_scale)
  upper = jnp.where(x > 1.0 - half_bin, jnp.inf, (x + half_bin - mean) * inv_scale)
  lower = jnp.where(x < -1.0 + half_bin, -jnp.inf, (x - half_bin - mean) * inv_scale)
  # log(Phi(b) - Phi(a)) computed on the side of the bin away from the tail, for stability.
  flip = (lower + upper) > 0
  a, b = jnp.where(flip, -upper, lower), jnp.where(flip, -lower, upper)
  log_mass = jax.scipy.special.log_ndtr(b) + jnp.log(-jnp.expm1(jax.scipy.special.log_ndtr(a)
                                                                  - jax.scipy.special.log_ndtr(b)) + 1e-30)
  return jnp.sum(flat(log_mass), axis=-1)


def vdm_decoder_log_likelihood(x: jax.Array, z0: jax.Array, alpha_0: jax.Array, sigma_0: jax.Array,
                               num_levels: int) -> jax.Array:
  """VDM's decoder p(x | z_0) = prod_i Categorical(x_i; softmax_k(-(z_{0,i} - alpha_0 v_k)^2 / (2 sigma_0^2))),

  over the K levels v_k of `data_levels` (K = 2 on {-1, 1}: a Bernoulli with logit
  2 alpha_0 z_0 / sigma_0^2), a probability of the discrete data.

  Args:
    x: data on the levels, [B, ...]; z0: the latent at t = 0, like x; alpha_0, sigma_0: [B] or scalars.

  Returns:
    [B] (nats).

  Reference: Kingma et al. 2021, appendix C.

  Example:
    >>> float(vdm_decoder_log_likelihood(jnp.ones((1, 1)), jnp.zeros((1, 1)), 1.0, 1.0, 2)[0])  # log 1/2
    -0.6931471824645996
  """
  levels = data_levels(num_levels)  # [K]
  a, s = per_example(alpha_0, z0)[..., None], per_example(sigma_0, z0)[..., None]
  logits = -0.5 * jnp.square(z0[..., None] - a * levels) / jnp.square(s)  # [B, ..., K]
  index = jnp.round((x + 1.0) * (num_levels - 1) / 2.0).astype(jnp.int32)
  log_p = jnp.take_along_axis(jax.nn.log_softmax(logits, axis=-1), index[..., None], axis=-1)[..., 0]
  return jnp.sum(flat(log_p), axis=-1)
