"""The training loop: config -> data -> jitted sharded steps -> checkpoints, metrics, pictures.

`train_and_evaluate(config, workdir)` starts a run or resumes the latest complete
checkpoint in `workdir`. Workdir layout::

  DIR/config.json        the run's config (also stored inside every checkpoint)
  DIR/checkpoints/<step> orbax checkpoints (TrainState + config), last `train.keep_checkpoints`
  DIR/metrics.jsonl      one JSON object per log step (process 0)
  DIR/tensorboard/       TensorBoard event files
  DIR/samples/           pictures written by the family at eval steps

The batch of update t is the data stream's batch number t + state.data_offset,
a pure function of (seed, t), so a resumed run reads exactly the batches an
uninterrupted one would, and reproduces its parameters bit for bit.
"""

import concurrent.futures
import json
import os
import signal
import time

import jax
import ml_collections
import numpy as np
import tqdm

from gen_jax import data as gdata
from gen_jax.data.pipeline import BatchStream
from gen_jax.train import checkpoint, config_checks, parallel, registry
from gen_jax.train.logging import MetricsWriter
from gen_jax.train.state import TrainState
from gen_jax.train.steps import make_train_step, pad_steps


class NonFiniteError(RuntimeError):
  """Training produced a non-finite loss, gradient norm or parameter."""


class _Rollback(Exception):

  def __init__(self, failed_update: int):
    super().__init__(failed_update)
    self.failed_update = failed_update


def maybe_initialize_distributed(config) -> None:
  """jax.distributed.initialize() (SLURM / TPU pod / env auto-detection) when train.distributed."""
  if config.train.distributed and jax.process_count() == 1:
    jax.distributed.initialize()


def build(config):
  """Validate the config, then build (mesh, dataset, trainer) from it."""
  config_checks.validate(config)
  mesh = parallel.make_mesh(config.train.num_devices or None)
  dataset = gdata.load(config.data)
  trainer = registry.get_model(config.model.name)(config, dataset.spec)
  parallel.check_divisible(config.data.batch_size * trainer.batches_per_step, mesh)
  return mesh, dataset, trainer


def run_keys(seed: int):
  """(init_key, train_key) for a run: split(PRNGKey(seed))."""
  init_key, train_key = jax.random.split(jax.random.PRNGKey(seed))
  return init_key, train_key


def initial_state(trainer, config) -> TrainState:
  """Host-side state at step 0: the family's init, the run's train key, EMA = params if enabled."""
  init_key, train_key = run_keys(config.seed)
  state = trainer.init(init_key).replace(key=train_key)
  if config.train.ema_decay > 0:
    state = state.replace(ema_params=state.params)
  return state


def picture_key(config, step: int) -> jax.Array:
  """Fixed key for the pictures of `step`: fold_in(PRNGKey(eval.seed), step)."""
  return jax.random.fold_in(jax.random.PRNGKey(config.eval.seed), step)


