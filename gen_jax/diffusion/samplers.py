"""Samplers of the reverse process and the probability-flow ODE's exact log-likelihood.

`eps_fn(x, t) -> eps_hat` is the trained noise prediction for a batch x [B, ...] at one time t (a scalar
array; discrete step t of T is t / T). A sampling grid is `times` [K + 1] increasing, with the
schedule's `alphas`, `sigmas` [K + 1] at those times; times[0] is the clean end (DDPM: t = 0 with
alpha = 1, sigma = 0) and times[K] the noise end. Each sampler is a `lax.scan` over the K steps (jit it
once around the call). The ODE takes the continuous schedule `gamma_fn(t)` (scalar -> scalar).
"""

import diffrax
import jax
import jax.numpy as jnp

from gen_jax.diffusion import objectives
from gen_jax.diffusion.schedules import alpha_sigma


def _reverse_steps(step_fn, x_T: jax.Array, times: jax.Array, alphas: jax.Array, sigmas: jax.Array,
                   key: jax.Array, return_path: bool):
  """Scan step_fn(x_t, eps_hat, (alpha_s, sigma_s, alpha_t, sigma_t), key, t) from times[K] down to times[0]."""
  grid = (times[1:], alphas[:-1], sigmas[:-1], alphas[1:], sigmas[1:], jax.random.split(key, times.shape[0] - 1))

  def body(x, inputs):
    t, a_s, s_s, a_t, s_t, k = inputs
    x = step_fn(x, (a_s, s_s, a_t, s_t), k, t)
    return x, x if return_path else None

  x, path = jax.lax.scan(body, x_T, jax.tree.map(lambda a: a[::-1], grid))
  return (x, path) if return_path else x


def ancestral_sample(eps_fn, key: jax.Array, x_T: jax.Array, times: jax.Array, alphas: jax.Array,
                     sigmas: jax.Array, return_path: bool = False):
  """Ancestral sampling of the Markovian HVAE's decoder, x_s ~ p(x_s | x_t) = q(x_s | x_t, x_hat_0),

    x_hat_0 = (x_t - sigma_t eps_theta(x_t, t)) / alpha_t,   x_s = mu(x_t, x_hat_0) + sqrt(v) z,  z ~ N(0, I),

  (mu, v of `objectives.posterior`; DDPM's algorithm 2 with sigma_t^2 = beta_tilde_t) down the grid.

  Args:
    eps_fn: (x [B, ...], t []) -> [B, ...]. key: noise of the steps. x_T: [B, ...] start, N(0, I).
    times, alphas, sigmas: the grid [K + 1] (see module doc). return_path: also return every x_s.

  Returns:
    x at times[0], [B, ...] (and the path [K, B, ...], from times[K-1] down to times[0]).

  Reference: Ho et al., "Denoising Diffusion Probabilistic Models", NeurIPS 2020, algorithm 2.

  Example:
    >>> eps_fn = lambda x, t: jnp.zeros_like(x)  # the model's guess x_hat_0 = x_t / alpha_t
    >>> times = jnp.linspace(0.0, 1.0, 11); alphas = jnp.sqrt(1 - times ** 2 * 0.99); sigmas = jnp.sqrt(1 - alphas ** 2)
    >>> x = ancestral_sample(eps_fn, jax.random.PRNGKey(0), jnp.ones((4, 2)), times, alphas, sigmas)
    >>> x.shape
    (4, 2)
  """
  def step(x, schedule, k, t):
    a_s, s_s, a_t, s_t = schedule
    mean, var = objectives.posterior(x, objectives.x0_from_eps(x, eps_fn(x, t), a_t, s_t), a_s, s_s, a_t, s_t)
    return mean + jnp.sqrt(var) * jax.random.normal(k, x.shape, x.dtype)

  return _reverse_steps(step, x_T, times, alphas, sigmas, key, return_path)


