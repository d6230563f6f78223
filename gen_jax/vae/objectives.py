"""VAE objectives: decoder log-likelihoods, the ELBO (closed-form or Monte-Carlo KL), the IWAE bound.

Notation: x is one example, z its latent, q(z|x) the encoder (variational
posterior), p(z) = N(0, I) the prior and p(x|z) the decoder. For any q,

  log p(x) = ELBO(x) + KL(q(z|x) || p(z|x)) >= ELBO(x),
  ELBO(x)  = E_q[log p(x|z)] - KL(q(z|x) || p(z))

(the Jensen gap is the KL to the true posterior). Every function here returns
per-example values [B]; the caller averages them over the (global) batch.
Samples are indexed [S, B, ...]: S reparameterized draws z_s = mu + sigma * eps_s
per example.
"""

import jax
import jax.numpy as jnp

from gen_jax import probability, sampling
from gen_jax.checks import check_choice, check_positive_int, value_check

LIKELIHOODS = ("bernoulli", "gaussian", "gaussian_fixed")
ESTIMATORS = ("elbo", "iwae")


def check_likelihood(likelihood: str, field: str = "objective.likelihood") -> str:
  """The decoder likelihood's name, validated against LIKELIHOODS (a static choice, see gen_jax.checks).

  Args:
    likelihood: 'bernoulli', 'gaussian' (learned variance) or 'gaussian_fixed'.
    field: the config field or argument the error names.

  Returns:
    `likelihood` unchanged.

  Example:
    >>> from gen_jax.vae import objectives
    >>> objectives.check_likelihood("poisson")
    Traceback (most recent call last):
      ...
    ValueError: objective.likelihood: expected one of ['bernoulli', 'gaussian', 'gaussian_fixed'], got 'poisson'
  """
  return check_choice(likelihood, LIKELIHOODS, field)


def num_decoder_params(likelihood: str) -> int:
  """Decoder outputs per data value: 2 (mean, log-variance) for 'gaussian', else 1.

  Args:
    likelihood: one of LIKELIHOODS (static).

  Returns:
    1 or 2.

  Example:
    >>> from gen_jax.vae import objectives
    >>> objectives.num_decoder_params("gaussian"), objectives.num_decoder_params("bernoulli")
    (2, 1)
  """
  check_likelihood(likelihood, "likelihood")
  return 2 if likelihood == "gaussian" else 1


# Floor of a learned decoder log-variance: without it the variance of always-equal
# values (e.g. background pixels) shrinks to 0 and the likelihood diverges.
MIN_DECODER_LOG_VAR = -6.0


def _split_gaussian(out: jax.Array, likelihood: str, log_var):
  """(mean, log_var) of a Gaussian decoder output.

  'gaussian' splits the last axis into halves [m, r] and soft-floors the
  log-variance: v = v_min + softplus(r - v_min), v_min = MIN_DECODER_LOG_VAR.
  """
  if likelihood == "gaussian":
    mean, raw = jnp.split(out, 2, axis=-1)
    return mean, MIN_DECODER_LOG_VAR + jax.nn.softplus(raw - MIN_DECODER_LOG_VAR)
  return out, jnp.full_like(out, log_var)


def decoder_log_likelihood(x: jax.Array, out: jax.Array, likelihood: str, event_ndim: int,
                           log_var=0.0) -> jax.Array:
  """log p(x | z) of a factorised decoder, summed over the last `event_ndim` axes of x.

  out is the decoder's output for z, with x's shape, except that for 'gaussian' its
  last axis is twice x's (mean, then log-variance):

    'bernoulli':      sum_i x_i l_i - softplus(l_i),                 out = logits l
    'gaussian':       sum_i log N(x_i; m_i, exp(v_i)),               out = [m, r], v = floor(r)
    'gaussian_fixed': sum_i log N(x_i; m_i, exp(log_var)),           out = m

  Args:
    x: data [B, *event] float.
    out: decoder outputs [..., B, *event] (last axis doubled for 'gaussian').
    likelihood: one of LIKELIHOODS (static).
    event_ndim: number of trailing event axes of x (static).
    log_var: log sigma^2 of 'gaussian_fixed', a float scalar (may be traced).

  Returns:
    log-likelihoods of out's batch shape, e.g. [S, B] for out [S, B, *event].

  References:
    D. Kingma and M. Welling, Auto-Encoding Variational Bayes (ICLR 2014), appendix C.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae import objectives
    >>> ll = objectives.decoder_log_likelihood(jnp.ones((1, 2)), jnp.zeros((1, 2)), "bernoulli", 1)
    >>> print(f"{float(ll[0]):.4f}")  # 2 log(1/2)
    -1.3863
  """
  check_likelihood(likelihood, "likelihood")
  flat = lambda a: a.reshape(a.shape[:a.ndim - event_ndim] + (-1,))  # [..., prod(event)]
  if likelihood == "bernoulli":
    return probability.bernoulli_log_prob(flat(x), flat(out))
  mean, lv = _split_gaussian(out, likelihood, log_var)
  return probability.gaussian_log_prob(flat(x), flat(mean), flat(lv))