def chunk_schedule(start: int, stop: int, steps_per_jit: int, boundaries) -> list[tuple[int, int]]:
  """Split updates [start, stop) into (first, count) calls of at most `steps_per_jit` steps.

  A call never crosses a multiple of any number in `boundaries` (log, checkpoint
  and eval intervals), so those happen exactly at their steps.
  """
  chunks, step = [], start
  while step < stop:
    nxt = min([stop, step + steps_per_jit] + [(step // b + 1) * b for b in boundaries])
    chunks.append((step, nxt - step))
    step = nxt
  return chunks


def first_failure(metrics: dict) -> tuple[int, list[str]] | None:
  """(index, names of the non-finite quantities) of the first dropped update in a call, or None."""
  applied = np.asarray(metrics["applied"])
  if applied.all():
    return None
  index = int(np.argmin(applied))
  bad = [k for k, v in metrics.items() if k != "applied" and not np.all(np.isfinite(np.asarray(v)[index]))]
  return index, bad or ["parameters"]


class _StopFlag:
  """Set by SIGTERM/SIGINT: the loop saves a checkpoint at the current step and returns."""

  def __init__(self):
    self.signum = None
    self._previous = {}

  def __enter__(self):
    for sig in (signal.SIGTERM, signal.SIGINT):
      try:
        self._previous[sig] = signal.signal(sig, self._handle)
      except ValueError:  # not the main thread: signals stay with the caller
        pass
    return self

  def _handle(self, signum, frame):
    del frame
    self.signum = signum

  def __exit__(self, *exc):
    for sig, handler in self._previous.items():
      signal.signal(sig, handler)


def _write_config(workdir: str, config_dict: dict):
  if jax.process_index() == 0:
    path = os.path.join(workdir, "config.json")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
      json.dump(config_dict, f, indent=2, sort_keys=True)
    os.replace(path + ".tmp", path)


def _restore_or_init(manager, trainer, config, mesh, config_dict):
  """The latest complete checkpoint's state (config checked) or a fresh one, on the mesh."""
  fresh = parallel.put_replicated(initial_state(trainer, config), mesh)
  steps = checkpoint.saved_steps(manager)
  if not steps:
    return fresh, False
  stored = checkpoint.restore_config(manager, steps[-1])
  differences = config_checks.model_differences(stored, config_dict)
  if differences:
    raise ValueError(f"{differences[0]}: the checkpoint in this workdir was trained with a different "
                     f"model config (differing fields: {', '.join(differences)}); use a new --workdir")
  return checkpoint.restore(manager, steps[-1], fresh), True


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str) -> TrainState:
  """Train (or resume) the run described by `config` in `workdir`; returns the final state."""
  maybe_initialize_distributed(config)
  mesh, dataset, trainer = build(config)
  os.makedirs(workdir, exist_ok=True)
  config_dict = config.to_dict()
  manager = checkpoint.make_manager(workdir, config.train.keep_checkpoints)
  state, resumed = _restore_or_init(manager, trainer, config, mesh, config_dict)
  _write_config(workdir, config_dict)
  writer = MetricsWriter(workdir)
  if not resumed:
    writer.write_hparams(config_dict)
  stream = BatchStream(dataset, config.data.batch_size * trainer.batches_per_step, config.seed,
                       process_index=jax.process_index(), process_count=jax.process_count(),
                       binarize=config.data.binarize, fresh_samples=config.data.fresh_samples)
  train_step = make_train_step(trainer, mesh, config.train.ema_decay)
  rollbacks = 0
  try:
    with _StopFlag() as stop:
      while True:
        try:
          return _run(config, workdir, state, train_step, stream, manager, writer, trainer, dataset, mesh,
                      config_dict, stop)
        except _Rollback as rb:
          rollbacks += 1
          if rollbacks > config.train.max_rollbacks:
            raise NonFiniteError(f"train.max_rollbacks: {config.train.max_rollbacks} rollbacks used up; "
                                 f"still non-finite at step {rb.failed_update + 1}") from None
          state = _rolled_back_state(manager, trainer, config, mesh, rb.failed_update)
  finally:
    writer.close()
    manager.close()


def _rolled_back_state(manager, trainer, config, mesh, failed_update: int) -> TrainState:
  """The last good checkpoint (or the initial state), reading on after the offending batch."""
  steps = checkpoint.saved_steps(manager)
  fresh = parallel.put_replicated(initial_state(trainer, config), mesh)
  state = checkpoint.restore(manager, steps[-1], fresh) if steps else fresh
  offending_batch = failed_update + int(jax.device_get(state.data_offset))
  new_offset = offending_batch + 1 - int(jax.device_get(state.step))
  print(f"rollback: non-finite update at step {failed_update + 1}; restored step "
        f"{int(jax.device_get(state.step))}, skipping to batch {offending_batch + 1}", flush=True)
  return state.replace(data_offset=parallel.put_replicated(np.int32(new_offset), mesh))


def _run(config, workdir, state, train_step, stream, manager, writer, trainer, dataset, mesh, config_dict,
         stop) -> TrainState:
  """Run updates from state.step to train.num_steps; raises _Rollback / NonFiniteError on divergence."""
  t = config.train
  start = int(jax.device_get(state.step))
  offset = int(jax.device_get(state.data_offset))
  schedule = chunk_schedule(start, t.num_steps, t.steps_per_jit, (t.log_every, t.checkpoint_every, t.eval_every))
  progress = tqdm.tqdm(total=t.num_steps, initial=start, disable=not t.progress or jax.process_index() != 0,
                       unit="step", dynamic_ncols=True)
  last_log_time, last_log_step = time.time(), start

  def check(first, metrics):
    failure = first_failure(metrics)
    if failure is None:
      return
    index, names = failure
    failed_update = first + index
    if t.on_nonfinite == "rollback":
      raise _Rollback(failed_update)
    raise NonFiniteError(f"non-finite {', '.join(names)} at step {failed_update + 1}; stopped with the last "
                         f"good checkpoint intact (see train.on_nonfinite)")

  with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
    fetch = lambda chunk: pool.submit(stream.local_batches, chunk[0] + offset, chunk[1])
    future = fetch(schedule[0]) if schedule else None
    for i, (first, count) in enumerate(schedule):
      batches, active = pad_steps(future.result(), count, t.steps_per_jit)
      future = fetch(schedule[i + 1]) if i + 1 < len(schedule) else None
      state, metrics = train_step(state, parallel.put_batch(batches, mesh, leading_axes=1),
                                  parallel.put_replicated(active, mesh))
      metrics = {k: v[:count] for k, v in jax.device_get(metrics).items()}
      check(first, metrics)
      step = first + count
      progress.update(count)
      if step % t.log_every == 0 or step == t.num_steps:
        now = time.time()
        scalars = {k: v[-1] for k, v in metrics.items() if k != "applied"}
        scalars["steps_per_sec"] = (step - last_log_step) / max(now - last_log_time, 1e-9)
        writer.write_scalars(step, scalars)
        progress.set_postfix({k: f"{float(v):.4g}" for k, v in scalars.items() if "loss" in k})
        last_log_time, last_log_step = now, step
      stopping = stop.signum is not None
      if step % t.checkpoint_every == 0 or step == t.num_steps or stopping:
        checkpoint.save(manager, state, config_dict)
      if (step % t.eval_every == 0 or step == t.num_steps) and jax.process_index() == 0:
        trainer.save_pictures(jax.device_get(state), picture_key(config, step),
                              os.path.join(workdir, "samples"), step, dataset)
      if stopping:
        progress.write(f"stopped by signal {stop.signum} at step {step}; checkpoint saved in {workdir}")
        break
  progress.close()
  return state


def load_config(workdir: str) -> ml_collections.ConfigDict:
  """The config a run in `workdir` was trained with (DIR/config.json)."""
  path = os.path.join(workdir, "config.json")
  if not os.path.isfile(path):
    raise FileNotFoundError(f"--workdir: no run found in {workdir!r} (missing config.json); "
                            f"train one with scripts/train.py --workdir={workdir}")
  with open(path, encoding="utf-8") as f:
    return ml_collections.ConfigDict(json.load(f))


def load_run(workdir: str, step: int | None = None):
  """(config, trainer, dataset, state) of the run in `workdir`, at `step` (default: the latest)."""
  config = load_config(workdir)
  dataset = gdata.load(config.data)
  trainer = registry.get_model(config.model.name)(config, dataset.spec)
  manager = checkpoint.make_manager(workdir, config.train.keep_checkpoints)
  try:
    steps = checkpoint.saved_steps(manager)
    if not steps:
      raise FileNotFoundError(f"--workdir: no complete checkpoint in {checkpoint.checkpoint_dir(workdir)!r}")
    if step is None:
      step = steps[-1]
    elif step not in steps:
      raise ValueError(f"--step: no checkpoint at step {step}; saved steps are {steps}")
    state = checkpoint.restore(manager, step, initial_state(trainer, config))
  finally:
    manager.close()
  return config, trainer, dataset, state
