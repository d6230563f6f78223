"""Stacks of diagonal-Gaussian stochastic layers: the VAE (T = 1), the IWAE paper's 2-layer model, and
the Markovian hierarchical VAE of the lecture (T layers, the bridge toward diffusion models).

With x = x_0 and latents z_t = x_t (t = 1..T):

  generative model  p(x_{0:T})     = p(x_T) prod_{t=1..T} p(x_{t-1} | x_t),   p(x_T) = N(0, I)
  posterior         q(x_{1:T}|x_0) = prod_{t=1..T} q(x_t | x_{t-1})

Each q(x_t|x_{t-1}) and p(x_{t-1}|x_t) (t >= 2) is N(mu(.), diag exp(v(.))) with
mu, v from an MLP; p(x_0|x_1) is the decoder likelihood (Bernoulli or
Gaussian). Layer t's MLPs have widths hidden[t-1]: the encoder uses them in
order, the decoder reversed (the IWAE paper's 2-layer model is
latent_dims=(100, 50), hidden=((100, 100), (50, 50)), tanh).
"""

from typing import NamedTuple, Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax import probability
from gen_jax.checks import check_positive_int
from gen_jax.vae import objectives
from gen_jax.vae.networks import DataDecoder, DataEncoder, mlp


class PosteriorSample(NamedTuple):
  """S samples per example from an encoder, with what the objectives and evaluation need.

  z: latents per layer, each [S, B, d_t] (z[0] is what the decoder reads).
  log_prob: log q(z|x) of the whole sample, [S, B].
  mean_estimates: per layer, arrays whose mean over the sample axis estimates
    E_q[z_t | x] ([B, d] when exact, [S, B, d] otherwise); for active units.
  mean, log_var: the first Gaussian layer q(z_1|x) (or a flow's base), [B, d_1].

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae.hierarchical import PosteriorSample
    >>> z = jnp.zeros((1, 2, 3))
    >>> print(PosteriorSample((z,), jnp.zeros((1, 2)), (z,), z[0], z[0]).log_prob.shape)
    (1, 2)
  """
  z: tuple
  log_prob: jax.Array
  mean_estimates: tuple
  mean: jax.Array
  log_var: jax.Array


def split_gaussian(h: jax.Array) -> tuple[jax.Array, jax.Array]:
  """Split network outputs into the mean and log-variance halves of a diagonal Gaussian: [..., 2d] -> 2 x [..., d].

  Args:
    h: [..., 2d] float.

  Returns:
    (mean [..., d], log_var [..., d]).

  References:
    D. Kingma and M. Welling, Auto-Encoding Variational Bayes (ICLR 2014), appendix C.2.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae import hierarchical
    >>> print(hierarchical.split_gaussian(jnp.array([1.0, 2.0, 3.0, 4.0])))
    (Array([1., 2.], dtype=float32), Array([3., 4.], dtype=float32))
  """
  mean, log_var = jnp.split(h, 2, axis=-1)
  return mean, log_var


def layer_keys(keys: jax.Array, layer: int) -> jax.Array:
  """Per-example keys of stochastic layer `layer`: key_b,layer = fold_in(key_b, layer).

  Args:
    keys: [B] PRNG keys, one per example.
    layer: the layer index (static int).

  Returns:
    [B] PRNG keys, independent across layers.

  References:
    JAX PRNG design notes (jax.random.fold_in), https://jax.readthedocs.io/en/latest/jep/263-prng.html.

  Example:
    >>> import jax
    >>> from gen_jax.vae import hierarchical
    >>> keys = jax.random.split(jax.random.PRNGKey(0), 4)
    >>> print(hierarchical.layer_keys(keys, 1).shape)
    (4, 2)
  """
  return jax.vmap(lambda k: jax.random.fold_in(k, layer))(keys)