def ddim_sample(eps_fn, key: jax.Array, x_T: jax.Array, times: jax.Array, alphas: jax.Array, sigmas: jax.Array,
                eta: float = 0.0, return_path: bool = False):
  """DDIM on any grid (any number of steps of the trained schedule):

    x_s = alpha_s x_hat_0 + sqrt(sigma_s^2 - c^2) eps_hat + c z,
    c = eta sqrt(sigma_s^2 / sigma_t^2 (1 - alpha_t^2 / alpha_s^2)),   z ~ N(0, I);

  eta = 0 is deterministic (an ODE discretisation), eta = 1 is `ancestral_sample` (same draws).

  Args:
    as `ancestral_sample`; eta in [0, 1] (may be a traced array).

  Returns:
    as `ancestral_sample`.

  Reference: Song, Meng, Ermon, "Denoising Diffusion Implicit Models", ICLR 2021, eqs. 12 and 16.

  Example:
    >>> eps_fn = lambda x, t: 0.1 * x
    >>> times = jnp.linspace(0.0, 1.0, 6); alphas = jnp.sqrt(1 - times * 0.99); sigmas = jnp.sqrt(times * 0.99)
    >>> a = ddim_sample(eps_fn, jax.random.PRNGKey(0), jnp.ones((2, 3)), times, alphas, sigmas)
    >>> b = ddim_sample(eps_fn, jax.random.PRNGKey(1), jnp.ones((2, 3)), times, alphas, sigmas)
    >>> bool(jnp.all(a == b))  # eta = 0: the noise key does not matter
    True
  """
  def step(x, schedule, k, t):
    a_s, s_s, a_t, s_t = schedule
    eps_hat = eps_fn(x, t)
    x0_hat = objectives.x0_from_eps(x, eps_hat, a_t, s_t)
    c = eta * jnp.sqrt(jnp.square(s_s / s_t) * (1.0 - jnp.square(a_t / a_s)))
    return a_s * x0_hat + jnp.sqrt(jnp.square(s_s) - jnp.square(c)) * eps_hat + c * jax.random.normal(k, x.shape,
                                                                                                     x.dtype)

  return _reverse_steps(step, x_T, times, alphas, sigmas, key, return_path)


def probability_flow_drift(eps_fn, gamma_fn, x: jax.Array, t: jax.Array) -> jax.Array:
  """The probability-flow ODE of the variance-preserving diffusion with log-SNR -gamma(t):

    dx/dt = 1/2 gamma'(t) (sigma_t eps_theta(x, t) - sigma_t^2 x),   sigma_t^2 = sigmoid(gamma(t))

  (f x - g^2 score / 2 with f = d log alpha_t / dt, g^2 = sigma_t^2 gamma'(t), score = -eps / sigma_t).

  Reference: Song et al., "Score-Based Generative Modeling through SDEs", ICLR 2021, eq. 13.

  Example:
    >>> drift = probability_flow_drift(lambda x, t: jnp.zeros_like(x), lambda t: 2.0 * t, jnp.ones((1, 1)), 0.0)
    >>> round(float(drift[0, 0]), 4)  # gamma' = 2, sigma^2 = 1/2: -(1/2) x
    -0.5
  """
  gamma, dgamma = jax.jvp(gamma_fn, (jnp.asarray(t, x.dtype),), (jnp.ones((), x.dtype),))
  _, sigma = alpha_sigma(gamma)
  return 0.5 * dgamma * (sigma * eps_fn(x, t) - jnp.square(sigma) * x)


def _solve(vector_field, y0, t0: float, t1: float, rtol: float, atol: float):
  """diffrax Tsit5 with an adaptive step from t0 to t1; the state at t1."""
  solution = diffrax.diffeqsolve(diffrax.ODETerm(lambda t, y, args: vector_field(t, y)), diffrax.Tsit5(), t0, t1,
                                 dt0=(t1 - t0) / 50, y0=y0,
                                 stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
                                 max_steps=4096)
  return jax.tree.map(lambda a: a[0], solution.ys)


