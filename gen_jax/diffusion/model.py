"""A diffusion model as the losses, samplers, evaluation and pictures see it: a noise-prediction network, a
schedule gamma(t) and the data's discreteness.

Parameters are {'score': eps_theta's} plus {'gamma': ...} for VDM's learned schedule. The model works
in a space where images lie in [-1, 1] (x' = 2 (x - lo) / (hi - lo) - 1 on the data's value range) and
2-D points are used as they are. Time t in [0, 1]: a DDPM's step i of T is t = i / T.
"""

import dataclasses
import functools

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.diffusion import objectives, samplers, schedules
from gen_jax.train import parallel

SAMPLERS = ("ancestral", "ddim", "ode")


@dataclasses.dataclass(frozen=True)
class Diffusion:
  """Network, schedule and data facts of a 'ddpm' or 'vdm' model.

  Attributes:
    net: eps_theta module, (x [B, ...], t [B]) -> [B, ...].
    example_shape: shape of one example.
    value_range: (lo, hi) of the data (images are mapped to [-1, 1]; points are not).
    num_levels: K values per pixel of discrete data (2: binarized, 256: 8 bits); 0 = continuous.
    discrete_gammas: DDPM's gamma_t [T] (None for VDM).
    gamma_net: VDM's learned schedule (None: fixed).
    gamma_min, gamma_max: VDM's fixed linear schedule.
  """

  net: nn.Module
  example_shape: tuple
  value_range: tuple
  num_levels: int
  discrete_gammas: jax.Array | None = None
  gamma_net: nn.Module | None = None
  gamma_min: float = -13.3
  gamma_max: float = 5.0

  @property
  def is_discrete_time(self) -> bool:
    return self.discrete_gammas is not None

  @property
  def num_steps(self) -> int:
    """T of a DDPM."""
    return int(self.discrete_gammas.shape[0])

  @property
  def t_min(self) -> float:
    """The clean end of the continuous time: 1 / T for a DDPM (its x_1), 0 for VDM."""
    return 1.0 / self.num_steps if self.is_discrete_time else 0.0

  def init(self, key: jax.Array) -> dict:
    x = jnp.zeros((2,) + tuple(self.example_shape), jnp.float32)
    params = {"score": self.net.init(key, x, jnp.zeros((2,)))["params"]}
    if self.gamma_net is not None:
      params["gamma"] = self.gamma_net.init(jax.random.fold_in(key, 1), jnp.zeros((2,)))["params"]
    return params

  def gamma(self, params: dict, t: jax.Array) -> jax.Array:
    """gamma(t) = -log SNR(t), elementwise."""
    if self.is_discrete_time:
      return schedules.interpolated_gamma(t, self.discrete_gammas)
    if self.gamma_net is not None:
      return self.gamma_net.apply({"params": params["gamma"]}, t)
    return schedules.linear_gamma(t, self.gamma_min, self.gamma_max)

  def eps(self, params: dict, x: jax.Array, t: jax.Array, dropout_keys: jax.Array | None = None) -> jax.Array:
    """eps_theta(x, t) for x [B, ...] and t a scalar or [B]; with `dropout_keys` [B] (training) the U-Net's
    dropout is on."""
    t = jnp.broadcast_to(jnp.asarray(t, x.dtype), x.shape[:1])
    extra = {} if dropout_keys is None else {"dropout_keys": dropout_keys}
    return self.net.apply({"params": params["score"]}, x, t, **extra)

  def dropout_keys(self, key: jax.Array, local_batch: int) -> jax.Array | None:
    """One dropout key per example from their global index (`parallel.example_keys`: the same masks on any
    device count), or None when the network has no dropout. Call inside the training step's shard_map."""
    if not getattr(self.net, "dropout", 0.0):
      return None
    return parallel.example_keys(key, local_batch)

  def to_model_space(self, x: jax.Array) -> jax.Array:
    if not self.num_levels:
      return x
    lo, hi = self.value_range
    return 2.0 * (x - lo) / (hi - lo) - 1.0

  def to_data_space(self, x: jax.Array) -> jax.Array:
    if not self.num_levels:
      return x
    lo, hi = self.value_range
    return lo + (jnp.clip(x, -1.0, 1.0) + 1.0) * (hi - lo) / 2.0

  def grid(self, params: dict, num_steps: int) -> tuple[jax.Array, jax.Array, jax.Array]:
    """(times, alphas, sigmas) [K + 1] of a K-step sampling grid: a DDPM's K <= T of its own steps
    (rounded to integers), with alpha = 1, sigma = 0 at t = 0; VDM's K + 1 even times in [0, 1]."""
    if self.is_discrete_time:
      steps = jnp.round(jnp.linspace(0, self.num_steps, num_steps + 1)).astype(jnp.int32)  # [K + 1]
      alpha, sigma = schedules.alpha_sigma(self.discrete_gammas)
      alphas = jnp.concatenate([jnp.ones(1), alpha])[steps]
      sigmas = jnp.concatenate([jnp.zeros(1), sigma])[steps]
      return steps / self.num_steps, alphas, sigmas
    times = jnp.linspace(0.0, 1.0, num_steps + 1)
    alphas, sigmas = schedules.alpha_sigma(self.gamma(params, times))
    return times, alphas, sigmas

  def decoder_mean(self, params: dict, z0: jax.Array) -> jax.Array:
    """E[x | z_0] in model space: VDM's decoder mean for discrete data, else z_0 / alpha_0 (DDPM: z_0 = x_hat_0)."""
    if self.is_discrete_time:
      return z0
    alpha_0, sigma_0 = schedules.alpha_sigma(self.gamma(params, jnp.zeros(())))
    if not self.num_levels:
      return z0 / alpha_0
    levels = objectives.data_levels(self.num_levels)  # [K]
    logits = -0.5 * jnp.square(z0[..., None] - alpha_0 * levels) / jnp.square(sigma_0)
    return jnp.sum(jax.nn.softmax(logits, axis=-1) * levels, axis=-1)

  def sample(self, params: dict, key: jax.Array, n: int, sampler: str, num_steps: int, eta: float = 1.0,
             return_path: bool = False):
    """n samples in data space (and, with return_path, the reverse path [K, n, ...] in model space)."""
    noise_key, step_key = jax.random.split(key)
    x_1 = jax.random.normal(noise_key, (n,) + tuple(self.example_shape))
    eps_fn = lambda x, t: self.eps(params, x, t)
    path = None
    if sampler == "ode":
      z0 = samplers.ode_sample(eps_fn, lambda t: self.gamma(params, t), x_1, self.t_min)
    else:
      times, alphas, sigmas = self.grid(params, num_steps)
      run = samplers.ancestral_sample if sampler == "ancestral" else functools.partial(samplers.ddim_sample,
                                                                                        eta=eta)
      z0 = run(eps_fn, step_key, x_1, times, alphas, sigmas, return_path=return_path)
      if return_path:
        z0, path = z0
    x = self.to_data_space(self.decoder_mean(params, z0))
    return (x, path) if return_path else x

  def nll_bound(self, params: dict, x: jax.Array, key: jax.Array, num_times: int) -> tuple[jax.Array, dict]:
    """-ELBO(x) [B] (nats) of discrete data x in data space, with the diffusion term estimated at num_times
    stratified times per example, and its parts {'prior', 'diffusion', 'reconstruction'} [B]:

      DDPM: L_T + (T - 1) mean_k L_{t_k - 1} + L_0, t_k in {2..T};  VDM: L_T + mean_k L_inf(t_k) + L_0.
    """
    x0 = self.to_model_space(x)
    b = x0.shape[0]
    prior_key, time_key, noise_key, zero_key = jax.random.split(key, 4)
    gamma_1 = self.gamma(params, jnp.ones(()))
    prior = objectives.prior_kl(x0, *schedules.alpha_sigma(gamma_1))
    u = objectives.low_discrepancy_times(time_key, jnp.arange(num_times), num_times)  # [K]

    def diffusion_term(u_k, k):
      eps = jax.random.normal(jax.random.fold_in(noise_key, k), x0.shape)
      if self.is_discrete_time:
        step = 2 + jnp.floor(u_k * (self.num_steps - 1)).astype(jnp.int32)  # uniform on {2..T}
        gamma_t, gamma_s = self.discrete_gammas[step - 1], self.discrete_gammas[step - 2]
        alpha, sigma = schedules.alpha_sigma(gamma_t)
        x_t = objectives.diffuse(x0, alpha, sigma, eps)
        x0_hat = objectives.x0_from_eps(x_t, self.eps(params, x_t, step / self.num_steps), alpha, sigma)
        return (self.num_steps - 1) * objectives.snr_weighted_kl(x0, x0_hat, gamma_s, gamma_t)
      return self.continuous_term(params, x0, jnp.full((b,), u_k), eps)

    diffusion = jnp.mean(jax.vmap(diffusion_term)(u, jnp.arange(num_times)), axis=0)  # [B]
    reconstruction = -self.reconstruction_log_likelihood(params, x0, jax.random.normal(zero_key, x0.shape))
    return prior + diffusion + reconstruction, {"prior": prior, "diffusion": diffusion,
                                                "reconstruction": reconstruction}

  def continuous_term(self, params: dict, x0: jax.Array, t: jax.Array, eps: jax.Array,
                      dropout_keys: jax.Array | None = None) -> jax.Array:
    """VDM's L_inf at times t [B] and noise eps: 1/2 gamma'(t) ||eps - eps_theta(x_t, t)||^2, [B]."""
    gamma, dgamma = jax.jvp(lambda s: self.gamma(params, s), (t,), (jnp.ones_like(t),))
    alpha, sigma = schedules.alpha_sigma(gamma)
    x_t = objectives.diffuse(x0, alpha, sigma, eps)
    return objectives.continuous_diffusion_loss(eps, self.eps(params, x_t, t, dropout_keys), dgamma)

  def reconstruction_log_likelihood(self, params: dict, x0: jax.Array, eps: jax.Array) -> jax.Array:
    """log p(x_0 | x_1) at the draw x_1 = alpha_1 x_0 + sigma_1 eps [B]: DDPM's discretised Gaussian (mean
    x_hat_0, scale sigma_1) or VDM's categorical decoder of z_0 (VDM's x_1 is z_0)."""
    if self.is_discrete_time:
      alpha, sigma = schedules.alpha_sigma(self.discrete_gammas[0])
      x_1 = objectives.diffuse(x0, alpha, sigma, eps)
      x0_hat = objectives.x0_from_eps(x_1, self.eps(params, x_1, 1.0 / self.num_steps), alpha, sigma)
      return objectives.discretized_gaussian_log_likelihood(x0, x0_hat, jnp.log(sigma), self.num_levels)
    alpha_0, sigma_0 = schedules.alpha_sigma(self.gamma(params, jnp.zeros(())))
    z0 = objectives.diffuse(x0, alpha_0, sigma_0, eps)
    return objectives.vdm_decoder_log_likelihood(x0, z0, alpha_0, sigma_0, self.num_levels)

  def ode_log_likelihood(self, params: dict, x: jax.Array, probe: jax.Array | None = None) -> jax.Array:
    """log p(x) [B] of the probability-flow ODE for continuous data (exact trace when probe is None)."""
    return samplers.ode_log_likelihood(lambda y, t: self.eps(params, y, t), lambda t: self.gamma(params, t), x,
                                       self.t_min, probe)
