"""The GAN family's registered models: 'gan', 'cgan', 'infogan', 'aae'.

Each builder reads its config (fields in configs/gan_base.py), validates the
family's fields (ValueError naming the field) and returns a `Trainer`:

* 'gan': x = G(z), z ~ N(0, I); every objective and stabilizer of
  gen_jax.gan.losses / regularizers is a config field (objective.loss,
  gradient_penalty, r1, clip, n_critic, pack; model.spectral_norm; two learning
  rates optim.learning_rate (G) and optim.discriminator_learning_rate (D): TTUR).
* 'cgan': G(z, y) and a projection discriminator D(x, y) (labels from the data).
* 'infogan': G(z, c) with a categorical and continuous codes c, and a head Q(c | x)
  on the discriminator's features trained on the mutual-information bound.
* 'aae': an encoder whose aggregate posterior is pushed to N(0, I) by a
  discriminator on codes, plus a decoder trained on reconstruction.

2-D data uses MLPs (the benchmark's generator: 4 x 400 ReLU + BatchNorm;
discriminator: 3 x 200 maxout with 5 pieces, or LeakyReLU 0.2 with
model.discriminator_act); images use DCGAN networks (BatchNorm in the
discriminator with model.discriminator_batch_norm).
"""

import dataclasses
import functools
import glob
import os
from typing import Any, Callable

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.checks import check_non_negative_int, check_positive_int
from gen_jax.eval import modes, plots
from gen_jax.gan import losses, regularizers, rejection, step
from gen_jax.gan.networks import CRITIC_UNITS, CriticMLP, Discriminator, Generator
from gen_jax.nets.dcgan import DCGANEncoder, DCGANGenerator
from gen_jax.nets.mlp import MLP
from gen_jax.train import parallel
from gen_jax.train.family import Trainer
from gen_jax.train.optim import optimizer_from_config
from gen_jax.train.registry import register_model
from gen_jax.train.state import create_state

GRID_COLUMNS = 10


def _check(condition: bool, field: str, expected: str, value) -> None:
  if not condition:
    raise ValueError(f"{field}: expected {expected}, got {value!r}")


def objective_from_config(config, model_name: str) -> step.Objective:
  """The validated `step.Objective` of config.objective (and model.name's constraints)."""
  o = config.objective
  losses.check_kind(o.loss, "objective.loss")
  for field in ("gradient_penalty", "r1", "clip", "info_weight", "adversarial_weight"):
    _check(o[field] >= 0, f"objective.{field}", "a non-negative number", o[field])
  for field in ("n_critic", "pack"):
    check_positive_int(o[field], f"objective.{field}")
  _check(o.pack == 1 or model_name in ("gan", "aae"), "objective.pack",
         f"1 for model {model_name!r} (packing mixes the labels or codes of several examples)", o.pack)
  _check(model_name == "gan" or o.n_critic == 1, "objective.n_critic", f"1 for model {model_name!r}", o.n_critic)
  b = config.data.batch_size
  _check(b % o.pack == 0, "objective.pack", f"a divisor of data.batch_size={b}", o.pack)
  return step.Objective(loss=o.loss, gradient_penalty=o.gradient_penalty, r1=o.r1, clip=o.clip,
                        n_critic=o.n_critic, pack=o.pack,
                        info_weight=o.info_weight if model_name == "infogan" else 0.0,
                        adversarial_weight=o.adversarial_weight)


def _optimizers(config) -> tuple[Any, Any]:
  """(generator-side optimizer, discriminator optimizer): Adam at the two learning rates (TTUR),
  each with optim.schedule."""
  o = config.optim
  _check(o.discriminator_learning_rate >= 0, "optim.discriminator_learning_rate",
         "> 0 (or 0 for optim.learning_rate)", o.discriminator_learning_rate)
  d_lr = o.discriminator_learning_rate or o.learning_rate
  return optimizer_from_config(config, o.learning_rate), optimizer_from_config(config, d_lr)


def _layer_factories(config) -> tuple[Callable, Callable]:
  """(dense, conv) for the discriminator: spectrally normalized when model.spectral_norm."""
  if config.model.spectral_norm:
    return regularizers.spectral_normalized(nn.Dense, True), regularizers.spectral_normalized(nn.Conv, True)
  return nn.Dense, nn.Conv


def _output_activation(spec) -> str:
  return "tanh" if tuple(spec.value_range) == (-1.0, 1.0) else "sigmoid"


