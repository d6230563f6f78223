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
