"""The compiled train step: a family's per-shard update under shard_map and lax.scan.

`make_train_step` turns `trainer.update(state, batch, key) -> (state, metrics)`
into one jitted call `(state, batches) -> (state, metrics)` that runs
k = batches' leading axis consecutive steps, data parallel over the mesh.
Around each update the engine:

* derives the step key: key_t = fold_in(state.key, t) (the family folds in the
  example or device index, see `parallel`);
* increments `state.step` and updates the EMA of the parameters,
  ema <- d * ema + (1 - d) * params;
* guards against divergence: if any metric or parameter is non-finite, the
  update is dropped (the state stays at the last finite one) and this and all
  later steps of the call report `applied = False`, so the host can stop or
  roll back with the step and the offending quantity named.
"""

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import PartitionSpec as P

from gen_jax.train import parallel
from gen_jax.train.family import Trainer
from gen_jax.train.state import TrainState


def tree_all_finite(tree) -> jax.Array:
  """True iff every floating-point leaf of `tree` is finite everywhere."""
  leaves = [jnp.all(jnp.isfinite(x)) for x in jax.tree.leaves(tree)
            if jnp.issubdtype(jnp.asarray(x).dtype, jnp.inexact)]
  return jnp.all(jnp.stack(leaves)) if leaves else jnp.array(True)


def tree_select(pred: jax.Array, on_true, on_false):
  """Leafwise where(pred, on_true, on_false) for two pytrees of one structure."""
  return jax.tree.map(lambda a, b: jnp.where(pred, a, b), on_true, on_false)


def ema_update(ema_params, params, decay: float):
  """ema <- decay * ema + (1 - decay) * params."""
  return jax.tree.map(lambda e, p: decay * e + (1.0 - decay) * p, ema_params, params)


def guarded_update(trainer: Trainer, ema_decay: float):
  """One engine step around `trainer.update`: step key, step count, EMA, and a `finite` flag.

  The caller keeps the returned state only where `finite` holds.
  """

  def step(state: TrainState, batch) -> tuple[TrainState, dict]:
    key = jax.random.fold_in(state.key, state.step)
    new_state, metrics = trainer.update(state, batch, key)
    finite = tree_all_finite(metrics) & tree_all_finite(new_state.params)
    ema = ema_update(state.ema_params, new_state.params, ema_decay) if ema_decay > 0 else state.ema_params
    return new_state.replace(step=state.step + 1, ema_params=ema), {**metrics, "finite": finite}

  return step


def make_train_step(trainer: Trainer, mesh, ema_decay: float = 0.0):
  """Jitted `(state, batches, active) -> (state, metrics)`; state donated.

  `batches` leaves are [k, global_batch, ...] placed with
  `parallel.put_batch(..., leading_axes=1)`; the k steps run in one `lax.scan`.
  `active` [k] bool masks steps off (their batches are padding): a call always
  scans a fixed k, so a run cut into calls differently (a resume, a log step)
  runs the very same compiled program and reproduces parameters bit for bit.
  Returned metrics are stacked over the k steps, with `applied` [k] telling which
  updates were kept (False on inactive steps and from the first non-finite one on).
  With k = 1 the step is traced without a loop: XLA's CPU backend (jaxlib 0.10)
  runs convolution gradients ~20x slower inside a lax.scan than at the top
  level of a program (measured by gen_jax.bench; matmuls are unaffected).
  """
  step = guarded_update(trainer, ema_decay)

  def run_steps(state, batches, active):
    def body(carry, inputs):
      state, healthy = carry
      batch, is_active = inputs
      new_state, metrics = step(state, batch)
      finite = metrics.pop("finite")
      applied = healthy & finite & is_active
      healthy = healthy & (finite | ~is_active)
      return (tree_select(applied, new_state, state), healthy), {**metrics, "applied": applied}

    carry, inputs = (state, jnp.array(True)), (batches, active)
    if active.shape[0] == 1:  # k = 1: the body alone, no loop (see the docstring)
      (state, _), metrics = body(carry, jax.tree.map(lambda x: x[0], inputs))
      return state, jax.tree.map(lambda x: x[None], metrics)
    (state, _), metrics = jax.lax.scan(body, carry, inputs)
    return state, metrics

  sharded = jax.shard_map(run_steps, mesh=mesh, in_specs=(P(), P(None, parallel.AXIS), P()),
                          out_specs=(P(), P()))
  return jax.jit(sharded, donate_argnums=0)


def pad_steps(batches, count: int, steps_per_jit: int):
  """Pad host batches [count, b, ...] to [steps_per_jit, b, ...] (repeating the last) and the active mask."""
  pad = steps_per_jit - count
  padded = jax.tree.map(lambda x: np.concatenate([x, np.repeat(x[-1:], pad, axis=0)]) if pad else x, batches)
  return padded, np.arange(steps_per_jit) < count
