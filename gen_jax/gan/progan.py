"""ProGAN (Karras et al., 2018) on the engine, registered as 'progan' (fields in configs/progan_base.py).

The networks and the growth schedule are gen_jax.nets.progan's (every resolution's blocks held from
initialization; the stage and the fade's alpha are functions of the step counter, so one compiled step
serves every stage and a checkpoint resumes exactly mid-transition); the training step is
gen_jax.gan.progan_update's (WGAN-GP with the drift term, real images pooled to the stage's resolution).
Samples come from the EMA of the generator's weights when train.ema_decay > 0, at the stage and alpha of the
state's step, enlarged to full size. Pictures: a sample grid and a growing-resolutions grid (the same latents
at every stage reached so far: one row per stage at alpha = 1 and, between two stages, one row halfway
through the fade, alpha = 0.5; low resolutions enlarged by pixel repetition).
"""

import functools
import os

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.checks import check_non_negative_int, check_positive_int
from gen_jax.eval import plots
from gen_jax.gan.components import check_field, check_square_image_fields, optimizers_from_config
from gen_jax.gan.progan_update import ProObjective, progan_update
from gen_jax.gan.sample_metrics import sample_metrics
from gen_jax.gan.updates import Net
from gen_jax.nets.progan import GrowthSchedule, ProGANDiscriminator, ProGANGenerator, num_stages
from gen_jax.train.family import Trainer
from gen_jax.train.net_state import evaluation_params, make_state
from gen_jax.train.registry import register_model

GRID_COLUMNS = 10
GRID_ROWS = 10           # of the sample grid


def objective_from_config(config) -> ProObjective:
  """The validated `ProObjective` of config.objective."""
  o = config.objective
  for field in ("gradient_penalty", "drift"):
    check_field(o[field] >= 0, f"objective.{field}", "a non-negative number", o[field])
  return ProObjective(gradient_penalty=o.gradient_penalty, drift=o.drift)


def schedule_from_config(config, spec) -> GrowthSchedule:
  """The validated `GrowthSchedule` of model.stable_steps and model.fade_steps for the data's image size."""
  m = config.model
  check_non_negative_int(m.stable_steps, "model.stable_steps")
  check_positive_int(m.fade_steps, "model.fade_steps")
  return GrowthSchedule(num_stages(spec.example_shape[0]), m.stable_steps, m.fade_steps)


def growing_rows(schedule: GrowthSchedule, stage: int) -> list[tuple[int, float]]:
  """(stage, alpha) of the growing-resolutions picture's rows up to `stage`: each stage at alpha = 1 with,
  before every stage after the first, its fade's midpoint.

  Example:
    >>> growing_rows(GrowthSchedule(3, 10, 10), 2)
    [(0, 1.0), (1, 0.5), (1, 1.0), (2, 0.5), (2, 1.0)]
  """
  rows = [(0, 1.0)]
  for s in range(1, min(stage, schedule.num_stages - 1) + 1):
    rows += [(s, 0.5), (s, 1.0)]
  return rows


@register_model("progan")
def build_progan(config, spec) -> Trainer:
  """Trainer of ProGAN (see module doc)."""
  check_square_image_fields(config, spec, "progan")
  m = config.model
  for field in ("latent_dim", "features"):
    check_positive_int(m[field], f"model.{field}")
  objective = objective_from_config(config)
  schedule = schedule_from_config(config, spec)
  image_shape = tuple(spec.example_shape)
  g_tx, d_tx = optimizers_from_config(config)
  g = Net(ProGANGenerator(image_shape, m.features), g_tx)
  d = Net(ProGANDiscriminator(m.features, m.minibatch_group), d_tx)

  @jax.jit
  def init_params(key):  # one compiled program: eager initialization compiles every layer's ops one by one
    z = jnp.zeros((m.minibatch_group, m.latent_dim))
    x = jnp.zeros((m.minibatch_group,) + image_shape)
    return {"generator": g.module.init(jax.random.fold_in(key, 0), z, 0, 1.0)["params"],
            "discriminator": d.module.init(jax.random.fold_in(key, 1), x, 0, 1.0)["params"]}

  def init(key):
    return make_state(key, init_params(key),
                      {"generator": g.optimizer, "discriminator": d.optimizer}, {"generator": {}, "discriminator": {}})

  def update(state, batch, key):
    return progan_update(g, d, objective, schedule, m.latent_dim, state, batch, key)

  @functools.partial(jax.jit, static_argnames="n")
  def generate(state, key, n, stage, alpha):
    z = jax.random.normal(key, (n, m.latent_dim))
    return g.module.apply({"params": evaluation_params(state)["generator"]}, z, stage, alpha)

  def sample(state, key, n):
    """n images at the state's stage and alpha (EMA weights when kept), [n, R, R, C]."""
    return generate(state, key, n, *schedule(state.step))

  def growing_grid(state, key):
    """[rows * GRID_COLUMNS, R, R, C]: the sample grid's first row of latents at each of `growing_rows`
    (drawn as the whole grid, so that one compiled sampler serves both pictures)."""
    rows = growing_rows(schedule, int(schedule(state.step)[0]))
    return jnp.concatenate([generate(state, key, GRID_ROWS * GRID_COLUMNS, s, a)[:GRID_COLUMNS] for s, a in rows])

  def save_pictures(state, key, directory, step_number, data):
    del data
    grid = functools.partial(plots.save_image_grid, nrow=GRID_COLUMNS, value_range=spec.value_range)
    path = lambda name: os.path.join(directory, f"{name}_{step_number:07d}.png")
    return [grid(sample(state, key, GRID_ROWS * GRID_COLUMNS), path("samples")),
            grid(growing_grid(state, key), path("growing"))]

  def evaluate(state, data, key):
    return sample_metrics(np.asarray(sample(state, key, config.eval.num_samples)), data)

  return Trainer(init=init, update=update, sample=sample, save_pictures=save_pictures, evaluate=evaluate)