def _decoder_body(config, spec, dtype, axis_name: str | None) -> nn.Module:
  """Latent vector -> example: the benchmark MLP (2-D) or the DCGAN generator (images).

  `axis_name`: parallel.AXIS for training (global BatchNorm statistics), None for sampling.
  """
  m = config.model
  if spec.kind == "points":
    return MLP(hidden=tuple(m.generator_hidden), out=spec.example_shape[0], act="relu",
               batch_norm=m.generator_batch_norm, axis_name=axis_name, dtype=dtype)
  return DCGANGenerator(tuple(spec.example_shape), m.features, _output_activation(spec), axis_name, dtype,
                        m.generator_refine)


def _critic_body(config, dtype, points: bool) -> nn.Module:
  """Input -> features: the MLP of model.discriminator_act (2-D points or latent codes) or the DCGAN
  encoder (images; BatchNorm over the global batch when model.discriminator_batch_norm)."""
  m = config.model
  dense, conv = _layer_factories(config)
  if not points:
    return DCGANEncoder(m.features, conv, m.discriminator_batch_norm, parallel.AXIS, dtype)
  return CriticMLP(tuple(m.discriminator_hidden), m.discriminator_act, m.maxout_pieces, dense, dtype)


def _check_model_fields(config, spec) -> None:
  m = config.model
  _check(spec.kind in ("points", "images"), "data.name", "a 'points' or 'images' dataset", spec.kind)
  _check(m.latent_dim >= 1, "model.latent_dim", "a positive integer", m.latent_dim)
  _check(m.maxout_pieces >= 1, "model.maxout_pieces", "a positive integer", m.maxout_pieces)
  _check(len(m.discriminator_hidden) >= 1, "model.discriminator_hidden", "at least one width",
         m.discriminator_hidden)
  _check(m.discriminator_act in CRITIC_UNITS, "model.discriminator_act", f"one of {CRITIC_UNITS}",
         m.discriminator_act)
  if m.discriminator_batch_norm:
    _check(spec.kind == "images" and m.name != "aae", "model.discriminator_batch_norm",
           "False unless the discriminator is the DCGAN one (image data, not the AAE's code discriminator)",
           m.discriminator_batch_norm)
    o = config.objective
    _check(o.gradient_penalty == 0 and o.r1 == 0, "model.discriminator_batch_norm",
           "False with objective.gradient_penalty > 0 or objective.r1 > 0 (the penalties need a critic that "
           "scores each example independently; WGAN-GP advises no batch norm in the critic)",
           m.discriminator_batch_norm)
  e = config.eval
  check_non_negative_int(e.rejection_steps, "eval.rejection_steps")
  if e.rejection_steps:
    _check(spec.kind == "points", "eval.rejection_steps", "0 for image data (discriminator rejection sampling "
           "is implemented for 2-D points)", e.rejection_steps)
    check_positive_int(e.rejection_pool, "eval.rejection_pool")
    _check(0 < e.rejection_quantile <= 1, "eval.rejection_quantile", "a number in (0, 1]", e.rejection_quantile)
    _check(e.rejection_learning_rate > 0, "eval.rejection_learning_rate", "> 0", e.rejection_learning_rate)
    check_positive_int(e.rejection_batch_size, "eval.rejection_batch_size")
  if m.name in ("cgan",):
    _check(spec.num_classes > 0, "data.name", f"a labelled dataset for model {m.name!r}", spec.name)
  if m.name == "infogan":
    _check(m.num_categories >= 1, "model.num_categories", "a positive integer", m.num_categories)
    _check(m.num_continuous >= 0, "model.num_continuous", "a non-negative integer", m.num_continuous)


# ----------------------------------------------------------------------------------------------
# Latents.


def gaussian_latent(latent_dim: int) -> step.LatentFn:
  """keys [b] -> (z [b, latent_dim] ~ N(0, I), no codes)."""
  return lambda keys: (jax.vmap(lambda k: jax.random.normal(k, (latent_dim,)))(keys), None)


def info_latent(latent_dim: int, num_categories: int, num_continuous: int) -> step.LatentFn:
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


# ----------------------------------------------------------------------------------------------
# Shared Trainer pieces.


def sampling_params(state) -> tuple[dict, bool]:
  """(parameters to sample with, whether BatchNorm uses the sampled batch's own statistics).

  With an EMA (train.ema_decay > 0): (state.ema_params, True). The averaged
  weights never had running statistics of their own, so, as SWA recomputes
  them, BatchNorm normalizes with the statistics of the batch being sampled
  (draw a few hundred examples or more at once). Without: (state.params, False),
  BatchNorm uses its running averages.
  """
  if state.ema_params:
    return state.ema_params, True
  return state.params, False