def check_layers(latent_dims: Sequence[int], hidden: Sequence[Sequence[int]]) -> None:
  """ValueError naming the config field unless there is one tuple of positive widths per positive layer size.

  Args:
    latent_dims: (d_1, ..., d_T), T >= 1 positive integers.
    hidden: T non-empty tuples of positive integer widths.

  Example:
    >>> from gen_jax.vae import hierarchical
    >>> hierarchical.check_layers((4, 2), ((8,),))
    Traceback (most recent call last):
      ...
    ValueError: model.hidden: expected one tuple of widths per stochastic layer (2), got 1
  """
  if len(latent_dims) < 1:
    raise ValueError(f"model.latent_dims: expected one or more positive sizes, got {tuple(latent_dims)}")
  for d in latent_dims:
    check_positive_int(d, "model.latent_dims")
  if len(hidden) != len(latent_dims):
    raise ValueError(f"model.hidden: expected one tuple of widths per stochastic layer "
                     f"({len(latent_dims)}), got {len(hidden)}")
  if any(len(h) < 1 for h in hidden):
    raise ValueError(f"model.hidden: expected non-empty tuples of positive widths, got {tuple(hidden)}")
  for h in hidden:
    for w in h:
      check_positive_int(w, "model.hidden")


class HierarchicalEncoder(nn.Module):
  """q(z_{1:T}|x) = q(z_1|x) prod_{t>=2} q(z_t|z_{t-1}), diagonal Gaussians, sampled S times per example.

  Attributes:
    latent_dims: (d_1, ..., d_T).
    hidden: per layer, the widths (MLP) or channels (conv, first layer only) of its network.
    example_shape, arch, act, dtype: see `DataEncoder`.

  References:
    Y. Burda, R. Grosse and R. Salakhutdinov, Importance Weighted Autoencoders (ICLR 2016), appendix C;
    C. Luo, Understanding Diffusion Models: A Unified Perspective (2022), section 2 (Markovian HVAE).

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.vae import hierarchical
    >>> encoder = hierarchical.HierarchicalEncoder((3, 2), ((8,), (4,)), (5,))
    >>> x, keys = jnp.zeros((2, 5)), jax.random.split(jax.random.PRNGKey(0), 2)
    >>> params = encoder.init(jax.random.PRNGKey(1), x, keys, 1)
    >>> sample = encoder.apply(params, x, keys, 4)
    >>> print([z.shape for z in sample.z], sample.log_prob.shape)
    [(4, 2, 3), (4, 2, 2)] (4, 2)
  """

  latent_dims: Sequence[int]
  hidden: Sequence[Sequence[int]]
  example_shape: Sequence[int]
  arch: str = "mlp"
  act: str = "relu"
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array, keys: jax.Array, num_samples: int,
               deterministic: bool = False) -> PosteriorSample:
    """x [B, *example_shape], keys [B] -> S samples per example (z_t = mean_t when deterministic)."""
    check_layers(self.latent_dims, self.hidden)
    first = DataEncoder(self.arch, tuple(self.hidden[0]), 2 * self.latent_dims[0], tuple(self.example_shape),
                        self.act, self.dtype)
    mean1, log_var1 = split_gaussian(first(x).astype(jnp.promote_types(self.dtype, jnp.float32)))  # [B, d_1]
    mean, log_var, h = mean1, log_var1, None
    zs, estimates, log_q = [], [], 0.0
    for t, d in enumerate(self.latent_dims):
      if t > 0:
        mean, log_var = split_gaussian(mlp(self.hidden[t], 2 * d, self.act, self.dtype)(h).astype(jnp.promote_types(self.dtype, jnp.float32)))
      if deterministic:
        z = jnp.broadcast_to(mean, (num_samples,) + mean.shape[-2:])
      else:
        z = objectives.sample_posterior(layer_keys(keys, t), mean, log_var, num_samples)  # [S, B, d]
      log_q = log_q + probability.gaussian_log_prob(z, mean, log_var)  # [S, B]
      zs.append(z)
      estimates.append(mean)
      h = z
    return PosteriorSample(tuple(zs), log_q, tuple(estimates), mean1, log_var1)


