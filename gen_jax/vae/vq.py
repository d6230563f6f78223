"""Vector quantization for the VQ-VAE (van den Oord et al. 2017): pure functions.

The encoder maps x to L vectors z_e [B, L, D]; each is replaced by its nearest
codebook entry e_k (K entries); the decoder reads the quantized z_q:

  k_l = argmin_k ||z_e,l - e_k||^2,   z_q,l = e_{k_l}
  loss = -log p(x | z_e + sg(z_q - z_e)) + beta * ||z_e - sg(z_q)||^2      (straight-through, commitment)

The codebook is not trained by gradients but by EMA k-means steps (paper,
appendix A.1):

  N_k <- g N_k + (1 - g) n_k,  m_k <- g m_k + (1 - g) sum_{l: k_l = k} z_e,l,
  e_k = m_k / N~_k,  N~_k = (N_k + eps) / (sum_j N_j + K eps) * sum_j N_j   (Laplace smoothing).

The registered model 'vqvae' that trains with these pieces is `gen_jax.vae.vqvae`.
"""

import jax
import jax.numpy as jnp

def quantize(z_e: jax.Array, embedding: jax.Array) -> tuple[jax.Array, jax.Array]:
  """Nearest codebook entries: (z_q [..., D], indices [...]) for z_e [..., D], embedding [K, D]."""
  sq_dist = (jnp.sum(z_e ** 2, -1, keepdims=True) - 2 * z_e @ embedding.T
             + jnp.sum(embedding ** 2, -1))  # [..., K]
  indices = jnp.argmin(sq_dist, axis=-1)
  return jnp.take(jnp.asarray(embedding), indices, axis=0), indices


def straight_through(z_e: jax.Array, z_q: jax.Array) -> jax.Array:
  """z_e + sg(z_q - z_e): equals z_q forward, passes the gradient to z_e unchanged backward."""
  return z_e + jax.lax.stop_gradient(z_q - z_e)


def commitment_loss(z_e: jax.Array, z_q: jax.Array) -> jax.Array:
  """||z_e - sg(z_q)||^2 summed over positions and code dimensions, per example [B] (z_e [B, L, D])."""
  return jnp.sum(jnp.square(z_e - jax.lax.stop_gradient(z_q)), axis=(-2, -1))


def perplexity(probs: jax.Array) -> jax.Array:
  """exp(-sum_k p_k log p_k) of code frequencies p [K]: K for uniform use, 1 for a single code."""
  return jnp.exp(-jnp.sum(probs * jnp.log(probs + 1e-10)))


def init_codebook(key: jax.Array, num_codes: int, code_dim: int, num_positions: int) -> dict:
  """EMA codebook state: embedding ~ N(0, 1) [K, D], cluster_size = 1 [K], embed_sum = embedding, usage uniform."""
  embedding = jax.random.normal(key, (num_codes, code_dim))
  return {"embedding": embedding, "cluster_size": jnp.ones((num_codes,)), "embed_sum": embedding,
          "usage": jnp.full((num_positions, num_codes), 1.0 / num_codes)}


def _all_sum(x: jax.Array, axis_name: str | None) -> jax.Array:
  return x if axis_name is None else jax.lax.psum(x, axis_name)


def _all_mean(x: jax.Array, axis_name: str | None) -> jax.Array:
  return x if axis_name is None else jax.lax.pmean(x, axis_name)


def ema_codebook_update(codebook: dict, z_e: jax.Array, indices: jax.Array, decay: float, epsilon: float,
                        axis_name: str | None = None) -> dict:
  """One EMA k-means step (module doc) from the local z_e [b, L, D] and codes [b, L].

  Inside `shard_map`/`pmap`, pass the data axis as `axis_name`: counts and sums are then
  summed over it, so every device holds the same codebook.
  """
  num_codes = codebook["embedding"].shape[0]
  onehot = jax.nn.one_hot(indices, num_codes)  # [b, L, K]
  z_e = jax.lax.stop_gradient(z_e)
  counts = _all_sum(jnp.sum(onehot, axis=(0, 1)), axis_name)  # [K]
  sums = _all_sum(jnp.einsum("blk,bld->kd", onehot, z_e), axis_name)  # [K, D]
  position_freq = _all_mean(jnp.mean(onehot, axis=0), axis_name)  # [L, K]
  cluster_size = decay * codebook["cluster_size"] + (1 - decay) * counts
  embed_sum = decay * codebook["embed_sum"] + (1 - decay) * sums
  total = jnp.sum(cluster_size)
  smoothed = (cluster_size + epsilon) / (total + num_codes * epsilon) * total
  return {"embedding": embed_sum / smoothed[:, None], "cluster_size": cluster_size, "embed_sum": embed_sum,
          "usage": decay * codebook["usage"] + (1 - decay) * position_freq}
