"""The paired image-to-image family's registered models 'srgan' (with the 'esrgan' options) and 'pix2pix'.

Both train on a 'paired' dataset (gen_jax.data.photos: 'condition' -> 'x') with
`gen_jax.image2image.updates.paired_update`; fields in configs/paired_base.py, each validated
here with a one-line `field: expected ..., got ...` error.

* 'srgan': SRResNet generator (model.generator 'srresnet'; 'rrdb' for ESRGAN's RRDB trunk) on
  the low-resolution input, PatchGAN discriminator on the high-resolution image;
  objective.relativistic False: SRGAN (w_c MSE + 1e-3 adversarial), True: ESRGAN (eta L1 +
  relativistic average adversarial). objective.adversarial_weight 0: SRResNet-MSE (no
  discriminator). objective.pretrain_steps: content-only steps before the adversarial phase;
  model.pretrained_workdir: start the generator from a trained run (SRGAN from SRResNet-MSE).
* 'pix2pix': U-Net generator on the input resized to the target's size, conditional PatchGAN
  D(concat(x, y)), -log D + lambda L1 (lambda = objective.content_weight, 100).

`sample(state, key, n)` returns the outputs for the first n held-out inputs (cycled);
`evaluate` scores the held-out outputs (gen_jax.eval.image_quality) with the bicubic (SR) or
input (colourisation: the grayscale image) baseline beside them; pictures are input | [bicubic] | output | target
rows.
"""

import os

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np

from gen_jax import data as gdata
from gen_jax.checks import check_choice, check_non_negative_int, check_positive_int
from gen_jax.eval import image_quality, plots
from gen_jax.gan.components import check_field, optimizers_from_config
from gen_jax.gan.models import init_nets, run_sampler
from gen_jax.gan.updates import Net
from gen_jax.image2image.updates import PairedObjective, discriminator_input, generator_input, paired_update
from gen_jax.nets.patchgan import NORMALIZATIONS, PatchDiscriminator
from gen_jax.nets.srresnet import SRResNet
from gen_jax.nets.unet import UNetGenerator, unet_depth
from gen_jax.train import parallel
from gen_jax.train.family import Trainer
from gen_jax.train.net_state import with_nets
from gen_jax.train.registry import register_model

GENERATORS = {"srgan": ("srresnet", "rrdb"), "pix2pix": ("unet",)}
PICTURE_ROWS = 8