def ode_sample(eps_fn, gamma_fn, x_1: jax.Array, t_min: float, rtol: float = 1e-5, atol: float = 1e-5) -> jax.Array:
  """Deterministic samples: the probability-flow ODE (`probability_flow_drift`) solved from t = 1 to t_min.

  Args:
    x_1: [B, ...] draws of p(x_1) = N(0, I).

  Returns:
    x at t_min, [B, ...].

  Example:
    >>> x = ode_sample(lambda x, t: jnp.zeros_like(x), lambda t: 10.0 * t - 5.0, jnp.ones((2, 1)), 0.0)
    >>> x.shape
    (2, 1)
  """
  return _solve(lambda t, x: probability_flow_drift(eps_fn, gamma_fn, x, t), x_1, 1.0, t_min, rtol, atol)


def divergence(fn, x: jax.Array, probe: jax.Array | None = None) -> jax.Array:
  """div fn(x) = tr(d fn / d x) per example, for fn acting on each example of x [B, ...] separately: [B].

  probe None: exact (one Jacobian per example: for low-dimensional x). Otherwise Hutchinson's estimate
  v^T (d fn / d x) v with the probe v [B, ...] (E[v v^T] = I; one Jacobian-vector product).

  Reference: Grathwohl et al., "FFJORD", ICLR 2019, section 3.1.

  Example:
    >>> float(divergence(lambda x: 3.0 * x, jnp.ones((1, 2)))[0])
    6.0
  """
  if probe is None:
    one = lambda xi: fn(xi[None])[0].reshape(-1)
    jacobians = jax.vmap(jax.jacfwd(one))(x)  # [B, D, ...]
    return jnp.trace(jacobians.reshape(x.shape[0], jacobians.shape[1], -1), axis1=1, axis2=2)
  _, jvp = jax.jvp(fn, (x,), (probe,))
  return jnp.sum(objectives.flat(probe * jvp), axis=-1)


def ode_log_likelihood(eps_fn, gamma_fn, x: jax.Array, t_min: float, probe: jax.Array | None = None,
                       rtol: float = 1e-5, atol: float = 1e-5) -> jax.Array:
  """log p(x) of the probability-flow ODE's density at t_min (the instantaneous change of variables):

    log p_{t_min}(x) = log N(x_1; 0, I) + int_{t_min}^1 div f(x_t, t) dt,   x_1 = x + int_{t_min}^1 f dt,

  f = `probability_flow_drift`, the two integrals solved together (diffrax Tsit5, adaptive).

  Args:
    x: [B, ...] points (data at t_min). probe: None for the exact trace (2-D data), or a
      Hutchinson probe [B, ...] (Rademacher or N(0, I); images) fixed along the solve.

  Returns:
    log p(x) [B] in nats.

  Reference: Song et al., ICLR 2021, appendix D.2; Chen et al., "Neural ODEs", NeurIPS 2018, theorem 1.

  Example:
    >>> # Data N(0, I) stays N(0, I) under a variance-preserving diffusion: eps_theta(x, t) = sigma_t x.
    >>> gamma_fn = lambda t: 10.0 * t - 5.0
    >>> eps_fn = lambda x, t: jnp.sqrt(jax.nn.sigmoid(gamma_fn(t))) * x
    >>> x = jnp.array([[0.5, -1.0]])
    >>> bool(jnp.allclose(ode_log_likelihood(eps_fn, gamma_fn, x, 0.0), -0.625 - jnp.log(2 * jnp.pi), atol=1e-4))
    True
  """
  def field(t, state):
    x_t, _ = state
    drift = lambda y: probability_flow_drift(eps_fn, gamma_fn, y, t)
    return drift(x_t), divergence(drift, x_t, probe)

  x_1, integral = _solve(field, (x, jnp.zeros(x.shape[0], x.dtype)), t_min, 1.0, rtol, atol)
  d = objectives.flat(x).shape[-1]
  return -0.5 * jnp.sum(jnp.square(objectives.flat(x_1)), axis=-1) - 0.5 * d * jnp.log(2 * jnp.pi) + integral
