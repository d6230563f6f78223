"""Held-out evaluation of latent-variable models: importance-sampled NLL, ELBO parts, active units.

For each held-out x, with k samples z_s ~ q(z|x) (Burda et al. 2016, section 5):

  log p(x) ~= L_k(x) = log (1/k) sum_s p(x, z_s) / q(z_s|x)         (k = 5,000: `nll` = -mean_x L_k)
  ELBO(x)  ~= (1/k) sum_s [log p(x|z_s) - (log q(z_s|x) - log p(z_s))]  (`elbo`, `reconstruction`, `kl`)
  active units: #{u : Cov_x(E_{q(u|x)}[u]) > 0.01}

The k samples are drawn in chunks of `chunk` (a `lax.scan` with a running
log-sum-exp), and examples in batches, so memory is bounded by
batch_size * chunk network evaluations.
"""

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.checks import check_positive_int
from gen_jax.data.images import binarize_static
from gen_jax.eval.batching import batched_apply
from gen_jax.vae.latent import LatentModel

ACTIVE_UNIT_THRESHOLD = 0.01


def check_eval_sizes(k: int, chunk: int, batch_size: int) -> None:
  """ValueError naming the eval field unless k, chunk, batch_size are positive and chunk divides k."""
  for field, value in (("eval.iwae_k", k), ("eval.iwae_chunk", chunk), ("eval.batch_size", batch_size)):
    check_positive_int(value, field)
  if k % min(chunk, k):
    raise ValueError(f"eval.iwae_chunk: {chunk} does not divide eval.iwae_k = {k}")


def example_statistics(model: LatentModel, params: dict, x: jax.Array, keys: jax.Array, k: int,
                       chunk: int) -> jax.Array:
  """Per-example [B, 4 + sum_t d_t]: (L_k, ELBO, reconstruction, KL, E_q[z|x] estimates of every layer).

  keys [B]: one per example; chunk c draws its samples from fold_in(key_b, c).
  """
  chunk = min(chunk, k)
  num_chunks = k // chunk

  def one_chunk(carry, c):
    log_sum_w, sum_ll, sum_kl, sum_means = carry
    chunk_keys = jax.vmap(lambda kb: jax.random.fold_in(kb, c))(keys)
    log_lik, log_prior, posterior = model.terms(params, x, chunk_keys, chunk)  # [S, B] each
    log_w = log_lik + log_prior - posterior.log_prob
    means = jnp.concatenate([m if m.ndim == 2 else jnp.mean(m, axis=0) for m in posterior.mean_estimates], -1)
    carry = (jnp.logaddexp(log_sum_w, jax.nn.logsumexp(log_w, axis=0)), sum_ll + jnp.sum(log_lik, axis=0),
             sum_kl + jnp.sum(posterior.log_prob - log_prior, axis=0), sum_means + means)
    return carry, None

  b = x.shape[0]
  total_dim = sum(model.decoder.latent_dims)
  init = (jnp.full((b,), -jnp.inf), jnp.zeros((b,)), jnp.zeros((b,)), jnp.zeros((b, total_dim)))
  (log_sum_w, sum_ll, sum_kl, sum_means), _ = jax.lax.scan(one_chunk, init, jnp.arange(num_chunks))
  bound = log_sum_w - jnp.log(k)
  recon, kl = sum_ll / k, sum_kl / k
  return jnp.concatenate([jnp.stack([bound, recon - kl, recon, kl], -1), sum_means / num_chunks], -1)


def active_units(posterior_means: np.ndarray, threshold: float = ACTIVE_UNIT_THRESHOLD) -> np.ndarray:
  """Boolean [D]: Var_x(E_q[z_u | x]) > threshold for each unit u, from means [N, D]."""
  return np.var(np.asarray(posterior_means, np.float64), axis=0) > threshold


def bernoulli_ready(x: np.ndarray, seed: int) -> np.ndarray:
  """x itself when binary, else a fixed binarization (a Bernoulli likelihood needs x in {0, 1})."""
  x = np.asarray(x, np.float32)
  if np.all((x == 0) | (x == 1)):
    return x
  return binarize_static(x, seed)


def evaluate_latent_model(model: LatentModel, params: dict, x: np.ndarray, key: jax.Array, k: int,
                          chunk: int, batch_size: int) -> dict:
  """Held-out metrics of a latent-variable model on x [N, ...] (see module doc).

  Returns {'nll', 'elbo', 'reconstruction', 'kl', 'active_units', 'iwae_k',
  'num_examples'} (nats per example; reconstruction = E_q[log p(x|z)], so
  elbo = reconstruction - kl), plus 'active_units/layer<t>' for hierarchies.
  """
  check_eval_sizes(k, chunk, batch_size)
  x_all = jnp.asarray(x)

  @jax.jit
  def rows(index):  # [b] -> [b, 4 + D]
    keys = jax.vmap(lambda i: jax.random.fold_in(key, i))(index)
    return example_statistics(model, params, x_all[index], keys, k, chunk)

  stats = batched_apply(rows, np.arange(x.shape[0]), batch_size)  # [N, 4 + D]
  active = active_units(stats[:, 4:])
  result = {"nll": -float(np.mean(stats[:, 0])), "elbo": float(np.mean(stats[:, 1])),
            "reconstruction": float(np.mean(stats[:, 2])), "kl": float(np.mean(stats[:, 3])),
            "active_units": int(active.sum()), "iwae_k": int(k), "num_examples": int(x.shape[0])}
  dims = model.decoder.latent_dims
  if len(dims) > 1:
    offsets = np.cumsum([0] + list(dims))
    for t in range(len(dims)):
      result[f"active_units/layer{t + 1}"] = int(active[offsets[t]:offsets[t + 1]].sum())
  return result