def run_sampler(module: nn.Module, state, name: str, *inputs):
  """`module` (a sampling instance, BatchNorm without a mesh axis) applied with `sampling_params`."""
  params, batch_statistics = sampling_params(state)
  return step.apply_net(module, params[name], state.model_state[name], *inputs, train=batch_statistics)[0]


def init_nets(nets: dict[str, tuple[step.Net, tuple]], key: jax.Array):
  """TrainState for named networks given (Net, example inputs); params, optimizer and model states."""
  params, opt_state, model_state = {}, {}, {}
  for i, (name, (net, inputs)) in enumerate(nets.items()):
    variables = net.module.init(jax.random.fold_in(key, i), *inputs, train=False)
    params[name] = variables.pop("params")
    model_state[name] = dict(variables)
    opt_state[name] = net.optimizer.init(params[name])
  return create_state(params, opt_state, model_state, key)


def _points_limits(spec) -> tuple[float, float]:
  lo, hi = spec.value_range
  margin = 0.15 * (hi - lo)
  return lo - margin, hi + margin


def save_point_pictures(samples, directory: str, step_number: int, data) -> list[str]:
  """Scatter of generated vs real points (mode centres marked) at this step, and the strip so far."""
  spec = data.spec
  path = plots.save_scatter(samples, os.path.join(directory, f"scatter_{step_number:07d}.png"),
                            reference=data.train["x"][:len(samples)], centres=spec.mode_centres,
                            title=f"{spec.name}, step {step_number}", limits=_points_limits(spec))
  strip = plots.save_strip(sorted(glob.glob(os.path.join(directory, "scatter_*.png"))),
                           os.path.join(directory, "strip.png"))
  return [path, strip]


def sample_metrics(samples: np.ndarray, data) -> dict[str, float]:
  """The mode-collapse benchmark for mixtures with known centres; moment errors for every dataset."""
  real = np.asarray(data.test["x"] if data.test is not None else data.train["x"], np.float64)
  samples = np.asarray(samples, np.float64)
  results = {
      "mean_abs_error": float(np.mean(np.abs(samples.mean(0) - real.mean(0)))),
      "std_ratio": float(np.mean(samples.std(0)) / max(np.mean(real.std(0)), 1e-12)),
      "num_samples": int(len(samples)),
  }
  if data.spec.mode_centres is not None:
    results.update(modes.mode_metrics(samples.reshape(len(samples), -1), data.spec.mode_centres,
                                      data.spec.mode_std))
  return results


def rejection_samples(config, sample: Callable, state, data, key: jax.Array) -> rejection.RejectionResult:
  """eval.num_samples draws of discriminator rejection sampling (gen_jax.gan.rejection).

  A log-ratio classifier with the discriminator's MLP body (no spectral norm) is trained for
  eval.rejection_steps (batches of eval.rejection_batch_size from each pool) on eval.rejection_pool
  fresh data points (seeded by eval.seed; the training split when the data has no sampler) against
  as many generator samples `sample(state, key, n)`; generator samples are then accepted with
  probability min(1, exp(c(x) - log M)), log M the eval.rejection_quantile of c over another pool.
  """
  e, m = config.eval, config.model
  fit_key, pool_key, envelope_key, draw_key = jax.random.split(jax.random.fold_in(key, 1), 4)
  real = data.sampler(np.random.default_rng(e.seed), e.rejection_pool)[0] if data.sampler else data.train["x"]
  classifier = rejection.LogRatioClassifier(CriticMLP(tuple(m.discriminator_hidden), m.discriminator_act,
                                                      m.maxout_pieces))
  params = rejection.fit_log_ratio(fit_key, classifier, jnp.asarray(real), sample(state, pool_key, e.rejection_pool),
                                   e.rejection_steps, e.rejection_batch_size, e.rejection_learning_rate)
  log_ratio = jax.jit(lambda x: classifier.apply(params, x))
  log_m = rejection.log_envelope(log_ratio(sample(state, envelope_key, e.rejection_pool)), e.rejection_quantile)
  return rejection.rejection_sample_generator(draw_key, lambda k, n: sample(state, k, n), log_ratio, log_m,
                                              e.num_samples)


def rejection_metrics(config, sample: Callable, state, data, key: jax.Array) -> dict[str, float]:
  """`sample_metrics` of `rejection_samples` (the rows it filled), prefixed 'drs/', with
  'drs/acceptance_rate' and 'drs/envelope_exceeded' (fraction of proposals with c(x) > log M)."""
  result = rejection_samples(config, sample, state, data, key)
  samples = np.asarray(result.samples)
  filled = samples[~np.isnan(samples).any(axis=1)]
  results = {rejection.METRIC_PREFIX + k: v for k, v in sample_metrics(filled, data).items()}
  results[rejection.METRIC_PREFIX + "acceptance_rate"] = float(result.acceptance_rate)
  results[rejection.METRIC_PREFIX + "envelope_exceeded"] = float(result.num_envelope_violations / result.num_proposed)
  return results


