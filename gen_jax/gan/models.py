"""The GAN family's registered models 'gan', 'cgan' and 'infogan' ('aae' is in gen_jax.gan.aae).

Each builder reads its config (fields in configs/gan_base.py), validates the
family's fields (ValueError naming the field) and returns a `Trainer`:

* 'gan': x = G(z), z ~ N(0, I); every objective and stabilizer of
  gen_jax.gan.losses / regularizers is a config field (objective.loss,
  gradient_penalty, r1, clip, n_critic, pack; model.spectral_norm; two learning
  rates optim.learning_rate (G) and optim.discriminator_learning_rate (D): TTUR).
* 'cgan': G(z, y) and a projection discriminator D(x, y) (labels from the data).
* 'infogan': G(z, c) with a categorical and continuous codes c, and a head Q(c | x)
  on the discriminator's features trained on the mutual-information bound.


2-D data uses MLPs (the benchmark's generator: 4 x 400 ReLU + BatchNorm;
discriminator: 3 x 200 maxout with 5 pieces, or LeakyReLU 0.2 with
model.discriminator_act); images use DCGAN networks (BatchNorm in the
discriminator with model.discriminator_batch_norm).
"""

import dataclasses
import os

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.eval import plots
from gen_jax.gan import regularizers, updates
from gen_jax.gan.components import (check_model_fields, critic_body, decoder_body, layer_factories,
                                    objective_from_config, optimizers_from_config)
from gen_jax.gan.latents import (LatentFn, categorical_latent, gaussian_latent, info_input, info_latent,
                                 offsets_from_points, scale_continuous, truncated_normal_latent)
from gen_jax.gan.networks import Discriminator, Generator
from gen_jax.gan.pictures import save_point_pictures
from gen_jax.gan.sample_metrics import evaluation
from gen_jax.train import parallel
from gen_jax.train.family import Trainer
from gen_jax.train.net_state import evaluation_params, init_modules
from gen_jax.train.registry import register_model

GRID_COLUMNS = 10
# Rows of BigGAN's truncation picture: z ~ N(0, I) truncated to |z_i| <= threshold (inf: not truncated).
TRUNCATION_THRESHOLDS = (float("inf"), 1.0, 0.5, 0.25)


# ----------------------------------------------------------------------------------------------
# Shared Trainer pieces (also used by gen_jax.gan.aae).


def sampling_params(state) -> tuple[dict, bool]:
  """(parameters to sample with, whether BatchNorm uses the sampled batch's own statistics).

  With an EMA (train.ema_decay > 0): (state.ema_params, True). The averaged
  weights never had running statistics of their own, so, as SWA recomputes
  them, BatchNorm normalizes with the statistics of the batch being sampled
  (draw a few hundred examples or more at once). Without: (state.params, False),
  BatchNorm uses its running averages.
  """
  return evaluation_params(state), bool(state.ema_params)


def run_sampler(module: nn.Module, state, name: str, *inputs):
  """`module` (a sampling instance, BatchNorm without a mesh axis) applied with `sampling_params`."""
  params, batch_statistics = sampling_params(state)
  return updates.apply_net(module, params[name], state.model_state[name], *inputs, train=batch_statistics)[0]


def init_nets(nets: dict[str, tuple[updates.Net, tuple]], key: jax.Array):
  """TrainState for named networks given (Net, example inputs); params, optimizer and model states."""
  return init_modules({name: net.module for name, (net, _) in nets.items()},
                      {name: inputs for name, (_, inputs) in nets.items()},
                      {name: net.optimizer for name, (net, _) in nets.items()}, key)


# ----------------------------------------------------------------------------------------------
# GAN, conditional GAN, InfoGAN.


def offsets_from_batch(state, x_local: jax.Array, num_offsets: int):
  """`state` with the generator's category offsets (and their EMA) set to `offsets_from_points` of the
  global batch (gathered over the devices, so every device and device count starts from the same offsets)."""
  offsets = offsets_from_points(parallel.global_batch(x_local), num_offsets)  # [K, D]
  with_offsets = lambda params: {**params, "generator": {**params["generator"], "offsets": offsets}}
  return state.replace(params=with_offsets(state.params),
                       ema_params=with_offsets(state.ema_params) if state.ema_params else state.ema_params)


@dataclasses.dataclass(frozen=True)
class _Variant:
  """What distinguishes gan / cgan / infogan: the latent, conditioning and the Q head's size."""

  latent: LatentFn
  input_dim: int
  num_classes: int
  num_codes: int
  num_offsets: int = 0


def _variant(config, spec) -> _Variant:
  m = config.model
  if m.name == "infogan":
    return _Variant(info_latent(m.latent_dim, m.num_categories, m.num_continuous),
                    m.latent_dim + m.num_categories + m.num_continuous, 0, m.num_categories + m.num_continuous)
  num_classes = spec.num_classes if m.name == "cgan" else 0
  if m.latent == "categorical":
    return _Variant(categorical_latent(m.num_categories, m.latent_dim), m.num_categories + m.latent_dim,
                    num_classes, 0, m.num_categories if m.category_offset_scale > 0 else 0)
  return _Variant(gaussian_latent(m.latent_dim), m.latent_dim, num_classes, 0)


