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

from gen_jax.checks import check_positive_int

def quantize(z_e: jax.Array, embedding: jax.Array) -> tuple[jax.Array, jax.Array]:
  """Nearest codebook entries: k = argmin_k ||z_e - e_k||^2 and z_q = e_k.

  Args:
    z_e: encoder outputs [..., D] float.
    embedding: codebook [K, D] float.

  Returns:
    (z_q [..., D], indices [...] int32).

  References:
    A. van den Oord, O. Vinyals and K. Kavukcuoglu, Neural Discrete Representation Learning
    (NeurIPS 2017), eq. 1-2.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae import vq
    >>> z_q, k = vq.quantize(jnp.array([[0.9, 0.1], [-1.2, 0.0]]), jnp.array([[1.0, 0.0], [-1.0, 0.0]]))
    >>> print(z_q, k)
    [[ 1.  0.]
     [-1.  0.]] [0 1]
  """
  sq_dist = (jnp.sum(z_e ** 2, -1, keepdims=True) - 2 * z_e @ embedding.T
             + jnp.sum(embedding ** 2, -1))  # [..., K]
  indices = jnp.argmin(sq_dist, axis=-1)
  return jnp.take(jnp.asarray(embedding), indices, axis=0), indices


def straight_through(z_e: jax.Array, z_q: jax.Array) -> jax.Array:
  """Straight-through estimator z_e + sg(z_q - z_e): equals z_q forward, passes the gradient to z_e unchanged.

  Args:
    z_e: encoder outputs [..., D].
    z_q: their quantized values [..., D].

  Returns:
    [..., D], equal to z_q.

  References:
    A. van den Oord, O. Vinyals and K. Kavukcuoglu, Neural Discrete Representation Learning
    (NeurIPS 2017), section 3.2; Y. Bengio, N. Leonard and A. Courville (2013).

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.vae import vq
    >>> grad = jax.grad(lambda z: jnp.sum(3.0 * vq.straight_through(z, jnp.round(z))))(jnp.array([0.4]))
    >>> print(vq.straight_through(jnp.array([0.4]), jnp.array([0.0])), grad)
    [0.] [3.]
  """
  return z_e + jax.lax.stop_gradient(z_q - z_e)


def commitment_loss(z_e: jax.Array, z_q: jax.Array) -> jax.Array:
  """VQ-VAE commitment loss ||z_e - sg(z_q)||^2, summed over positions and code dimensions.

  Args:
    z_e: encoder outputs [B, L, D].
    z_q: their quantized values [B, L, D].

  Returns:
    per-example losses [B] (weight them by beta, e.g. 0.25).

  References:
    A. van den Oord, O. Vinyals and K. Kavukcuoglu, Neural Discrete Representation Learning
    (NeurIPS 2017), eq. 3.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae import vq
    >>> print(vq.commitment_loss(jnp.ones((1, 2, 2)), jnp.zeros((1, 2, 2))))
    [4.]
  """
  return jnp.sum(jnp.square(z_e - jax.lax.stop_gradient(z_q)), axis=(-2, -1))


def perplexity(probs: jax.Array) -> jax.Array:
  """Perplexity of code frequencies, exp(-sum_k p_k log p_k): K for uniform use, 1 for a single code.

  Args:
    probs: code frequencies p [K], summing to 1.

  Returns:
    a float scalar in [1, K].

  References:
    A. van den Oord, O. Vinyals and K. Kavukcuoglu, Neural Discrete Representation Learning
    (NeurIPS 2017), appendix (codebook usage).

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae import vq
    >>> print(f"{float(vq.perplexity(jnp.full(4, 0.25))):.2f}")
    4.00
  """
  return jnp.exp(-jnp.sum(probs * jnp.log(probs + 1e-10)))


def init_codebook(key: jax.Array, num_codes: int, code_dim: int, num_positions: int) -> dict:
  """Initial EMA codebook state: embedding ~ N(0, 1), cluster sizes 1, sums = embedding, uniform usage.

  Args:
    key: PRNG key.
    num_codes: K (static int >= 1).
    code_dim: D (static int >= 1).
    num_positions: L, latent positions per example (static int >= 1).

  Returns:
    {'embedding' [K, D], 'cluster_size' [K], 'embed_sum' [K, D], 'usage' [L, K]}, float32.

  References:
    A. van den Oord, O. Vinyals and K. Kavukcuoglu, Neural Discrete Representation Learning
    (NeurIPS 2017), appendix A.1.

  Example:
    >>> import jax
    >>> from gen_jax.vae import vq
    >>> codebook = vq.init_codebook(jax.random.PRNGKey(0), 8, 2, 3)
    >>> print({name: value.shape for name, value in codebook.items()})
    {'embedding': (8, 2), 'cluster_size': (8,), 'embed_sum': (8, 2), 'usage': (3, 8)}
  """
  shape = (check_positive_int(num_codes, "num_codes"), check_positive_int(code_dim, "code_dim"))
  embedding = jax.random.normal(key, shape)
  return {"embedding": embedding, "cluster_size": jnp.ones((num_codes,)), "embed_sum": embedding,
          "usage": jnp.full((check_positive_int(num_positions, "num_positions"), num_codes), 1.0 / num_codes)}


