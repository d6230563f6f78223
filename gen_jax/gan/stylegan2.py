"""StyleGAN2 (Karras et al., 2020) on the engine, registered as 'stylegan2' (fields in configs/stylegan2_base.py).

The generator (mapping network, skip-architecture synthesis with modulated convolutions and noise inputs) and
the residual discriminator with minibatch stddev are gen_jax.nets.stylegan2's; the training step is
gen_jax.gan.stylegan2_update's (non-saturating loss, lazy R1, lazy path-length regularization, style mixing,
running mean of w, optional DiffAugment). Samples use the EMA of the generator's weights when
train.ema_decay > 0 and the truncation trick w' = w_mean + psi (w - w_mean) with psi = eval.truncation_psi.
Pictures: a sample grid, a style-mixing grid (rows take the coarse styles, the 4x4 layers and up to half the
styles, from one latent, columns the fine styles from another) and a truncation sweep (psi = 1, 0.7, 0.5, 0).
"""

import functools
import os

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.checks import check_positive_int
from gen_jax.eval import plots
from gen_jax.gan.components import augment_policy, check_field, check_square_image_fields, optimizers_from_config
from gen_jax.gan.latents import truncate_toward_mean
from gen_jax.gan.sample_metrics import sample_metrics
from gen_jax.gan.stylegan2_update import StyleObjective, initial_running_state, stylegan2_update
from gen_jax.gan.updates import Net
from gen_jax.nets.style import mix_styles
from gen_jax.nets.stylegan2 import ResidualDiscriminator, StyleGAN2Generator, num_styles
from gen_jax.train.family import Trainer
from gen_jax.train.net_state import evaluation_params, make_state
from gen_jax.train.registry import register_model

GRID_COLUMNS = 10
TRUNCATION_SWEEP = (1.0, 0.7, 0.5, 0.0)
MIXING_SOURCES = 6   # latents per side of the style-mixing grid


def objective_from_config(config) -> StyleObjective:
  """The validated `StyleObjective` of config.objective and model.w_mean_decay."""
  o = config.objective
  for field in ("r1", "path_length"):
    check_field(o[field] >= 0, f"objective.{field}", "a non-negative number", o[field])
  for field in ("r1_interval", "path_length_interval"):
    check_positive_int(o[field], f"objective.{field}")
  check_field(0 < o.path_length_decay <= 1, "objective.path_length_decay", "a number in (0, 1]",
              o.path_length_decay)
  check_field(0 <= o.style_mixing <= 1, "objective.style_mixing", "a probability in [0, 1]", o.style_mixing)
  decay = config.model.w_mean_decay
  check_field(0 <= decay < 1, "model.w_mean_decay", "a number in [0, 1)", decay)
  return StyleObjective(r1=o.r1, r1_interval=o.r1_interval, path_length=o.path_length,
                        path_length_interval=o.path_length_interval, path_length_decay=o.path_length_decay,
                        style_mixing=o.style_mixing, w_mean_decay=decay, augment=augment_policy(o.diff_augment))


def check_model_fields(config, spec) -> None:
  m = config.model
  check_square_image_fields(config, spec, "stylegan2")
  for field in ("latent_dim", "style_dim", "mapping_depth", "features"):
    check_positive_int(m[field], f"model.{field}")
  check_field(m.mapping_lr_multiplier > 0, "model.mapping_lr_multiplier", "> 0", m.mapping_lr_multiplier)
  psi = config.eval.truncation_psi
  check_field(0 <= psi <= 1, "eval.truncation_psi", "a number in [0, 1]", psi)


def running_w_mean(state) -> jax.Array:
  """The running mean of w [W] kept in the generator's model state."""
  return state.model_state["generator"]["running"]["w_mean"]


def truncated_generator_styles(generator, params, w_mean: jax.Array, z: jax.Array, psi) -> jax.Array:
  """Styles [n, W] of latents z [n, Z] through the generator's mapping network, truncated toward w_mean:
  w_mean + psi (mapping(z) - w_mean) (psi may be traced)."""
  return truncate_toward_mean(generator.apply({"params": params}, z, method="map"), w_mean, psi)


def noise_keys(key: jax.Array, n: int, shared: bool) -> jax.Array:
  """[n] noise keys for the synthesis network: one per example, or `key` for all (one noise map shared)."""
  return jnp.stack([key] * n) if shared else jax.random.split(key, n)