def picture_rows(targets: np.ndarray) -> np.ndarray:
  """Indices of PICTURE_ROWS held-out examples spread evenly over the more textured half (by pixel std)."""
  order = np.argsort(-targets.reshape(len(targets), -1).std(axis=1), kind="stable")
  return order[np.linspace(0, max(len(order) // 2 - 1, 0), PICTURE_ROWS).astype(int)]


def objective_from_config(config) -> PairedObjective:
  """The validated PairedObjective of config.objective for model.name."""
  o, name = config.objective, config.model.name
  for field in ("content_weight", "adversarial_weight"):
    check_field(o[field] >= 0, f"objective.{field}", "a non-negative number", o[field])
  check_non_negative_int(o.pretrain_steps, "objective.pretrain_steps")
  check_field(isinstance(o.relativistic, bool), "objective.relativistic", "True or False", o.relativistic)
  check_field(name == "srgan" or not o.relativistic, "objective.relativistic",
              "False for model 'pix2pix' (the relativistic loss is ESRGAN's, model 'srgan')", o.relativistic)
  check_field(name == "srgan" or o.adversarial_weight > 0, "objective.adversarial_weight",
              "> 0 for model 'pix2pix'", o.adversarial_weight)
  kind = "pix2pix" if name == "pix2pix" else ("esrgan" if o.relativistic else "srgan")
  check_field(kind == "srgan" or o.adversarial_weight > 0, "objective.adversarial_weight",
              "> 0 with objective.relativistic (0 = SRResNet-MSE, objective.relativistic=False)", o.adversarial_weight)
  return PairedObjective(kind, float(o.content_weight), float(o.adversarial_weight), int(o.pretrain_steps))


def _check_model(config, spec) -> None:
  m = config.model
  check_field(spec.kind == "paired", "data.name", "a paired dataset (photos_sr, photos_color, div2k_sr)", spec.name)
  check_choice(m.generator, GENERATORS[m.name], "model.generator")
  for field in ("features", "num_blocks", "growth", "discriminator_features", "discriminator_layers"):
    check_positive_int(m[field], f"model.{field}")
  check_choice(m.discriminator_norm, NORMALIZATIONS, "model.discriminator_norm")
  check_field(isinstance(m.bicubic_skip, bool), "model.bicubic_skip", "True or False", m.bicubic_skip)
  check_field(isinstance(m.pretrained_workdir, str), "model.pretrained_workdir", "a run directory or ''",
              m.pretrained_workdir)
  h, c = spec.example_shape[0], spec.condition_shape[0]
  size = 2 ** m.discriminator_layers
  check_field(h % size == 0, "model.discriminator_layers", f"L with 2^L dividing the image size {h}",
              m.discriminator_layers)
  if m.name == "srgan":
    factor = h // c
    check_field(c * factor == h and factor & (factor - 1) == 0, "data.name",
                f"inputs smaller than the targets by a power of two for model 'srgan', got {c} -> {h}", spec.name)
  else:
    check_non_negative_int(m.unet_depth, "model.unet_depth")
    check_field(m.unet_depth == 0 or h % 2 ** m.unet_depth == 0, "model.unet_depth",
                f"0 or D with 2^D dividing the image size {h}", m.unet_depth)


def with_pretrained_generator(state, workdir: str, optimizer, config):
  """`state` whose generator parameters and model state are those of the run in `workdir` (its latest
  checkpoint; fields its saved config lacks are taken from `config`), with a fresh optimizer state:
  SRGAN's initialisation from a trained SRResNet."""
  from gen_jax.train.rundir import load_run  # pylint: disable=import-outside-toplevel  (glue on glue: only when used)

  fill = ml_collections.ConfigDict(config.to_dict())
  fill.model.pretrained_workdir = ""  # a missing field must not point back here
  pretrained = load_run(workdir, current=fill)[3]
  params, model_state = pretrained.params["generator"], pretrained.model_state["generator"]
  shapes = lambda tree: jax.tree.map(jnp.shape, tree)
  check_field(shapes((params, model_state)) == shapes((state.params["generator"], state.model_state["generator"])),
              "model.pretrained_workdir", "a run whose generator has this config's architecture", workdir)
  return with_nets(state, generator=(params, optimizer.init(params), model_state))


def _generator(config, spec, axis_name):
  m, (h, _, channels) = config.model, spec.example_shape
  dtype = jnp.dtype(config.train.compute_dtype)
  if m.name == "srgan":
    return SRResNet(channels, h // spec.condition_shape[0], m.features, m.num_blocks,
                    "residual" if m.generator == "srresnet" else "rrdb", m.growth, m.bicubic_skip, axis_name, dtype)
  activation = "tanh" if tuple(spec.value_range) == (-1.0, 1.0) else "sigmoid"
  return UNetGenerator(channels, m.unet_depth or unet_depth(h), m.features, activation, axis_name, dtype)


def build_paired(config, spec) -> Trainer:
  """Trainer of 'srgan' and 'pix2pix' (module doc)."""
  _check_model(config, spec)
  objective = objective_from_config(config)
  m = config.model
  g_tx, d_tx = optimizers_from_config(config)
  g = Net(_generator(config, spec, parallel.AXIS), g_tx)
  sampler = _generator(config, spec, None)
  d = None
  if objective.adversarial_weight > 0:
    d = Net(PatchDiscriminator(m.discriminator_features, m.discriminator_layers, m.discriminator_norm,
                               axis_name=parallel.AXIS, dtype=jnp.dtype(config.train.compute_dtype)), d_tx)
  target_shape, condition_shape = tuple(spec.example_shape), tuple(spec.condition_shape)

  def init(key):
    condition = jnp.zeros((2, *condition_shape))
    g_in = generator_input(objective.kind, condition, (2, *target_shape))
    nets = {"generator": (g, (g_in,))}
    if d is not None:
      nets["discriminator"] = (d, (discriminator_input(objective.kind, g_in, jnp.zeros((2, *target_shape))),))
    state = init_nets(nets, key)
    return with_pretrained_generator(state, m.pretrained_workdir, g_tx, config) if m.pretrained_workdir else state

  def update(state, batch, key):
    return paired_update(g, d, objective, state, batch, key)

  @jax.jit
  def translate(state, condition):  # [n, *condition_shape] -> [n, *target_shape]
    return run_sampler(sampler, state, "generator",
                       generator_input(objective.kind, condition, (condition.shape[0], *target_shape)))

  held_out = {}

  def sample(state, key, n):  # pylint: disable=unused-argument  (deterministic generator)
    """Outputs for the first n held-out inputs (cycled)."""
    if not held_out:
      held_out.update(gdata.load(config.data).test)
    condition = held_out["condition"]
    return translate(state, jnp.asarray(condition[np.arange(n) % len(condition)]))

  def save_pictures(state, key, directory, step_number, data):  # pylint: disable=unused-argument
    rows = picture_rows(data.test["x"])
    condition, target = data.test["condition"][rows], data.test["x"][rows]
    columns = [image_quality.shown_input(condition, target.shape), np.asarray(translate(state, condition)), target]
    trivial, name = image_quality.baseline(condition, target.shape)
    if name == "bicubic":
      columns.insert(1, trivial)
    images = np.stack(columns, axis=1).reshape(-1, *target.shape[1:])            # rows: input | ... | target
    return [plots.save_image_grid(images, os.path.join(directory, f"pairs_{step_number:07d}.png"), len(columns),
                                  value_range=spec.value_range, scale=3)]

  def evaluate(state, data, key):  # pylint: disable=unused-argument
    return image_quality.evaluate_paired(config, data, lambda condition: translate(state, condition))

  return Trainer(init=init, update=update, sample=sample, save_pictures=save_pictures, evaluate=evaluate)


for _name in GENERATORS:
  register_model(_name)(build_paired)
