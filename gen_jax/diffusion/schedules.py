"""Noise schedules: per-step variances beta_t, the marginal alpha_bar_t, and the VDM log-SNR gamma(t).

Notation (Ho et al. 2020; Kingma et al. 2021). The encoder of the Markovian
hierarchical VAE is fixed to q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I),
t = 1..T, so that

  q(x_t | x_0) = N(alpha_t x_0, sigma_t^2 I),  alpha_t^2 = alpha_bar_t = prod_{s<=t} (1 - beta_s),
                                                sigma_t^2 = 1 - alpha_bar_t,

and the log signal-to-noise ratio is log SNR(t) = log(alpha_t^2 / sigma_t^2) = -gamma(t).
In continuous time (t in [0, 1]) the schedule is gamma(t) itself, increasing,
with alpha_t^2 = sigmoid(-gamma(t)) and sigma_t^2 = sigmoid(gamma(t)).
Arrays of a discrete schedule are indexed by t - 1 (entry 0 is step t = 1).
"""

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.checks import check_positive_int


def linear_betas(num_steps: int, beta_start: float = 1e-4, beta_end: float = 0.02) -> jax.Array:
  """DDPM's linear schedule: beta_t = beta_1 + (t - 1) / (T - 1) (beta_T - beta_1), t = 1..T.

  Args:
    num_steps: T >= 2.
    beta_start, beta_end: beta_1 and beta_T (DDPM: 1e-4 and 0.02 for T = 1000).

  Returns:
    betas [T].

  Reference: Ho, Jain, Abbeel, "Denoising Diffusion Probabilistic Models", NeurIPS 2020, section 4.

  Example:
    >>> betas = linear_betas(1000)
    >>> print(betas.shape, float(betas[0]), round(float(betas[-1]), 6))
    (1000,) 9.999999747378752e-05 0.02
  """
  check_positive_int(num_steps, "num_steps")
  return jnp.linspace(beta_start, beta_end, num_steps, dtype=jnp.result_type(float))


def cosine_betas(num_steps: int, offset: float = 0.008, max_beta: float = 0.999) -> jax.Array:
  """Improved DDPM's cosine schedule: alpha_bar(t) = f(t) / f(0), f(t) = cos^2(pi/2 (t/T + s)/(1 + s)),
  beta_t = min(1 - alpha_bar(t) / alpha_bar(t - 1), max_beta).

  Args:
    num_steps: T.
    offset: s (0.008 keeps beta_1 from being too small).
    max_beta: the clip that keeps beta_T < 1.

  Returns:
    betas [T].

  Reference: Nichol & Dhariwal, "Improved Denoising Diffusion Probabilistic Models", ICML 2021, eq. 17.

  Example:
    >>> betas = cosine_betas(100)
    >>> bool(betas[0] < betas[50] < betas[-1]), float(betas[-1])
    (True, 0.9990000128746033)
  """
  check_positive_int(num_steps, "num_steps")
  t = jnp.arange(num_steps + 1, dtype=jnp.result_type(float)) / num_steps  # [T + 1]
  f = jnp.cos(0.5 * jnp.pi * (t + offset) / (1.0 + offset)) ** 2
  return jnp.minimum(1.0 - f[1:] / f[:-1], max_beta)


def alpha_bar(betas: jax.Array) -> jax.Array:
  """alpha_bar_t = prod_{s=1..t} (1 - beta_s) = alpha_t^2, the signal variance of q(x_t | x_0): [T].

  Example:
    >>> alpha_bar(jnp.array([0.5, 0.5])).tolist()
    [0.5, 0.25]
  """
  return jnp.cumprod(1.0 - betas)


def discrete_gamma(betas: jax.Array) -> jax.Array:
  """gamma_t = -log SNR_t = log(sigma_t^2 / alpha_t^2) = log((1 - alpha_bar_t) / alpha_bar_t): [T].

  Example:
    >>> discrete_gamma(jnp.array([0.5, 0.5])).tolist()
    [0.0, 1.0986123085021973]
  """
  abar = alpha_bar(betas)
  return jnp.log1p(-abar) - jnp.log(abar)


def alpha_sigma(gamma: jax.Array) -> tuple[jax.Array, jax.Array]:
  """(alpha, sigma) from gamma = -log SNR: alpha^2 = sigmoid(-gamma), sigma^2 = sigmoid(gamma).

  Example:
    >>> a, s = alpha_sigma(jnp.array(0.0))
    >>> round(float(a ** 2), 6), round(float(s ** 2), 6)
    (0.5, 0.5)
  """
  return jnp.sqrt(jax.nn.sigmoid(-gamma)), jnp.sqrt(jax.nn.sigmoid(gamma))


