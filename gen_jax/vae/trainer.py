"""Assembling a VAE-family `Trainer` from a model and a loss, and checking the family's config fields."""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.train.family import Trainer
from gen_jax.train.optim import optimizer_from_config
from gen_jax.train.net_state import evaluation_params, make_state
from gen_jax.vae import heldout, objectives, plots, updates
from gen_jax.vae.latent import LatentModel


def check_non_negative(value, field: str) -> float:
  """value, or ValueError naming `field` unless it is a number >= 0."""
  if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
    raise ValueError(f"{field}: expected a number >= 0, got {value!r}")
  return float(value)


def compute_dtype(config):
  """The networks' computation dtype, from train.compute_dtype."""
  return jnp.dtype(config.train.compute_dtype)


def make_optimizers(config, names, learning_rates: dict | None = None) -> dict:
  """One Adam per network at optim.learning_rate (or `learning_rates`' entry), with optim.schedule
  (see gen_jax.train.optim)."""
  learning_rates = learning_rates or {}
  return {name: optimizer_from_config(config, learning_rates.get(name, config.optim.learning_rate))
          for name in names}


def check_eval_config(eval_config) -> None:
  """ValueError naming the field unless eval.iwae_k, eval.iwae_chunk, eval.batch_size are valid."""
  heldout.check_eval_sizes(eval_config.iwae_k, eval_config.iwae_chunk, eval_config.batch_size)


def latent_trainer(config, spec, model: LatentModel, init_params, update, optimizers: dict,
                   traversal_units: int = 8) -> Trainer:
  """A Trainer for a LatentModel: `init_params(key) -> params` (networks of `optimizers`), `update`
  as the engine calls it; sampling, pictures and evaluation from the model.

  evaluate() reports the importance-sampled NLL with eval.iwae_k samples, the
  ELBO and its parts, and active units on the held-out split.
  """
  check_eval_config(config.eval)

  def init(key):
    return make_state(key, init_params(key), optimizers)

  @functools.partial(jax.jit, static_argnums=2)
  def sample(state, key, n):
    return model.generate(evaluation_params(state), jax.random.split(key, n))

  def save_pictures(state, key, directory, step_number, data):
    params = evaluation_params(state)
    encode = jax.jit(lambda x: model.code(params, x))
    decode = jax.jit(lambda z: model.decode_mean(params, z))
    generate = lambda n: sample(state, key, n)
    return plots.save_latent_pictures(encode, decode, generate, directory, step_number, data, spec.value_range,
                                      traversal_units)

  def evaluate(state, data, key):
    if data.test is None:
      raise ValueError(f"data.name: {spec.name!r} has no held-out split to evaluate on")
    x = np.asarray(data.test["x"])
    if model.likelihood == "bernoulli":
      x = heldout.bernoulli_ready(x, config.eval.seed)
    return heldout.evaluate_latent_model(model, evaluation_params(state), x, key, config.eval.iwae_k,
                                            config.eval.iwae_chunk, config.eval.batch_size)

  return Trainer(init=init, update=update, sample=sample, save_pictures=save_pictures, evaluate=evaluate)


def likelihood_trainer(config, spec, model: LatentModel, loss_fn) -> Trainer:
  """latent_trainer for a model whose encoder and decoder minimize one loss (one Adam each)."""
  optimizers = make_optimizers(config, ("encoder", "decoder"))
  return latent_trainer(config, spec, model, model.init, updates.make_update(loss_fn, optimizers), optimizers)


def check_likelihood_data(likelihood: str, spec) -> None:
  """ValueError unless a Bernoulli decoder gets binarized data in [0, 1]."""
  objectives.check_likelihood(likelihood)
  if likelihood == "bernoulli" and (not spec.binarized or tuple(spec.value_range) != (0.0, 1.0)):
    raise ValueError("objective.likelihood: 'bernoulli' needs binary data: set data.binarize='static' or "
                     "'dynamic' and data.scale='0_1' (or use a Gaussian likelihood)")