def build_adversarial(config, spec) -> Trainer:
  """Trainer of 'gan', 'cgan' and 'infogan' (see module doc)."""
  check_model_fields(config, spec)
  objective = objective_from_config(config, config.model.name)
  variant = _variant(config, spec)
  dtype = jnp.dtype(config.train.compute_dtype)
  g_tx, d_tx = optimizers_from_config(config)
  dense, _ = layer_factories(config)
  generator = lambda axis: Generator(decoder_body(config, spec, dtype, axis), variant.num_classes,
                                     variant.num_offsets, config.model.category_offset_scale,
                                     class_conditional_body=config.model.architecture == "biggan")
  g = updates.Net(generator(parallel.AXIS), g_tx)
  sampler = generator(None)
  d = updates.Net(Discriminator(critic_body(config, dtype, spec.kind == "points"), variant.num_classes,
                             variant.num_codes, dense=dense, dtype=dtype), d_tx)
  conditional = variant.num_classes > 0
  labels_or_none = lambda labels: labels if conditional else None
  example_shape = tuple(spec.example_shape)

  def init(key):
    z = jnp.zeros((2 * objective.pack, variant.input_dim))
    labels = labels_or_none(jnp.zeros((2,), jnp.int32))
    packed = regularizers.pack(jnp.zeros((2 * objective.pack,) + example_shape), objective.pack)
    return init_nets({"generator": (g, (z, labels)), "discriminator": (d, (packed, labels))}, key)

  def update(state, batch, key):
    if variant.num_offsets and config.model.category_offset_init == "data":
      state = jax.lax.cond(state.step == 0, lambda: offsets_from_batch(state, batch["x"], variant.num_offsets),
                           lambda: state)
    return updates.adversarial_update(g, d, objective, variant.latent, conditional, state, batch, key)

  @jax.jit
  def generate(state, z, labels):
    return run_sampler(sampler, state, "generator", z, labels_or_none(labels))

  def sample_with_labels(state, key, n, labels=None):
    z, _ = variant.latent(jax.random.split(key, n))
    if config.model.latent == "categorical":
      z = scale_continuous(z, config.eval.latent_scale, config.model.num_categories)
    if labels is None:
      labels = jnp.arange(n) % max(variant.num_classes, 1)
    return generate(state, z, labels)

  def sample(state, key, n):
    """n examples drawn jointly (see `sampling_params`); a conditional GAN cycles through the classes
    (example i has label i mod classes)."""
    return sample_with_labels(state, key, n)

  def save_pictures(state, key, directory, step_number, data):
    if spec.kind == "points":
      return save_point_pictures(np.asarray(sample(state, key, config.eval.num_samples)), directory,
                                 step_number, data)
    if config.model.name == "infogan":
      images = info_sweep(state, key)
      return [plots.save_image_grid(images, os.path.join(directory, f"codes_{step_number:07d}.png"),
                                    GRID_COLUMNS, value_range=spec.value_range)]
    rows = variant.num_classes or GRID_COLUMNS
    labels = jnp.repeat(jnp.arange(rows), GRID_COLUMNS) if conditional else None  # one class per row
    images = sample_with_labels(state, key, rows * GRID_COLUMNS, labels)
    paths = [plots.save_image_grid(images, os.path.join(directory, f"samples_{step_number:07d}.png"),
                                   GRID_COLUMNS, value_range=spec.value_range)]
    if config.model.architecture == "biggan":
      paths.append(plots.save_image_grid(truncation_sweep(state, key), os.path.join(
          directory, f"truncation_{step_number:07d}.png"), GRID_COLUMNS, value_range=spec.value_range))
    return paths

  def truncation_sweep(state, key):
    """BigGAN's truncation trick (Brock et al., 2019, section 3.1): row r draws z ~ N(0, I) truncated to
    |z_i| <= TRUNCATION_THRESHOLDS[r] from the same uniforms (a quantile map, so one column is one sample
    pulled toward 0), column c the class c mod num_classes; one batch, so BatchNorm's statistics are shared."""
    z = jnp.concatenate([truncated_normal_latent(key, (GRID_COLUMNS, variant.input_dim), t)
                         for t in TRUNCATION_THRESHOLDS])                      # [rows * cols, Z]
    return generate(state, z, jnp.tile(jnp.arange(GRID_COLUMNS) % variant.num_classes, len(TRUNCATION_THRESHOLDS)))

  def info_sweep(state, key):
    """Rows: categories; columns: the first continuous code swept over [-1, 1]; one z per row."""
    m = config.model
    k = m.num_categories
    z = jnp.repeat(jax.random.normal(key, (k, m.latent_dim)), GRID_COLUMNS, axis=0)     # [k * cols, Z]
    category = jnp.repeat(jnp.arange(k), GRID_COLUMNS)
    continuous = jnp.zeros((k * GRID_COLUMNS, m.num_continuous))
    if m.num_continuous:
      continuous = continuous.at[:, 0].set(jnp.tile(jnp.linspace(-1.0, 1.0, GRID_COLUMNS), k))
    return generate(state, info_input(z, category, continuous, k), None)

  def evaluate(state, data, key):
    return evaluation(config, sample, state, data, key)

  def sample_labelled(state, key, labels):
    """One example per label [n] (the conditional GAN)."""
    return sample_with_labels(state, key, labels.shape[0], labels)

  return Trainer(init=init, update=update, sample=sample, save_pictures=save_pictures, evaluate=evaluate,
                 batches_per_step=objective.n_critic, sample_labelled=sample_labelled if conditional else None)


for _name in ("gan", "cgan", "infogan"):
  register_model(_name)(build_adversarial)