def _all_sum(x: jax.Array, axis_name: str | None) -> jax.Array:
  return x if axis_name is None else jax.lax.psum(x, axis_name)


def _all_mean(x: jax.Array, axis_name: str | None) -> jax.Array:
  return x if axis_name is None else jax.lax.pmean(x, axis_name)


def ema_codebook_update(codebook: dict, z_e: jax.Array, indices: jax.Array, decay, epsilon,
                        axis_name: str | None = None) -> dict:
  """One EMA k-means step of the codebook (module doc), with Laplace-smoothed cluster sizes.

    N_k <- g N_k + (1 - g) n_k,   m_k <- g m_k + (1 - g) sum_{l: k_l = k} z_e,l,   e_k = m_k / N~_k

  Inside `shard_map`/`pmap`, pass the data axis as `axis_name`: counts and sums are then
  summed over it, so every device holds the same codebook.

  Args:
    codebook: the state of `init_codebook`.
    z_e: local encoder outputs [b, L, D].
    indices: their codes [b, L] int.
    decay: g in [0, 1), a float scalar (may be traced).
    epsilon: Laplace smoothing eps > 0, a float scalar (may be traced).
    axis_name: the mapped data axis, or None.

  Returns:
    the updated codebook state (same structure and shapes).

  References:
    A. van den Oord, O. Vinyals and K. Kavukcuoglu, Neural Discrete Representation Learning
    (NeurIPS 2017), appendix A.1.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae import vq
    >>> codebook = {"embedding": jnp.zeros((2, 1)), "cluster_size": jnp.ones(2), "embed_sum": jnp.zeros((2, 1)),
    ...             "usage": jnp.full((1, 2), 0.5)}
    >>> new = vq.ema_codebook_update(codebook, jnp.full((4, 1, 1), 2.0), jnp.zeros((4, 1), int), 0.5, 1e-5)
    >>> print(new["cluster_size"], jnp.round(new["embedding"][:, 0], 3))
    [2.5 0.5] [1.6 0. ]
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


def restart_dead_codes(codebook: dict, key: jax.Array, threshold, noise_scale) -> dict:
  """Move every code whose EMA cluster size fell below `threshold` next to a used one (a k-means split).

    dead_k = N_k < threshold;  j_k ~ Categorical(N / sum N);  e_k <- e_{j_k} + noise_scale * eps_k,  eps_k ~ N(0, I);
    then N_k <- 1 and m_k <- e_k (a fresh code, as `init_codebook` starts them)

  The new code splits a busy cluster: the two copies then share its vectors. The draw depends only on
  `key` and the codebook, so devices holding the same codebook and key stay identical.

  Args:
    codebook: the state of `init_codebook` / `ema_codebook_update`.
    key: PRNG key.
    threshold: N_k below which a code is dead, a float scalar >= 0 (may be traced; 0 = none).
    noise_scale: the split's perturbation std, a float scalar (may be traced).

  Returns:
    the codebook state with dead codes restarted (same structure and shapes).

  References:
    J. Zeghidour et al., SoundStream (2021), section 3.3 (codebook restarts); A. Razavi et al.,
    VQ-VAE-2 follow-ups and P. Dhariwal et al., Jukebox (2020), section 2.2 (random restarts).

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.vae import vq
    >>> codebook = {"embedding": jnp.array([[1.0], [9.0]]), "cluster_size": jnp.array([5.0, 0.001]),
    ...             "embed_sum": jnp.array([[5.0], [0.009]]), "usage": jnp.full((1, 2), 0.5)}
    >>> new = vq.restart_dead_codes(codebook, jax.random.PRNGKey(0), 0.01, 0.0)
    >>> print(new["embedding"][:, 0], new["cluster_size"])
    [1. 1.] [5. 1.]
  """
  donor_key, noise_key = jax.random.split(key)
  embedding, cluster_size = codebook["embedding"], codebook["cluster_size"]
  dead = cluster_size < threshold  # [K]
  donors = jax.random.categorical(donor_key, jnp.log(cluster_size + 1e-12), shape=cluster_size.shape)  # [K]
  moved = embedding[donors] + noise_scale * jax.random.normal(noise_key, embedding.shape)  # [K, D]
  new_embedding = jnp.where(dead[:, None], moved, embedding)
  return {**codebook, "embedding": new_embedding, "cluster_size": jnp.where(dead, 1.0, cluster_size),
          "embed_sum": jnp.where(dead[:, None], new_embedding, codebook["embed_sum"])}