def decoder_mean(out: jax.Array, likelihood: str) -> jax.Array:
  """E[x | z] from decoder outputs: sigmoid(l) ('bernoulli'), the mean half ('gaussian'), out ('gaussian_fixed').

  Args:
    out: decoder outputs [..., *event] (last axis doubled for 'gaussian').
    likelihood: one of LIKELIHOODS (static).

  Returns:
    means [..., *event].

  References:
    D. Kingma and M. Welling, Auto-Encoding Variational Bayes (ICLR 2014), appendix C.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae import objectives
    >>> print(objectives.decoder_mean(jnp.array([0.0, 1.0, -3.0, -3.0]), "gaussian"))
    [0. 1.]
  """
  check_likelihood(likelihood, "likelihood")
  if likelihood == "bernoulli":
    return jax.nn.sigmoid(out)
  return _split_gaussian(out, likelihood, 0.0)[0]


def sample_posterior(keys: jax.Array, mean: jax.Array, log_var: jax.Array, num_samples: int) -> jax.Array:
  """S reparameterized draws per example from a diagonal Gaussian posterior.

    z_s = mean + exp(log_var / 2) * eps_s,   eps_s ~ N(0, I) from the example's own key

  Per-example keys make an example's noise independent of how the batch is split over devices.

  Args:
    keys: [B] PRNG keys, one per example.
    mean, log_var: [B, D] (one Gaussian per example), or [S, B, D] (one per sample, as in
      upper layers of a hierarchy, where each key then draws one z per sample).
    num_samples: S (static int >= 1).

  Returns:
    z [S, B, D].

  References:
    D. Kingma and M. Welling, Auto-Encoding Variational Bayes (ICLR 2014), section 2.4.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.vae import objectives
    >>> keys = jax.random.split(jax.random.PRNGKey(0), 4)
    >>> print(objectives.sample_posterior(keys, jnp.zeros((4, 2)), jnp.zeros((4, 2)), 3).shape)
    (3, 4, 2)
  """
  check_positive_int(num_samples, "num_samples")
  if mean.ndim == 2:
    draw = lambda k, m, v: sampling.reparameterize(k, m, v, num_samples)  # [S, D]
    return jax.vmap(draw, out_axes=1)(keys, mean, log_var)
  if mean.shape[0] != num_samples:
    raise ValueError(f"mean: expected [S={num_samples}, B, D] or [B, D], got shape {mean.shape}")
  return jax.vmap(sampling.reparameterize, in_axes=(0, 1, 1), out_axes=1)(keys, mean, log_var)


def elbo(log_likelihood: jax.Array, kl: jax.Array, beta=1.0) -> dict:
  """The (beta-weighted) evidence lower bound per example from S posterior samples z_s ~ q(z|x).

    reconstruction = (1/S) sum_s log p(x | z_s)                 (estimates E_q[log p(x|z)])
    kl             = KL(q(z|x) || p(z)), given either
                     in closed form [B]: for q = N(mu, diag sigma^2), p = N(0, I),
                       1/2 sum_j (sigma_j^2 + mu_j^2 - 1 - log sigma_j^2)  (probability.kl_standard_normal)
                     or per sample [S, B]: log q(z_s|x) - log p(z_s)  (Monte Carlo, any posterior:
                       flows, hierarchies), averaged over s here
    elbo           = reconstruction - kl
    objective      = reconstruction - beta * kl    (what training maximizes)

  Args:
    log_likelihood: log p(x | z_s) [S, B].
    kl: [B] (closed form) or [S, B] (per sample).
    beta: KL weight, a float scalar >= 0 (value-checked; may be traced, e.g. annealed inside a jitted step).

  Returns:
    {'objective', 'elbo', 'reconstruction', 'kl'}, each [B].

  References:
    D. Kingma and M. Welling, Auto-Encoding Variational Bayes (ICLR 2014), eq. 3 (beta = 1);
    I. Higgins et al., beta-VAE (ICLR 2017), eq. 4 (beta > 1).

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae import objectives
    >>> terms = objectives.elbo(jnp.full((2, 3), -5.0), jnp.ones(3), beta=0.5)
    >>> print(terms["objective"], terms["elbo"])
    [-5.5 -5.5 -5.5] [-6. -6. -6.]
  """
  if log_likelihood.ndim < 1 or kl.ndim not in (log_likelihood.ndim - 1, log_likelihood.ndim):
    raise ValueError(f"kl: expected shape [B] or [S, B] with log_likelihood {log_likelihood.shape}, got {kl.shape}")
  value_check(jnp.asarray(beta) >= 0, "beta: expected a KL weight >= 0, got {}", beta)
  reconstruction = jnp.mean(log_likelihood, axis=0)  # [B]
  kl = jnp.mean(kl, axis=0) if kl.ndim == log_likelihood.ndim else kl  # [B]
  return {"objective": reconstruction - beta * kl, "elbo": reconstruction - kl,
          "reconstruction": reconstruction, "kl": kl}


