"""The training loop: config -> data -> jitted sharded steps -> checkpoints, metrics, pictures.

`train_and_evaluate(config, workdir)` starts a run or resumes the latest complete
checkpoint in `workdir`. Workdir layout::

  DIR/config.json        the run's config (also stored inside every checkpoint)
  DIR/checkpoints/<step> orbax checkpoints (TrainState + config + SHA-256), last `train.keep_checkpoints`
  DIR/metrics.jsonl      one JSON object per log step and per event (process 0)
  DIR/tensorboard/       TensorBoard event files
  DIR/samples/           pictures written by the family at eval steps (DIR/samples/seed_<s>/ per seed
                         of a seed-batched run, train.num_seeds > 1: see `seeds`)
  DIR/unusable_checkpoints/<step>  corrupted checkpoints moved aside on resume

The batch of update t is the data stream's batch number t + state.data_offset,
a pure function of (seed, t), so a resumed run reads exactly the batches an
uninterrupted one would, and reproduces its parameters bit for bit.

Failures (see `safety`, `resume`, `checkpoint`): a non-finite update stops the
run (NonFiniteError naming the step and quantity) or, with
train.on_nonfinite='rollback', restores the last good checkpoint and reads on
after the offending batch (the batches between the checkpoint and it are
skipped too), at most train.max_rollbacks times. A failing save raises
WorkdirError with its step; earlier checkpoints are never touched. In a
multi-process run a lost process ends every survivor with exit code 4 (see
`multihost`), and a stop signal to any one process stops all at one step.
"""

import concurrent.futures
import contextlib
import json
import os
import sys
import time

import jax
import ml_collections
import numpy as np
import tqdm
from jax.experimental import multihost_utils

from gen_jax import data as gdata
from gen_jax.train import checkpoint, config_checks, multihost, parallel, registry, resume, safety, seeds
from gen_jax.train.metrics_writer import MetricsWriter
from gen_jax.train.safety import NonFiniteError, WorkdirError  # noqa: F401  (raised by train_and_evaluate)
from gen_jax.train.state import TrainState, initial_state
from gen_jax.train.train_step import STATE_PARTS, make_train_step, one_step_per_call, pad_steps


class _Rollback(Exception):

  def __init__(self, failed_update: int):
    super().__init__(failed_update)
    self.failed_update = failed_update


def build(config):
  """Validate the config, then build (mesh, dataset, trainer) from it."""
  config_checks.validate(config)
  mesh = parallel.make_mesh(config.train.num_devices or None)
  dataset = gdata.load(config.data)
  trainer = registry.builder_for(config)(config, dataset.spec)
  parallel.check_divisible(config.data.batch_size * trainer.batches_per_step, mesh)
  return mesh, dataset, trainer


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
  """(index, names of the non-finite quantities) of the first dropped update in a call, or None.

  The names are the non-finite metrics, or else the non-finite parts of the new state (`STATE_PARTS`).
  """
  applied = np.asarray(metrics["applied"])
  if applied.all():
    return None
  index = int(np.argmin(applied))
  bad = [k for k, v in metrics.items()
         if k not in ("applied", "finite_parts") and not np.all(np.isfinite(np.asarray(v)[index]))]
  parts = np.asarray(metrics["finite_parts"])[index]  # [len(STATE_PARTS)]
  return index, bad or [name for name, finite in zip(STATE_PARTS, parts) if not finite]


def _write_config(workdir: str, config_dict: dict):
  if jax.process_index() == 0:
    path = os.path.join(workdir, "config.json")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
      json.dump(config_dict, f, indent=2, sort_keys=True)
    os.replace(path + ".tmp", path)


def _check_workdir(workdir: str, state, keep: int):
  """Fail before anything is written unless `workdir` is writable and has room for the checkpoints."""
  existing = len(checkpoint.saved_steps_in(workdir))
  safety.check_workdir(workdir, safety.required_free_bytes(safety.state_nbytes(state), keep, existing))


def _fresh_state(trainer, config, mesh) -> TrainState:
  return parallel.put_replicated(initial_state(trainer, config), mesh)


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str) -> TrainState:
  """Train (or resume) the run described by `config` in `workdir`; returns the final state.

  Nothing in `workdir` is written before the config is validated, the workdir is
  checked (writable, room for the checkpoints) and a resume is found consistent
  with the stored config. SIGTERM/SIGINT (to any one process of a multi-process
  run) save a checkpoint at the current step and return early (state.step <
  train.num_steps).
  """
  multihost.initialize(config)
  with safety.StopFlag() as stop, multihost.coordinated_exit():
    mesh, dataset, trainer = build(config)
    config_dict = config.to_dict()
    fresh = _fresh_state(trainer, config, mesh)
    _check_workdir(workdir, fresh, config.train.keep_checkpoints)
    with contextlib.closing(checkpoint.make_manager(workdir, config.train.keep_checkpoints)) as manager:
      start = resume.find_start(manager, workdir, fresh, config_dict, config.train.allow_config_change)
      notes = resume.tidy(workdir, start, manager)
      _write_config(workdir, config_dict)
      with contextlib.closing(MetricsWriter(workdir)) as writer:
        _log_start(writer, start, notes, config_dict)
        run = _Run(config, workdir, manager, writer, mesh, dataset, trainer, config_dict, stop)
        with contextlib.closing(run.stream):
          return run.train(start.state)


