"""The compiled train step: a family's per-shard update under shard_map and lax.scan.

`make_train_step` turns `trainer.update(state, batch, key) -> (state, metrics)`
into one jitted call `(state, batches) -> (state, metrics)` that runs
k = batches' leading axis consecutive steps, data parallel over the mesh.
Around each update the engine:

* derives the step key: key_t = fold_in(state.key, t) (the family folds in the
  example or device index, see `parallel`);
* increments `state.step` and updates the EMA of the parameters,
  ema <- d * ema + (1 - d) * params;
* flags divergence: each step reports `applied`, False from the first step
  whose metrics or new state (any of `STATE_PARTS`: parameters, optimizer
  state, model state such as batch statistics, spectral-norm vectors or EMA
  codebooks, and EMA parameters) are non-finite on (and on padding steps),
  and `finite_parts` [k, len(STATE_PARTS)], which parts were finite. The
  state a flagged call returns is not meant to be kept: the loop discards it
  (stop, or roll back to the last good checkpoint). Not selecting the old
  state in the step saves a full pass over parameters and optimizer state
  (`vae_mlp` on CPU: 164 -> 232 steps/s, scripts/benchmark.py).
"""

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import PartitionSpec as P

from gen_jax.train import parallel
from gen_jax.train.family import Trainer
from gen_jax.train.state import TrainState


STATE_PARTS = ("params", "opt_state", "model_state", "ema_params")


def tree_all_finite(tree) -> jax.Array:
  """True iff every floating-point leaf of `tree` is finite everywhere.

  Computed as min over leaves of min(uint8(isfinite(x))) > 0: XLA's CPU backend reduces uint8 with vector
  instructions but a boolean AND elementwise, so this reads the same state 2.5x faster than jnp.all (the
  VAE's parameters and Adam moments: 1.10 -> 0.44 ms per step, 2 cores).
  """
  leaves = [jnp.min(jnp.isfinite(x).astype(jnp.uint8), initial=1) for x in jax.tree.leaves(tree)
            if jnp.issubdtype(jnp.asarray(x).dtype, jnp.inexact)]
  return jnp.min(jnp.stack(leaves)) > 0 if leaves else jnp.array(True)


def ema_update(ema_params, params, decay: float):
  """ema <- decay * ema + (1 - decay) * params."""
  return jax.tree.map(lambda e, p: decay * e + (1.0 - decay) * p, ema_params, params)


def checked_update(trainer: Trainer, ema_decay: float, to_model_range=None):
  """One engine step around `trainer.update`: step key, step count, EMA, `finite` and `finite_parts` flags.

  `to_model_range` (optional) maps the batch's 'x' as the input pipeline ships
  it (e.g. uint8 pixels) to what the model trains on, on the device.
  """

  def step(state: TrainState, batch) -> tuple[TrainState, dict]:
    key = jax.random.fold_in(state.key, state.step)
    if to_model_range is not None:
      batch = {**batch, "x": to_model_range(batch["x"])}
    new_state, metrics = trainer.update(state, batch, key)
    ema = ema_update(state.ema_params, new_state.params, ema_decay) if ema_decay > 0 else state.ema_params
    new_state = new_state.replace(step=state.step + 1, ema_params=ema)
    parts = jnp.stack([tree_all_finite(getattr(new_state, part)) for part in STATE_PARTS])  # [len(STATE_PARTS)]
    finite = tree_all_finite(metrics) & jnp.all(parts)
    return new_state, {**metrics, "finite": finite, "finite_parts": parts}

  return step


def seed_batched(step, state_axes):
  """`step` vmapped over a leading seed axis of the state (axes `state_axes`, e.g. seeds.SEED_AXES) and batch.

  Metrics come out per seed [N]; `finite` and `finite_parts` are reduced over the seeds (a non-finite update
  in any seed flags the call), so the loop treats the seeds as one run.
  """
  batched = jax.vmap(step, in_axes=(state_axes, 0), out_axes=(state_axes, 0))

  def step_all(state, batch):
    new_state, metrics = batched(state, batch)
    finite, parts = metrics.pop("finite"), metrics.pop("finite_parts")  # [N], [N, len(STATE_PARTS)]
    return new_state, {**metrics, "finite": jnp.all(finite), "finite_parts": jnp.all(parts, axis=0)}

  return step_all


def _skipped(step, state, batch):
  """The no-op branch of a padding step: the state unchanged, metrics shaped like `step`'s, all zero."""
  metrics_shape = jax.eval_shape(step, state, batch)[1]
  return lambda state, batch: (state, jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), metrics_shape))