class HierarchicalDecoder(nn.Module):
  """p(x, z_{1:T}) = p(z_T) prod_{t<T} p(z_t | z_{t+1}) p(x | z_1), p(z_T) = N(0, I).

  Attributes:
    latent_dims, hidden: as for `HierarchicalEncoder` (widths used in reverse).
    example_shape: shape of one example; params_per_value: decoder outputs per value.
    arch, act, dtype: see `DataDecoder`.

  References:
    C. Luo, Understanding Diffusion Models: A Unified Perspective (2022), eq. 24 (the Markovian HVAE's
    generative chain); Y. Burda et al., Importance Weighted Autoencoders (ICLR 2016), appendix C.

  Example (a T = 2 chain decoding 4 samples of 2 examples):
    >>> import jax
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae.hierarchical import HierarchicalDecoder
    >>> decoder = HierarchicalDecoder((3, 2), ((8,), (4,)), (5,))
    >>> zs = (jnp.zeros((4, 2, 3)), jnp.zeros((4, 2, 2)))
    >>> params = decoder.init(jax.random.PRNGKey(0), zs)
    >>> out, log_prior = decoder.apply(params, zs)
    >>> print(out.shape, log_prior.shape)
    (4, 2, 5) (4, 2)
  """

  latent_dims: Sequence[int]
  hidden: Sequence[Sequence[int]]
  example_shape: Sequence[int]
  params_per_value: int = 1
  arch: str = "mlp"
  act: str = "relu"
  dtype: jnp.dtype = jnp.float32

  def setup(self):
    check_layers(self.latent_dims, self.hidden)
    self.data_decoder = DataDecoder(self.arch, tuple(reversed(self.hidden[0])), tuple(self.example_shape),
                                    self.params_per_value, self.act, self.dtype)
    # transitions[t - 1]: z_{t+1} -> parameters of p(z_t | z_{t+1}), t = 1..T-1.
    self.transitions = [mlp(tuple(reversed(self.hidden[t])), 2 * self.latent_dims[t - 1], self.act, self.dtype)
                        for t in range(1, len(self.latent_dims))]

  def __call__(self, zs: Sequence[jax.Array]) -> tuple[jax.Array, jax.Array]:
    """zs: per layer [S, B, d_t] -> (decoder output for z_1, log p(z_{1:T}) [S, B])."""
    top = zs[-1]
    log_prior = probability.gaussian_log_prob(top, 0.0, 0.0)  # [S, B]
    for t in range(len(zs) - 1):
      mean, log_var = self.transition(zs[t + 1], t)
      log_prior = log_prior + probability.gaussian_log_prob(zs[t], mean, log_var)
    return self.decode(zs[0]), log_prior

  def transition(self, z_above: jax.Array, t: int) -> tuple[jax.Array, jax.Array]:
    """(mean, log_var) of p(z_{t+1} | z_{t+2}) in 0-based layer index t."""
    return split_gaussian(self.transitions[t](z_above).astype(jnp.promote_types(self.dtype, jnp.float32)))

  def decode(self, z1: jax.Array) -> jax.Array:
    """Decoder output (likelihood parameters) of p(x | z_1): [..., d_1] -> [..., *example_shape(*P)]."""
    return self.data_decoder(z1)

  def generate(self, keys: jax.Array) -> jax.Array:
    """Ancestral sample z_T ~ N(0, I), z_t ~ p(z_t | z_{t+1}) down to z_1, one per key: [N, d_1]."""
    top = len(self.latent_dims) - 1
    d_top = self.latent_dims[top]
    z = jax.vmap(lambda k: jax.random.normal(k, (d_top,)))(layer_keys(keys, top))  # [N, d_T]
    for t in reversed(range(top)):
      mean, log_var = self.transition(z, t)
      z = objectives.sample_posterior(layer_keys(keys, t), mean, log_var, 1)[0]  # [N, d_t]
    return z
