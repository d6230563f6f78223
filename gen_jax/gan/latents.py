"""Generator latents: z ~ N(0, I), a categorical + Gaussian latent, and InfoGAN's z with codes.

A latent is `latent(keys [b]) -> (generator input [b, Z'], codes or None)`, one key per example.
"""

from typing import Any, Callable

import jax
import jax.numpy as jnp

# latent(keys [b]) -> (network input [b, Z'], codes pytree or None)
LatentFn = Callable[[jax.Array], tuple[jax.Array, Any]]


def gaussian_latent(latent_dim: int) -> LatentFn:
  """keys [b] -> (z [b, latent_dim] ~ N(0, I), no codes)."""
  return lambda keys: (jax.vmap(lambda k: jax.random.normal(k, (latent_dim,)))(keys), None)


def categorical_latent(num_categories: int, latent_dim: int) -> LatentFn:
  """keys [b] -> ([onehot(c), z] [b, K + Z], no codes); c ~ U{0..K-1}, z ~ N(0, I_Z).

  A discrete latent for a multi-modal target: category c selects a region of the
  generator's output and z spreads it, so that no continuous map has to draw
  bridges between separated modes (the generator input of a GAN with a mixture
  prior; e.g. DeLiGAN, Gurumurthy et al. 2017, and InfoGAN's categorical code,
  Chen et al. 2016). With K above the number of modes, spare categories can
  share a mode.

  Args:
    num_categories: K >= 1, equally likely.
    latent_dim: Z >= 0 continuous dimensions.

  Returns:
    a `LatentFn`.

  Example:
    >>> import jax
    >>> from gen_jax.gan.latents import categorical_latent
    >>> x, codes = categorical_latent(3, 2)(jax.random.split(jax.random.PRNGKey(0), 4))
    >>> print(x.shape, x[:, :3].sum(axis=1).tolist(), codes)
    (4, 5) [1.0, 1.0, 1.0, 1.0] None
  """

  def draw(k):
    k_cat, k_z = jax.random.split(k)
    category = jax.random.randint(k_cat, (), 0, num_categories)
    return jnp.concatenate([jax.nn.one_hot(category, num_categories), jax.random.normal(k_z, (latent_dim,))])

  return lambda keys: (jax.vmap(draw)(keys), None)


def offsets_from_points(points: jax.Array, num_offsets: int) -> jax.Array:
  """Data-dependent initial category offsets: offset_k = x_(k mod B), k = 0 .. K-1, for a batch x [B, D].

  With the offsets of a categorical latent started on K data points (as k-means starts its centres, or
  Glow's actnorm its scale from a batch), every category begins at the data and a mode holding a share
  p of the data starts without a category with probability (1 - p)^K (8 equal modes, K = 50: 0.1 %).

  Args:
    points: [B, D] data points (a shuffled batch), B >= 1.
    num_offsets: K >= 1; the batch is cycled when B < K.

  Returns:
    [K, D] offsets.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan.latents import offsets_from_points
    >>> offsets_from_points(jnp.array([[0.0, 1.0], [2.0, 3.0]]), 3).tolist()
    [[0.0, 1.0], [2.0, 3.0], [0.0, 1.0]]
  """
  if points.ndim != 2 or points.shape[0] < 1:
    raise ValueError(f"points: expected a non-empty batch [B, D], got shape {points.shape}")
  return points[jnp.arange(num_offsets) % points.shape[0]]


def scale_continuous(inputs: jax.Array, scale, num_discrete: int = 0) -> jax.Array:
  """The generator inputs [b, K + Z] with their continuous part scaled: [x[:, :K], scale * x[:, K:]].

  The truncation trick (Brock et al., 2019, section 3.1) in its simplest form: sampling from
  N(0, scale^2 I) rather than N(0, I) trades the spread within each output mode for samples closer to
  its centre; a discrete part (the first `num_discrete` columns, e.g. a one-hot category) is kept, so
  that every mode stays drawn as often as before.

  Args:
    inputs: [b, K + Z] generator inputs.
    scale: a float scalar (may be traced); 1 leaves the inputs unchanged.
    num_discrete: K, static.

  Returns:
    [b, K + Z].

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan.latents import scale_continuous
    >>> print(scale_continuous(jnp.array([[1.0, 0.0, 2.0, -4.0]]), 0.5, 2).tolist())
    [[1.0, 0.0, 1.0, -2.0]]
  """
  return jnp.concatenate([inputs[:, :num_discrete], scale * inputs[:, num_discrete:]], axis=-1)