def evaluation(config, sample: Callable, state, data, key: jax.Array) -> dict[str, float]:
  """`sample_metrics` of eval.num_samples generator samples, plus `rejection_metrics` when
  eval.rejection_steps > 0."""
  results = sample_metrics(np.asarray(sample(state, key, config.eval.num_samples)), data)
  if config.eval.rejection_steps:
    results.update(rejection_metrics(config, sample, state, data, key))
  return results


# ----------------------------------------------------------------------------------------------
# GAN, conditional GAN, InfoGAN.


@dataclasses.dataclass(frozen=True)
class _Variant:
  """What distinguishes gan / cgan / infogan: the latent, conditioning and the Q head's size."""

  latent: step.LatentFn
  input_dim: int
  num_classes: int
  num_codes: int


def _variant(config, spec) -> _Variant:
  m = config.model
  if m.name == "infogan":
    return _Variant(info_latent(m.latent_dim, m.num_categories, m.num_continuous),
                    m.latent_dim + m.num_categories + m.num_continuous, 0, m.num_categories + m.num_continuous)
  num_classes = spec.num_classes if m.name == "cgan" else 0
  return _Variant(gaussian_latent(m.latent_dim), m.latent_dim, num_classes, 0)


def build_adversarial(config, spec) -> Trainer:
  """Trainer of 'gan', 'cgan' and 'infogan' (see module doc)."""
  _check_model_fields(config, spec)
  objective = objective_from_config(config, config.model.name)
  variant = _variant(config, spec)
  dtype = jnp.dtype(config.train.compute_dtype)
  g_tx, d_tx = _optimizers(config)
  dense, _ = _layer_factories(config)
  g = step.Net(Generator(_decoder_body(config, spec, dtype, parallel.AXIS), variant.num_classes), g_tx)
  sampler = Generator(_decoder_body(config, spec, dtype, None), variant.num_classes)
  d = step.Net(Discriminator(_critic_body(config, dtype, spec.kind == "points"), variant.num_classes,
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
    return step.adversarial_update(g, d, objective, variant.latent, conditional, state, batch, key)

  @jax.jit
  def generate(state, z, labels):
    return run_sampler(sampler, state, "generator", z, labels_or_none(labels))

  def sample_with_labels(state, key, n, labels=None):
    z, _ = variant.latent(jax.random.split(key, n))
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
    return [plots.save_image_grid(images, os.path.join(directory, f"samples_{step_number:07d}.png"),
                                  GRID_COLUMNS, value_range=spec.value_range)]

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

  return Trainer(init=init, update=update, sample=sample, save_pictures=save_pictures, evaluate=evaluate,
                 batches_per_step=objective.n_critic)


for _name in ("gan", "cgan", "infogan"):
  register_model(_name)(build_adversarial)


# ----------------------------------------------------------------------------------------------
# Adversarial autoencoder.


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
  _check_model_fields(config, spec)
  objective = objective_from_config(config, "aae")
  m = config.model
  dtype = jnp.dtype(config.train.compute_dtype)
  g_tx, d_tx = _optimizers(config)
  dense, _ = _layer_factories(config)
  points = spec.kind == "points"
  encoder_body = (MLP(hidden=tuple(m.generator_hidden[:-1]), out=m.generator_hidden[-1], act="relu", dtype=dtype)
                  if points else DCGANEncoder(m.features, dtype=dtype))
  encoder = step.Net(_Encoder(encoder_body, m.latent_dim, dtype), g_tx)
  decoder = step.Net(Generator(_decoder_body(config, spec, dtype, parallel.AXIS)), g_tx)
  samplers = {"encoder": encoder.module, "decoder": Generator(_decoder_body(config, spec, dtype, None))}
  d = step.Net(Discriminator(_critic_body(config, dtype, True), dense=dense, dtype=dtype), d_tx)
  example_shape = tuple(spec.example_shape)

  def init(key):
    x = jnp.zeros((2,) + example_shape)
    z = jnp.zeros((2 * objective.pack, m.latent_dim))
    return init_nets({"encoder": (encoder, (x,)), "decoder": (decoder, (z[:2],)),
                      "discriminator": (d, (regularizers.pack(z, objective.pack),))}, key)

  def update(state, batch, key):
    return step.aae_update(encoder, decoder, d, objective, m.latent_dim, state, batch, key)

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