def make_train_step(trainer: Trainer, mesh, ema_decay: float = 0.0, to_model_range=None, seed_axes=None):
  """Jitted `(state, batches, active) -> (state, metrics)`; state donated.

  `batches` leaves are [k, global_batch, ...] placed with
  `parallel.put_batch(..., leading_axes=1)`; the k steps run in one `lax.scan`.
  `active` [k] bool masks steps off (their batches are padding): a call always
  scans a fixed k, so a run cut into calls differently (a resume, a log step)
  runs the very same compiled program and reproduces parameters bit for bit.
  Inactive steps leave the state as it is (a `lax.cond`). `to_model_range`: see
  `checked_update` (the data stream's, which scales uint8 pixels on the device). Returned metrics are
  stacked over the k steps, with `applied` [k] telling which updates count
  (False on inactive steps and from the first non-finite one on; the state of a
  call with a non-finite step must be discarded). With k = 1 (active = [True]
  is then the only mask the loop passes) the step is traced without a loop:
  XLA's CPU backend (jaxlib 0.10) runs convolution gradients ~20x slower inside
  a lax.scan than at the top level of a program (measured by gen_jax.bench;
  matmuls are unaffected). shard_map checks varying axes unless the trainer
  opts out (`Trainer.check_vma`, gen_jax.train.family) or the mesh has one device.

  `seed_axes` (e.g. `seeds.SEED_AXES`): train a seed-batched state; `batches` leaves are then
  [k, N, global_batch, ...] (`put_batch(..., leading_axes=2)`), the update is vmapped over the seeds
  (`seed_batched`) and every metric but `applied` is [k, N].
  """
  step = checked_update(trainer, ema_decay, to_model_range)
  if seed_axes is not None:
    step = seed_batched(step, seed_axes)
  batch_spec = P(None, parallel.AXIS) if seed_axes is None else P(None, None, parallel.AXIS)

  def run_steps(state, batches, active):
    def body(carry, inputs):
      state, healthy = carry
      batch, is_active = inputs
      new_state, metrics = jax.lax.cond(is_active, step, _skipped(step, state, batch), state, batch)
      finite = metrics.pop("finite")
      healthy = healthy & (finite | ~is_active)
      return (new_state, healthy), {**metrics, "applied": healthy & is_active}

    if active.shape[0] == 1:  # k = 1: the step alone, no loop, no mask (one step is always active)
      new_state, metrics = step(state, jax.tree.map(lambda x: x[0], batches))
      finite = metrics.pop("finite")
      return new_state, jax.tree.map(lambda x: x[None], {**metrics, "applied": finite})
    (state, _), metrics = jax.lax.scan(body, (state, jnp.array(True)), (batches, active))
    return state, metrics

  # One device: nothing varies across the mesh, so the check is moot and without it `parallel.global_mean`
  # emits no all-reduce (values unchanged: a one-device mean is the global one).
  check_vma = trainer.check_vma and mesh.size > 1
  sharded = jax.shard_map(run_steps, mesh=mesh, in_specs=(P(), batch_spec, P()),
                          out_specs=(P(), P()), check_vma=check_vma)
  return jax.jit(sharded, donate_argnums=0)


# Data kinds (`gen_jax.data.spec.DataSpec.kind`) whose models are convolutional.
CONVOLUTIONAL_KINDS = ("images", "paired")


def one_step_per_call(data_kind: str, backend: str) -> bool:
  """Whether the loop runs a chunk of k steps as k calls of the one-step program rather than one
  k-step `lax.scan`: for image data on XLA's CPU backend, which runs convolution gradients 20-60x
  slower inside a loop than at the top level of a program (jaxlib 0.10.2, measured: the SN-GAN ResNet
  generator's gradient on 8x8 digits takes 0.03 s alone and 1.8 s per iteration of a scan; a
  `sngan_digits` step 2.0 s -> 0.12 s). Every call then runs the same compiled program whatever the
  chunking, so resumes stay bit-exact; `train.steps_per_jit` still sets how many steps' batches the
  host fetches and places at once. GPU and TPU keep the scan."""
  return backend == "cpu" and data_kind in CONVOLUTIONAL_KINDS


def pad_steps(batches, count: int, steps_per_jit: int):
  """Pad host batches [count, b, ...] to [steps_per_jit, b, ...] (repeating the last) and the active mask."""
  pad = steps_per_jit - count
  padded = jax.tree.map(lambda x: np.concatenate([x, np.repeat(x[-1:], pad, axis=0)]) if pad else x, batches)
  return padded, np.arange(steps_per_jit) < count
