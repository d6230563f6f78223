"""The train state: everything a checkpoint must hold to resume bit for bit."""

from typing import Any

import flax.struct
import jax
import jax.numpy as jnp
import numpy as np


class TrainState(flax.struct.PyTreeNode):
  """Pytree of one run's mutable state.

  Attributes:
    step: int32 scalar, number of updates applied so far.
    params: dict network name -> parameters, e.g. {'generator': ..., 'discriminator': ...}.
    opt_state: dict network name -> optax state (same keys as `params`).
    model_state: dict of non-trained collections (batch statistics, spectral-norm
      power-iteration vectors, EMA codebooks), keyed by network name; {} when none.
    ema_params: exponential moving average of `params` (engine-maintained when
      `train.ema_decay > 0`), else {}.
    key: raw uint32[2] base PRNG key; step keys are fold_in(key, step).
    data_offset: int32 scalar, batches skipped by a rollback; the batch read at
      update `step` is the stream's batch number `step + data_offset`.
  """

  step: jax.Array
  params: Any
  opt_state: Any
  model_state: Any
  ema_params: Any
  key: jax.Array
  data_offset: jax.Array


def create_state(params, opt_state, model_state, key) -> TrainState:
  """A fresh state at step 0 (no EMA yet; the engine fills it when enabled)."""
  return TrainState(
      step=jnp.zeros((), jnp.int32),
      params=params,
      opt_state=opt_state,
      model_state=model_state if model_state is not None else {},
      ema_params={},
      key=jnp.asarray(key, jnp.uint32),
      data_offset=jnp.zeros((), jnp.int32),
  )


def run_keys(seed: int):
  """(init_key, train_key) for a run: split(PRNGKey(seed))."""
  init_key, train_key = jax.random.split(jax.random.PRNGKey(seed))
  return init_key, train_key


def initial_seed_state(trainer, config, seed: int) -> "TrainState":
  """Host-side state at step 0 of a plain run with `seed`: the family's init, the run's train key, EMA = params
  if enabled."""
  init_key, train_key = run_keys(seed)
  state = trainer.init(init_key).replace(key=train_key)
  if config.train.ema_decay > 0:
    state = state.replace(ema_params=state.params)
  return state


def stack_states(states: list) -> "TrainState":
  """One seed-batched state from per-seed host states at one step: a leading seed axis on every part but the
  shared counters `step` and `data_offset` (see gen_jax.train.seeds)."""
  stacked = jax.tree.map(lambda *xs: np.stack([np.asarray(x) for x in xs]), *states)
  return stacked.replace(step=states[0].step, data_offset=states[0].data_offset)


def initial_state(trainer, config) -> "TrainState":
  """Host-side state at step 0: `initial_seed_state` of config.seed, or with train.num_seeds = N > 1 the
  seed-batched state of seeds config.seed .. config.seed + N - 1."""
  count = int(config.train.get("num_seeds", 1))
  if count == 1:
    return initial_seed_state(trainer, config, config.seed)
  return stack_states([initial_seed_state(trainer, config, config.seed + k) for k in range(count)])