@register_model("stylegan2")
def build_stylegan2(config, spec) -> Trainer:
  """Trainer of StyleGAN2 (see module doc)."""
  check_model_fields(config, spec)
  objective = objective_from_config(config)
  m = config.model
  image_shape = tuple(spec.example_shape)
  num_layers = num_styles(image_shape[0])
  g_tx, d_tx = optimizers_from_config(config)
  g = Net(StyleGAN2Generator(image_shape, m.features, m.style_dim, m.mapping_depth, m.mapping_lr_multiplier),
          g_tx)
  d = Net(ResidualDiscriminator(m.features, m.minibatch_group), d_tx)

  def init(key):
    z = jnp.zeros((m.minibatch_group, m.latent_dim))
    g_params = g.module.init(jax.random.fold_in(key, 0), z)["params"]
    d_params = d.module.init(jax.random.fold_in(key, 1), jnp.zeros((m.minibatch_group,) + image_shape))["params"]
    return make_state(key, {"generator": g_params, "discriminator": d_params},
                      {"generator": g.optimizer, "discriminator": d.optimizer},
                      {"generator": initial_running_state(m.style_dim), "discriminator": {}})

  def update(state, batch, key):
    return stylegan2_update(g, d, objective, m.latent_dim, num_layers, state, batch, key)

  @jax.jit
  def truncated_styles(state, z, psi):
    return truncated_generator_styles(g.module, evaluation_params(state)["generator"], running_w_mean(state), z,
                                      psi)

  @jax.jit
  def synthesize(state, ws, keys):
    return g.module.apply({"params": evaluation_params(state)["generator"]}, ws, keys, method="synthesize")

  def broadcast(w):  # [n, W] -> [n, L, W]
    return jnp.broadcast_to(w[:, None], (w.shape[0], num_layers, w.shape[-1]))

  def draw(state, key, n, psi, shared_noise=False):
    """n images of fresh latents at truncation psi; noise per example, or one noise map for all."""
    k_z, k_noise = jax.random.split(key)
    ws = broadcast(truncated_styles(state, jax.random.normal(k_z, (n, m.latent_dim)), psi))
    return synthesize(state, ws, noise_keys(k_noise, n, shared_noise))

  def sample(state, key, n):
    """n images at psi = eval.truncation_psi (EMA weights when kept)."""
    return draw(state, key, n, config.eval.truncation_psi)

  def style_mixing_grid(state, key):
    """[(s + 1)^2, ...]: row 0 the column sources, column 0 the row sources, cell (i, j) row i's coarse
    styles (layers < L / 2) with column j's fine ones; one noise map throughout."""
    s = MIXING_SOURCES
    k_rows, k_cols, k_noise = jax.random.split(key, 3)
    psi = config.eval.truncation_psi
    w_rows = truncated_styles(state, jax.random.normal(k_rows, (s, m.latent_dim)), psi)   # [s, W]
    w_cols = truncated_styles(state, jax.random.normal(k_cols, (s, m.latent_dim)), psi)
    w_first = jnp.repeat(w_rows, s, axis=0)                                     # [s * s, W], row-major
    w_second = jnp.tile(w_cols, (s, 1))
    mixed = mix_styles(w_first, w_second, jnp.full((s * s,), num_layers // 2), num_layers)
    ws = jnp.concatenate([broadcast(w_cols), broadcast(w_rows), mixed])
    images = synthesize(state, ws, noise_keys(k_noise, ws.shape[0], shared=True))
    columns, rows, cells = images[:s], images[s:2 * s], images[2 * s:].reshape(s, s, *image_shape)
    corner = jnp.full((1,) + image_shape, spec.value_range[0])
    top = jnp.concatenate([corner, columns])                                    # [s + 1, ...]
    body = jnp.concatenate([rows[:, None], cells], axis=1).reshape(s * (s + 1), *image_shape)
    return jnp.concatenate([top, body])

  def truncation_sweep(state, key):
    """[len(TRUNCATION_SWEEP) * GRID_COLUMNS, ...]: one row per psi, the same latents and noise in each."""
    return jnp.concatenate([draw(state, key, GRID_COLUMNS, psi, shared_noise=True) for psi in TRUNCATION_SWEEP])

  def save_pictures(state, key, directory, step_number, data):
    del data
    grid = functools.partial(plots.save_image_grid, value_range=spec.value_range)
    path = lambda name: os.path.join(directory, f"{name}_{step_number:07d}.png")
    return [grid(sample(state, key, 10 * GRID_COLUMNS), path("samples"), GRID_COLUMNS),
            grid(style_mixing_grid(state, key), path("style_mixing"), MIXING_SOURCES + 1),
            grid(truncation_sweep(state, key), path("truncation"), GRID_COLUMNS)]

  def evaluate(state, data, key):
    return sample_metrics(np.asarray(sample(state, key, config.eval.num_samples)), data)

  return Trainer(init=init, update=update, sample=sample, save_pictures=save_pictures, evaluate=evaluate)
