"""Tiny GAN configs for the tests: a few-second config and the same sizes as command-line flags."""

from configs import gan_base
from gen_jax import data as gdata
from gen_jax.train import registry
from tests.helpers.family_worker import few_steps


def tiny_config(model="gan", data="ring8", **fields):
  """A few-second config: small networks, small batches; fields as 'group.name': value."""
  c = gan_base.get_config()
  c.model.name = model
  c.data.name = data
  c.data.num_examples = 512
  c.data.fresh_samples = data == "ring8"
  c.data.batch_size = 16
  c.model.generator_hidden = (16, 16)
  c.model.discriminator_hidden = (8, 8)
  c.model.maxout_pieces = 2
  c.model.features = 4
  c.model.latent_dim = 3
  c.model.num_categories = 3
  c.train.num_steps = 2
  c.train.steps_per_jit = 2
  c.train.log_every = 2
  c.train.eval_every = 2
  c.train.checkpoint_every = 2
  c.train.progress = False
  c.eval.num_samples = 64
  c.optim.learning_rate = 1e-4  # Adam moves a parameter by <= ~lr per step: the 1-vs-4-device bound below
  for dotted, value in fields.items():
    group, name = dotted.split(".")
    c[group][name] = value
  return c


# tiny_config's sizes as command-line overrides of a configs/ file (the script tests).
TINY_FLAGS = ["--config.model.generator_hidden=(16,16)", "--config.model.discriminator_hidden=(8,8)",
              "--config.data.batch_size=16", "--config.train.num_steps=2", "--config.train.steps_per_jit=2",
              "--config.train.log_every=2", "--config.train.eval_every=2", "--config.train.checkpoint_every=2",
              "--config.train.progress=False", "--config.eval.num_samples=64", "--config.eval.progress=False"]


def tiny_digit_config(c, fields: dict):
  """Config `c` (a base of the equalized-layer GANs, ProGAN and StyleGAN2) at a few-second size: 8x8 digits,
  4-channel networks, batch 8 with minibatch-stddev groups of 2 (the 2 examples on each of 4 devices form
  whole groups), 2 steps (`few_steps`), then `fields` ('group.name': value)."""
  c.data.name = "digits"
  c.data.batch_size = 8
  c.model.latent_dim = 4
  c.model.features = 4
  c.model.minibatch_group = 2
  c.optim.learning_rate = 1e-4  # Adam moves a parameter by <= ~lr per step: the 1-vs-4-device bound
  c.eval.num_samples = 16
  return few_steps(c, fields)


def build(config):
  """(trainer, dataset) of a config, as the engine builds them."""
  dataset = gdata.load(config.data)
  return registry.get_model(config.model.name)(config, dataset.spec), dataset