def log_importance_weights(log_likelihood: jax.Array, log_prior: jax.Array,
                           log_posterior: jax.Array) -> jax.Array:
  """Log importance weights of posterior samples.

    log w_s = log p(x|z_s) + log p(z_s) - log q(z_s|x) = log p(x, z_s) / q(z_s|x)

  Args:
    log_likelihood, log_prior, log_posterior: [S, B] at the same samples z_s.

  Returns:
    log w [S, B].

  References:
    Y. Burda, R. Grosse and R. Salakhutdinov, Importance Weighted Autoencoders (ICLR 2016), eq. 8.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae import objectives
    >>> print(objectives.log_importance_weights(jnp.array([-1.0]), jnp.array([-2.0]), jnp.array([-0.5])))
    [-2.5]
  """
  return log_likelihood + log_prior - log_posterior


def iwae_bound(log_likelihood: jax.Array, log_prior: jax.Array, log_posterior: jax.Array) -> jax.Array:
  """The k-sample importance-weighted bound on log p(x), per example.

    L_k(x) = log (1/k) sum_{s=1..k} p(x, z_s) / q(z_s|x),   z_s ~ q(z|x) i.i.d.,

  computed as log-mean-exp of the log-weights over the sample axis. L_1 is the
  ELBO; E[L_k] <= E[L_{k+1}] <= log p(x), and L_k -> log p(x) as k -> infinity.

  Args:
    log_likelihood, log_prior, log_posterior: [k, B] at the same samples z_s.

  Returns:
    L_k [B].

  References:
    Y. Burda, R. Grosse and R. Salakhutdinov, Importance Weighted Autoencoders (ICLR 2016), eq. 8.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae import objectives
    >>> log_w = jnp.log(jnp.array([[1.0], [3.0]]))  # weights 1 and 3: L_2 = log 2
    >>> print(f"{float(objectives.iwae_bound(log_w, jnp.zeros((2, 1)), jnp.zeros((2, 1)))[0]):.4f}")
    0.6931
  """
  log_w = log_importance_weights(log_likelihood, log_prior, log_posterior)  # [k, B]
  return probability.log_mean_exp(log_w, axis=0)


# Kernel scales of the WAE reference implementation (Tolstikhin et al. 2018): C = 2 D s for each s.
IMQ_SCALES = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)


def imq_kernel(a: jax.Array, b: jax.Array, scales=IMQ_SCALES) -> jax.Array:
  """Inverse multiquadratic kernel summed over scales, between two sets of points.

    k(a, b) = sum_s C_s / (C_s + ||a - b||^2),   C_s = 2 D s   (D = a.shape[-1], prior variance 1)

  Args:
    a: [N, D] float.
    b: [M, D] float.
    scales: the s (a static tuple, or a [n] array that may be traced).

  Returns:
    kernel matrix [N, M].

  References:
    I. Tolstikhin et al., Wasserstein Auto-Encoders (ICLR 2018), section 4.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae import objectives
    >>> print(objectives.imq_kernel(jnp.zeros((1, 2)), jnp.zeros((1, 2)), scales=(1.0, 2.0)))
    [[2.]]
  """
  sq_dist = jnp.sum(jnp.square(a[:, None, :] - b[None, :, :]), axis=-1)  # [N, M]
  d = a.shape[-1]
  return sum(2.0 * d * s / (2.0 * d * s + sq_dist) for s in scales)


def mmd_imq(z_q: jax.Array, z_p: jax.Array, scales=IMQ_SCALES) -> jax.Array:
  """Unbiased estimate of the squared maximum mean discrepancy between two samples, IMQ kernel.

    MMD^2 = 1/(N(N-1)) sum_{i != j} [k(q_i, q_j) + k(p_i, p_j)] - 2/N^2 sum_{i, j} k(q_i, p_j)

  Args:
    z_q: [N, D] float, N >= 2 (e.g. encoded codes).
    z_p: [N, D] float (e.g. prior draws).
    scales: kernel scales, see `imq_kernel`.

  Returns:
    MMD^2, a float scalar (can be slightly negative: the estimate is unbiased).

  References:
    I. Tolstikhin et al., Wasserstein Auto-Encoders (ICLR 2018), algorithm 2.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.vae import objectives
    >>> z = jax.random.normal(jax.random.PRNGKey(0), (64, 2))
    >>> print(f"{float(objectives.mmd_imq(z, z + 3.0)) > 0.5}")
    True
  """
  n = z_q.shape[0]
  if n < 2 or z_p.shape != z_q.shape:
    raise ValueError(f"z_p: expected the shape of z_q {z_q.shape} with N >= 2, got {z_p.shape}")
  off_diagonal = 1.0 - jnp.eye(n)
  within = jnp.sum((imq_kernel(z_q, z_q, scales) + imq_kernel(z_p, z_p, scales)) * off_diagonal) / (n * (n - 1))
  return within - 2.0 * jnp.mean(imq_kernel(z_q, z_p, scales))