def linear_gamma(t: jax.Array, gamma_min: float = -13.3, gamma_max: float = 5.0) -> jax.Array:
  """VDM's fixed schedule: gamma(t) = gamma_min + (gamma_max - gamma_min) t, t in [0, 1].

  Reference: Kingma, Salimans, Poole, Ho, "Variational Diffusion Models", NeurIPS 2021, appendix.

  Example:
    >>> [round(g, 4) for g in linear_gamma(jnp.array([0.0, 1.0])).tolist()]
    [-13.3, 5.0]
  """
  return gamma_min + (gamma_max - gamma_min) * t


def interpolated_gamma(t: jax.Array, gammas: jax.Array) -> jax.Array:
  """A discrete schedule in continuous time: gamma(t) interpolates gamma_i linearly at t_i = i / T,
  i = 1..T (held constant below 1/T), so the probability-flow ODE of a DDPM runs on [1/T, 1].

  Example:
    >>> float(interpolated_gamma(jnp.array(0.75), jnp.array([0.0, 1.0])))
    0.5
  """
  num_steps = gammas.shape[-1]
  grid = jnp.arange(1, num_steps + 1, dtype=gammas.dtype) / num_steps  # [T]
  return jnp.interp(t, grid, gammas)


class MonotoneNetwork(nn.Module):
  """VDM's learned schedule, increasing by construction and pinned to learned end points:

    g(t) = l_1(t) + l_3(phi(l_2(l_1(t)))),  all weights of l_1, l_2, l_3 made positive by softplus
           (only l_2 has a bias: a constant shift of g cancels below)
           (phi = sigmoid), so g is increasing in t;
    gamma(t) = gamma_0 + (gamma_1 - gamma_0) (g(t) - g(0)) / (g(1) - g(0)),

  with gamma_0 < gamma_1 learned scalars (gamma_1 = gamma_0 + softplus(.)), initialised at
  gamma_min and gamma_max. Only the end points change the ELBO (L_T and L_0); the shape in between
  changes only the variance of the continuous-time loss.

  Attributes:
    gamma_min, gamma_max: initial gamma_0 and gamma_1.
    hidden: width of l_2 (VDM: 1024).

  Reference: Kingma et al., "Variational Diffusion Models", NeurIPS 2021, appendix H.

  Example:
    >>> net = MonotoneNetwork(hidden=8)
    >>> t = jnp.linspace(0.0, 1.0, 5)
    >>> params = net.init(jax.random.PRNGKey(0), t)
    >>> g = net.apply(params, t)
    >>> bool(jnp.all(jnp.diff(g) > 0)), round(float(g[0]), 3), round(float(g[-1]), 3)
    (True, -13.3, 5.0)
  """

  gamma_min: float = -13.3
  gamma_max: float = 5.0
  hidden: int = 1024

  def positive_dense(self, name: str, width: int, x: jax.Array, bias: bool) -> jax.Array:
    """x W (+ b) with W = softplus(V) > 0: [..., k] -> [..., width]."""
    y = x @ jax.nn.softplus(self.param(name, nn.initializers.normal(1.0), (x.shape[-1], width)))
    return y + self.param(name + "_bias", nn.initializers.zeros, (width,)) if bias else y

  def unnormalized(self, t: jax.Array) -> jax.Array:
    """g(t) for t [...]: [...]. l_1 and l_3 have no bias: a constant shift of g cancels in gamma."""
    l1 = self.positive_dense("l1", 1, t[..., None], bias=False)  # [..., 1]
    h = jax.nn.sigmoid(self.positive_dense("l2", self.hidden, l1, bias=True))  # [..., hidden]
    return (l1 + self.positive_dense("l3", 1, h, bias=False) / self.hidden)[..., 0]

  @nn.compact
  def __call__(self, t: jax.Array) -> jax.Array:
    """gamma(t) for t [...] in [0, 1]: [...]."""
    gamma_0 = self.param("gamma_0", nn.initializers.constant(self.gamma_min), ())
    span = jnp.log(jnp.expm1(jnp.asarray(self.gamma_max - self.gamma_min)))  # softplus^{-1}
    gamma_1 = gamma_0 + jax.nn.softplus(self.param("gamma_span", nn.initializers.constant(span), ()))
    g = self.unnormalized(jnp.concatenate([jnp.array([0.0, 1.0], t.dtype), jnp.ravel(t)]))  # [2 + n]
    scaled = ((g[2:] - g[0]) / (g[1] - g[0])).reshape(t.shape)
    return gamma_0 + (gamma_1 - gamma_0) * scaled
