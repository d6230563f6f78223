"""The adversarial autoencoder (Makhzani et al. 2016), registered as 'aae'.

An encoder whose aggregate posterior is pushed to N(0, I) by a discriminator on
codes, plus a decoder trained on reconstruction (gen_jax.gan.updates.aae_update).
"""

import functools
import os

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.eval import plots
from gen_jax.gan import regularizers, updates
from gen_jax.gan.components import (check_model_fields, critic_body, decoder_body, layer_factories,
                                    objective_from_config, optimizers_from_config)
from gen_jax.gan.models import GRID_COLUMNS, init_nets, run_sampler
from gen_jax.gan.networks import Discriminator, Generator
from gen_jax.gan.pictures import save_point_pictures
from gen_jax.gan.sample_metrics import evaluation
from gen_jax.nets.dcgan import DCGANEncoder
from gen_jax.nets.mlp import MLP
from gen_jax.train.family import Trainer
from gen_jax.train import parallel
from gen_jax.train.registry import register_model


class _Encoder(nn.Module):
  """Deterministic encoder x -> z [B, latent_dim]: a body's features then a linear layer."""

  body: nn.Module
  latent_dim: int
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = True) -> jax.Array:
    h = self.body(x, train=train)
    return nn.Dense(self.latent_dim, dtype=self.dtype)(h).astype(jnp.float32)


@register_model("aae")
def build_aae(config, spec) -> Trainer:
  """Trainer of the adversarial autoencoder (see module doc); samples decode z ~ N(0, I)."""
  check_model_fields(config, spec)
  objective = objective_from_config(config, "aae")
  m = config.model
  dtype = jnp.dtype(config.train.compute_dtype)
  g_tx, d_tx = optimizers_from_config(config)
  dense, _ = layer_factories(config)
  points = spec.kind == "points"
  encoder_body = (MLP(hidden=tuple(m.generator_hidden[:-1]), out=m.generator_hidden[-1], act="relu", dtype=dtype)
                  if points else DCGANEncoder(m.features, dtype=dtype))
  encoder = updates.Net(_Encoder(encoder_body, m.latent_dim, dtype), g_tx)
  decoder = updates.Net(Generator(decoder_body(config, spec, dtype, parallel.AXIS)), g_tx)
  samplers = {"encoder": encoder.module, "decoder": Generator(decoder_body(config, spec, dtype, None))}
  d = updates.Net(Discriminator(critic_body(config, dtype, True), dense=dense, dtype=dtype), d_tx)
  example_shape = tuple(spec.example_shape)

  def init(key):
    x = jnp.zeros((2,) + example_shape)
    z = jnp.zeros((2 * objective.pack, m.latent_dim))
    return init_nets({"encoder": (encoder, (x,)), "decoder": (decoder, (z[:2],)),
                      "discriminator": (d, (regularizers.pack(z, objective.pack),))}, key)

  def update(state, batch, key):
    return updates.aae_update(encoder, decoder, d, objective, m.latent_dim, state, batch, key)

  @functools.partial(jax.jit, static_argnums=(1,))
  def apply_eval(state, name, inputs):
    return run_sampler(samplers[name], state, name, inputs)

  def sample(state, key, n):
    """n decodings of z ~ N(0, I), drawn jointly (see `sampling_params`)."""
    return apply_eval(state, "decoder", jax.random.normal(key, (n, m.latent_dim)))

  def reconstruct(state, x):
    return apply_eval(state, "decoder", apply_eval(state, "encoder", x))

  def save_pictures(state, key, directory, step_number, data):
    if points:
      return save_point_pictures(np.asarray(sample(state, key, config.eval.num_samples)), directory,
                                 step_number, data)
    originals = jnp.asarray((data.test or data.train)["x"][:5 * GRID_COLUMNS])
    pairs = jnp.stack([originals, reconstruct(state, originals)], axis=1)          # [n, 2, H, W, C]
    pairs = pairs.reshape(5, GRID_COLUMNS, 2, *example_shape).transpose(0, 2, 1, 3, 4, 5)
    return [plots.save_image_grid(sample(state, key, 10 * GRID_COLUMNS),
                                  os.path.join(directory, f"samples_{step_number:07d}.png"), GRID_COLUMNS,
                                  value_range=spec.value_range),
            plots.save_image_grid(pairs.reshape(-1, *example_shape),
                                  os.path.join(directory, f"reconstructions_{step_number:07d}.png"),
                                  GRID_COLUMNS, value_range=spec.value_range)]

  def evaluate(state, data, key):
    results = evaluation(config, sample, state, data, key)
    x = jnp.asarray((data.test or data.train)["x"])
    squared_error = jnp.sum(jnp.square(reconstruct(state, x) - x).reshape(len(x), -1), axis=1)
    results["reconstruction_mse"] = float(jnp.mean(squared_error))
    codes = np.asarray(apply_eval(state, "encoder", x))
    results["code_mean_abs"] = float(np.mean(np.abs(codes.mean(0))))   # aggregate posterior vs N(0, I)
    results["code_std"] = float(np.mean(codes.std(0)))
    return results

  return Trainer(init=init, update=update, sample=sample, save_pictures=save_pictures, evaluate=evaluate)
