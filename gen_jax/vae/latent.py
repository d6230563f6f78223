"""A latent-variable model as the objectives, the evaluation and the pictures see it.

`LatentModel` pairs an encoder q(z|x) (`HierarchicalEncoder` or `FlowEncoder`,
returning a `PosteriorSample`) with a `HierarchicalDecoder` p(x, z) and a
decoder likelihood. Its parameters are {'encoder': ..., 'decoder': ...}.
"""

import dataclasses

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.vae import objectives
from gen_jax.vae.hierarchical import HierarchicalDecoder, PosteriorSample


@dataclasses.dataclass(frozen=True)
class LatentModel:
  """Encoder, decoder and likelihood of a VAE-style model.

  Attributes:
    encoder: module (x [B, ...], keys [B], num_samples, deterministic) -> PosteriorSample.
    decoder: HierarchicalDecoder.
    likelihood: decoder likelihood (objectives.LIKELIHOODS).
    decoder_log_var: log sigma^2 of a 'gaussian_fixed' decoder.
    example_shape: shape of one example.
  """

  encoder: nn.Module
  decoder: HierarchicalDecoder
  likelihood: str
  example_shape: tuple
  decoder_log_var: float = 0.0

  @property
  def code_dim(self) -> int:
    """Size of z_1, the latent the decoder reads."""
    return int(self.decoder.latent_dims[0])

  def init(self, key: jax.Array) -> dict:
    """Parameters {'encoder', 'decoder'} for a batch of two zero examples."""
    enc_key, dec_key, noise_key = jax.random.split(key, 3)
    x = jnp.zeros((2,) + tuple(self.example_shape), jnp.float32)
    keys = jax.random.split(noise_key, 2)
    encoder = self.encoder.init(enc_key, x, keys, 1)["params"]
    posterior = self.encoder.apply({"params": encoder}, x, keys, 1)
    decoder = self.decoder.init(dec_key, posterior.z)["params"]
    return {"encoder": encoder, "decoder": decoder}

  def posterior(self, params: dict, x: jax.Array, keys: jax.Array, num_samples: int,
                deterministic: bool = False) -> PosteriorSample:
    """S samples of q(z|x) per example (keys [B])."""
    return self.encoder.apply({"params": params["encoder"]}, x, keys, num_samples, deterministic)

  def log_likelihood(self, x: jax.Array, out: jax.Array) -> jax.Array:
    """log p(x | z) for decoder outputs out [S, B, ...]: [S, B]."""
    return objectives.decoder_log_likelihood(x, out, self.likelihood, len(self.example_shape), self.decoder_log_var)

  def terms(self, params: dict, x: jax.Array, keys: jax.Array, num_samples: int):
    """(log p(x|z) [S, B], log p(z) [S, B], PosteriorSample) at S posterior samples per example."""
    posterior = self.posterior(params, x, keys, num_samples)
    out, log_prior = self.decoder.apply({"params": params["decoder"]}, posterior.z)
    return self.log_likelihood(x, out), log_prior, posterior

  def decode(self, params: dict, z1: jax.Array) -> jax.Array:
    """Decoder output (likelihood parameters) for codes z_1 [..., d_1]."""
    return self.decoder.apply({"params": params["decoder"]}, z1, method=HierarchicalDecoder.decode)

  def decode_mean(self, params: dict, z1: jax.Array) -> jax.Array:
    """E[x | z_1] for codes [N, d_1]: [N, *example_shape]."""
    return objectives.decoder_mean(self.decode(params, z1), self.likelihood)

  def code(self, params: dict, x: jax.Array) -> jax.Array:
    """The noise-free code of x: z_1 at the posterior mean (through the flow, if any), [B, d_1]."""
    keys = jax.random.split(jax.random.PRNGKey(0), x.shape[0])
    return self.posterior(params, x, keys, 1, deterministic=True).z[0][0]

  def generate(self, params: dict, keys: jax.Array) -> jax.Array:
    """E[x | z_1] at one ancestral sample z ~ p(z) per key: [N, *example_shape]."""
    z1 = self.decoder.apply({"params": params["decoder"]}, keys, method=HierarchicalDecoder.generate)
    return self.decode_mean(params, z1)