def _log_start(writer: MetricsWriter, start: resume.Start, notes: list[tuple[str, str]], config_dict: dict):
  step = start.step or 0
  for event, message in notes:
    writer.write_event(step, event, message, stream=sys.stderr if event == "checkpoint_fallback" else sys.stdout)
  if start.config_changes:
    writer.write_event(step, "config_change", "warning: the stored config differs in model fields (allowed by "
                       f"train.allow_config_change): {', '.join(start.config_changes)}", stream=sys.stderr)
  if start.step is None:
    writer.write_hparams(config_dict)
    writer.write_event(0, "start", "starting from step 0", stream=None)
  else:
    writer.write_event(start.step, "resume", f"resuming from the checkpoint at step {start.step}")


class _Run:
  """One run's training: chunks of jitted steps, checks, logs, checkpoints, rollbacks, stops."""

  def __init__(self, config, workdir, manager, writer, mesh, dataset, trainer, config_dict, stop):
    self.config, self.workdir, self.manager, self.writer = config, workdir, manager, writer
    self.mesh, self.dataset, self.trainer, self.config_dict, self.stop = mesh, dataset, trainer, config_dict, stop
    self.seeds = seeds.seeds_of(config)
    self.batched = len(self.seeds) > 1
    self.stream = seeds.batch_stream(config, dataset, config.data.batch_size * trainer.batches_per_step,
                                     jax.process_index(), jax.process_count())
    self.train_step = make_train_step(trainer, mesh, config.train.ema_decay, self.stream.to_model_range,
                                      seed_axes=seeds.SEED_AXES if self.batched else None)
    self.one_step_calls = one_step_per_call(dataset.spec.kind, jax.default_backend())

  def train(self, state: TrainState) -> TrainState:
    """Run to train.num_steps, rolling back up to train.max_rollbacks times when asked to."""
    rollbacks = 0
    while True:
      try:
        return self._run(state)
      except _Rollback as rb:
        rollbacks += 1
        if rollbacks > self.config.train.max_rollbacks:
          self._fail(safety.NonFiniteError, rb.failed_update + 1,
                     f"train.max_rollbacks: {self.config.train.max_rollbacks} rollbacks used up; still "
                     f"non-finite at step {rb.failed_update + 1}")
        state = self._rolled_back_state(rb.failed_update)

  def _fail(self, error_type, step: int, message: str):
    """Record the failure in metrics.jsonl (the caller prints it) and raise it."""
    self.writer.write_event(step, "failure", message, stream=None)
    raise error_type(message)

  def _rolled_back_state(self, failed_update: int) -> TrainState:
    """The last good checkpoint (or the initial state), reading on after the offending batch."""
    start = resume.find_start(self.manager, self.workdir, _fresh_state(self.trainer, self.config, self.mesh),
                              self.config_dict, allow_config_change=True)
    for event, message in resume.tidy(self.workdir, start, self.manager):
      self.writer.write_event(start.step or 0, event, message, stream=sys.stderr)
    state = start.state
    step = int(jax.device_get(state.step))
    offending_batch = failed_update + int(jax.device_get(state.data_offset))
    self.writer.write_event(step, "rollback", f"rollback: non-finite update at step {failed_update + 1}; "
                            f"restored step {step}, skipping to batch {offending_batch + 1}")
    new_offset = np.int32(offending_batch + 1 - step)
    return state.replace(data_offset=parallel.put_replicated(new_offset, self.mesh))

  def _check(self, first: int, metrics: dict):
    failure = first_failure(metrics)
    if failure is None:
      return
    index, names = failure
    failed_update = first + index
    if self.config.train.on_nonfinite == "rollback":
      raise _Rollback(failed_update)
    self._fail(safety.NonFiniteError, failed_update + 1,
               f"non-finite {', '.join(names)} at step {failed_update + 1}; stopped with the last good "
               f"checkpoint intact (see train.on_nonfinite)")

  def _save(self, state: TrainState, step: int):
    try:
      checkpoint.save(self.manager, state, self.config_dict)
    except (safety.NonFiniteError, safety.WorkdirError) as e:
      self._fail(type(e), step, str(e))

  def _log(self, step: int, metrics: dict, timer: dict, progress):
    now = time.time()
    scalars = {k: v[-1] for k, v in metrics.items() if k not in ("applied", "finite_parts")}  # [N] when batched
    shared = {"steps_per_sec": (step - timer["step"]) / max(now - timer["time"], 1e-9), **self.stream.metrics()}
    if self.batched:
      for k, seed in enumerate(self.seeds):
        self.writer.write_scalars(step, {**{name: v[k] for name, v in scalars.items()}, **shared}, seed=seed)
      scalars = {name: np.mean(v) for name, v in scalars.items()}  # the progress bar shows the seeds' mean
    else:
      self.writer.write_scalars(step, {**scalars, **shared})
    progress.set_postfix({k: f"{float(v):.4g}" for k, v in scalars.items() if "loss" in k})
    timer.update(step=step, time=now)

  def _save_pictures(self, state: TrainState, step: int):
    """The family's pictures of `step` in DIR/samples, or of each seed in DIR/samples/seed_<s> (same key)."""
    directory = os.path.join(self.workdir, "samples")
    if not self.batched:
      self.trainer.save_pictures(state, picture_key(self.config, step), directory, step, self.dataset)
      return
    for k, seed in enumerate(self.seeds):
      self.trainer.save_pictures(seeds.seed_state(state, k), picture_key(self.config, step),
                                 os.path.join(directory, f"seed_{seed}"), step, self.dataset)

  def _stop_requested(self) -> bool:
    """Whether a stop signal arrived; with several processes, whether any got one (all agree, so none waits)."""
    local = self.stop.signum is not None
    if jax.process_count() == 1:
      return local
    return bool(np.any(multihost_utils.process_allgather(np.array(local))))

  def _apply_steps(self, state: TrainState, batches, active: np.ndarray) -> tuple[TrainState, dict]:
    """A chunk's steps on the host batches [k, ...]: one call of the k-step program, or k calls of the
    one-step program (`one_step_per_call`), whose `applied` flags then chain as the scan's do."""
    place = lambda b, a: (parallel.put_batch(b, self.mesh, leading_axes=2 if self.batched else 1),
                          parallel.put_replicated(a, self.mesh))
    if not self.one_step_calls:
      state, metrics = self.train_step(state, *place(batches, active))
      return state, jax.device_get(metrics)
    per_step = []
    for j in range(active.shape[0]):
      state, metrics = self.train_step(state, *place(jax.tree.map(lambda x: x[j:j + 1], batches), active[j:j + 1]))
      per_step.append(metrics)
    metrics = jax.tree.map(lambda *steps: np.concatenate(steps), *jax.device_get(per_step))
    metrics["applied"] = np.logical_and.accumulate(metrics["applied"])
    return state, metrics

  def _run(self, state: TrainState) -> TrainState:
    """Updates from state.step to train.num_steps; raises _Rollback / NonFiniteError on divergence."""
    t = self.config.train
    start = int(jax.device_get(state.step))
    offset = int(jax.device_get(state.data_offset))
    schedule = chunk_schedule(start, t.num_steps, t.steps_per_jit, (t.log_every, t.checkpoint_every, t.eval_every))
    progress = tqdm.tqdm(total=t.num_steps, initial=start, disable=not t.progress or jax.process_index() != 0,
                         unit="step", dynamic_ncols=True)
    timer = {"step": start, "time": time.time()}
    step, saved_step, stopped = start, start, False

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
      fetch = lambda chunk: pool.submit(self.stream.local_batches, chunk[0] + offset, chunk[1])
      future = fetch(schedule[0]) if schedule else None
      for i, (first, count) in enumerate(schedule):
        if self._stop_requested():
          stopped = True
          break
        batches, active = pad_steps(future.result(), count, count if self.one_step_calls else t.steps_per_jit)
        future = fetch(schedule[i + 1]) if i + 1 < len(schedule) else None
        state, metrics = self._apply_steps(state, batches, active)
        metrics = {k: v[:count] for k, v in metrics.items()}
        self._check(first, metrics)
        step = first + count
        progress.update(count)
        if step % t.log_every == 0 or step == t.num_steps:
          self._log(step, metrics, timer, progress)
        if step % t.checkpoint_every == 0 or step == t.num_steps:
          self._save(state, step)
          saved_step = step
        if (step % t.eval_every == 0 or step == t.num_steps) and jax.process_index() == 0:
          self._save_pictures(jax.device_get(state), step)
    progress.close()
    if stopped:
      if saved_step != step or not checkpoint.saved_steps(self.manager):
        self._save(state, step)
      self.writer.write_event(step, "stop", f"stopped by {self.stop.name or 'a signal to another process'} at step {step}; checkpoint saved "
                              f"in {os.path.abspath(self.workdir)}; run the same command again to resume")
    return state