def truncate_toward_mean(w: jax.Array, w_mean: jax.Array, psi) -> jax.Array:
  """StyleGAN's truncation trick in W: w' = w_mean + psi (w - w_mean).

  psi = 1 leaves w, psi = 0 returns the mean style (the "average face"); 0 < psi < 1 trades variety
  for fidelity. w_mean is the running mean of mapped latents (`update_mean`).

  Args:
    w: styles [B, W] (or [B, L, W]).
    w_mean: [W], broadcast against w.
    psi: a float (may be traced).

  Returns:
    w's shape.

  References:
    T. Karras, S. Laine and T. Aila, A Style-Based Generator Architecture for Generative Adversarial
    Networks (CVPR 2019), appendix B.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan.latents import truncate_toward_mean
    >>> print(truncate_toward_mean(jnp.array([[2.0, 4.0]]), jnp.array([0.0, 2.0]), 0.5).tolist())
    [[1.0, 3.0]]
  """
  return w_mean + psi * (w - w_mean)


def update_mean(w_mean: jax.Array, w: jax.Array, decay=0.995) -> jax.Array:
  """The running mean of mapped latents: w_mean + (1 - decay) (mean_b w_b - w_mean), [W].

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan.latents import update_mean
    >>> print(update_mean(jnp.zeros(2), jnp.array([[1.0, 2.0], [3.0, 2.0]]), 0.5).tolist())
    [1.0, 1.0]
  """
  return w_mean + (1.0 - decay) * (jnp.mean(w.reshape(-1, w.shape[-1]), axis=0) - w_mean)


def truncated_normal_latent(key: jax.Array, shape: tuple[int, ...], threshold) -> jax.Array:
  """BigGAN's truncation trick: z ~ N(0, I) conditioned on |z_i| <= threshold (entries beyond it are
  redrawn, which is sampling the truncated normal), shape `shape`.

  References:
    A. Brock, J. Donahue and K. Simonyan, Large Scale GAN Training for High Fidelity Natural Image
    Synthesis (ICLR 2019), section 3.1.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.gan.latents import truncated_normal_latent
    >>> z = truncated_normal_latent(jax.random.key(0), (1000, 4), 0.5)
    >>> print(bool(jnp.all(jnp.abs(z) <= 0.5)), z.shape)
    True (1000, 4)
  """
  return jax.random.truncated_normal(key, -threshold, threshold, shape)


def split_latent(z: jax.Array, num_chunks: int) -> list[jax.Array]:
  """BigGAN's hierarchical latent: z [B, Z] split into `num_chunks` equal chunks [B, Z / n], one per
  generator block (each block is conditioned on its chunk and the shared class embedding).

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan.latents import split_latent
    >>> print([c.shape for c in split_latent(jnp.zeros((2, 6)), 3)])
    [(2, 2), (2, 2), (2, 2)]
  """
  if z.shape[-1] % num_chunks:
    raise ValueError(f"z: expected a latent width divisible by num_chunks={num_chunks}, got {z.shape[-1]}")
  return jnp.split(z, num_chunks, axis=-1)


def info_latent(latent_dim: int, num_categories: int, num_continuous: int) -> LatentFn:
  """keys [b] -> ([z, onehot(c_cat), c_cont], (c_cat [b], c_cont [b, L])); z ~ N(0, I), c_cat ~ U{0..K-1},
  c_cont ~ U(-1, 1)^L."""

  def draw(k):
    k_z, k_cat, k_cont = jax.random.split(k, 3)
    return (jax.random.normal(k_z, (latent_dim,)), jax.random.randint(k_cat, (), 0, num_categories),
            jax.random.uniform(k_cont, (num_continuous,), minval=-1.0, maxval=1.0))

  def latent(keys):
    z, category, continuous = jax.vmap(draw)(keys)
    return info_input(z, category, continuous, num_categories), (category, continuous)

  return latent


def info_input(z: jax.Array, category: jax.Array, continuous: jax.Array, num_categories: int) -> jax.Array:
  """The InfoGAN generator's input [b, Z + K + L] = concat(z, onehot(category), continuous)."""
  return jnp.concatenate([z, jax.nn.one_hot(category, num_categories), continuous], axis=-1)
