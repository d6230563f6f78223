"""Orbax checkpoints of the TrainState, with the run's config and an integrity record beside them.

Layout: DIR/checkpoints/<step>/{state,config,integrity}. Orbax writes each step
into `<step>.orbax-checkpoint-tmp*` and renames it when complete (an atomic
rename), so a checkpoint that was being written when the process died is never
listed as a step; `remove_incomplete` deletes such leftovers on the next start.

Integrity: `save` refuses a state with a NaN or inf anywhere and records the
SHA-256 of the state's arrays (`safety.state_digest`); `restore` recomputes it,
so a truncated or corrupted checkpoint is detected (`UnusableCheckpoint`), never
loaded as if it were good.
"""

import os
import shutil
import time

import jax
import orbax.checkpoint as ocp

from gen_jax.train import safety
from gen_jax.train.state import TrainState

INCOMPLETE_MARK = ocp.utils.TMP_DIR_SUFFIX  # '.orbax-checkpoint-tmp'
QUARANTINE = "unusable_checkpoints"
TRACE_ENV = "GEN_JAX_TEST_TRACE"  # test hooks: a trace of checkpoint reads and clean-ups, and a slow reader
SLOW_READ_ENV = "GEN_JAX_TEST_SLOW_READ_S"


class UnusableCheckpoint(Exception):
  """The checkpoint at `step` cannot be read, or its arrays differ from those saved."""

  def __init__(self, step: int, reason: str):
    super().__init__(f"checkpoint at step {step} is unusable: {reason}")
    self.step = step
    self.reason = reason


def checkpoint_dir(workdir: str) -> str:
  return os.path.join(os.path.abspath(workdir), "checkpoints")


def make_manager(workdir: str, keep: int, create: bool = True) -> ocp.CheckpointManager:
  """A synchronous CheckpointManager keeping the last `keep` steps (`create`: make DIR/checkpoints).

  Restoring never deletes anything; only `save` prunes to the last `keep` steps.
  """
  options = ocp.CheckpointManagerOptions(max_to_keep=keep, create=create, enable_async_checkpointing=False)
  return ocp.CheckpointManager(checkpoint_dir(workdir), options=options,
                               item_names=("state", "config", "integrity"))


def _one_line(error: BaseException) -> str:
  lines = [line.strip() for line in str(error).splitlines() if line.strip()]
  return (lines[0] if lines else type(error).__name__)[:300]


def save(manager: ocp.CheckpointManager, state: TrainState, config_dict: dict) -> int:
  """Save `state`, the config and the state's SHA-256 at the state's step; returns the step.

  NonFiniteError (nothing written) if any floating-point leaf is NaN or inf;
  WorkdirError naming the step if the write fails (full disk, permissions).
  """
  step = int(safety.host_array(state.step))
  bad = safety.nonfinite_leaves(state)
  if bad:
    raise safety.NonFiniteError(f"non-finite {', '.join(bad[:3])} in the state at step {step}; not "
                                f"checkpointed, the checkpoints saved before it are intact")
  record = {"step": step, "sha256": safety.state_digest(state)}
  try:
    manager.save(step, args=ocp.args.Composite(state=ocp.args.StandardSave(state),
                                               config=ocp.args.JsonSave(config_dict),
                                               integrity=ocp.args.JsonSave(record)), force=True)
    manager.wait_until_finished()
  except Exception as e:  # any write failure must surface with its step, never as a silent loss
    raise safety.WorkdirError(f"the checkpoint at step {step} could not be saved in {manager.directory}: "
                              f"{_one_line(e)}; the checkpoints saved before it are intact") from e
  return step


def saved_steps(manager: ocp.CheckpointManager) -> list[int]:
  """Steps of the complete (renamed) checkpoints, oldest first."""
  manager.reload()
  return sorted(manager.all_steps())


def saved_steps_in(workdir: str) -> list[int]:
  """Complete steps found in DIR/checkpoints without a manager (no directory: [])."""
  directory = checkpoint_dir(workdir)
  if not os.path.isdir(directory):
    return []
  return sorted(int(name) for name in os.listdir(directory) if name.isdigit())


def restore_config(manager: ocp.CheckpointManager, step: int) -> dict:
  """The config dict stored with the checkpoint at `step`; UnusableCheckpoint if unreadable."""
  try:
    return manager.restore(step, args=ocp.args.Composite(config=ocp.args.JsonRestore()))["config"]
  except Exception as e:  # unreadable for whatever reason: the caller falls back to an older step
    raise UnusableCheckpoint(step, f"its config cannot be read ({_one_line(e)})") from e


def trace_event(event: str) -> None:
  """Test hook: append `<time> process <i> <event>` to the file named by $GEN_JAX_TEST_TRACE, if set."""
  path = os.environ.get(TRACE_ENV)
  if path:
    with open(path, "a", encoding="utf-8") as f:
      f.write(f"{time.time():.6f} process {jax.process_index()} {event}\n")


def restore(manager: ocp.CheckpointManager, step: int, target: TrainState) -> TrainState:
  """The state saved at `step`, in the structure, dtypes and shardings of `target`.

  UnusableCheckpoint if it cannot be read or its SHA-256 differs from the one recorded at save.
  Test hook: $GEN_JAX_TEST_SLOW_READ_S seconds of delay between orbax's read (which itself synchronizes
  the processes in orbax 0.12) and the verification (a slow reader).
  """
  abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, target)
  trace_event(f"read {step} begins")
  try:
    try:
      restored = manager.restore(step, args=ocp.args.Composite(state=ocp.args.StandardRestore(abstract),
                                                               integrity=ocp.args.JsonRestore()))
    except Exception as e:  # unreadable for whatever reason: the caller falls back to an older step
      raise UnusableCheckpoint(step, f"it cannot be read ({_one_line(e)})") from e
    time.sleep(float(os.environ.get(SLOW_READ_ENV, "0")))
    recorded = (restored["integrity"] or {}).get("sha256")
    if recorded != safety.state_digest(restored["state"]):
      raise UnusableCheckpoint(step, "its arrays differ from the SHA-256 recorded when it was saved")
    return restored["state"]
  finally:
    trace_event(f"read {step} ends")


def incomplete_checkpoints(workdir: str) -> list[str]:
  """Names of the temporary directories of interrupted saves in DIR/checkpoints."""
  directory = checkpoint_dir(workdir)
  if not os.path.isdir(directory):
    return []
  return sorted(name for name in os.listdir(directory) if INCOMPLETE_MARK in name)


def remove_incomplete(workdir: str) -> list[str]:
  """Delete the leftovers of interrupted saves (never a complete step); returns their names."""
  names = incomplete_checkpoints(workdir)
  for name in names:
    shutil.rmtree(os.path.join(checkpoint_dir(workdir), name), ignore_errors=True)
  return names


def quarantine(workdir: str, step: int) -> str:
  """Move the unusable checkpoint at `step` to DIR/unusable_checkpoints/<step> (kept, not deleted)."""
  destination = os.path.join(os.path.abspath(workdir), QUARANTINE, str(step))
  suffix = 1
  while os.path.exists(destination):
    destination = os.path.join(os.path.abspath(workdir), QUARANTINE, f"{step}_{suffix}")
    suffix += 1
  os.makedirs(os.path.dirname(destination), exist_ok=True)
  os.replace(os.path.join(checkpoint_dir(workdir), str(step)), destination)
  return destination
