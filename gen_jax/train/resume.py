"""Where a run (re)starts: the newest usable checkpoint, its config checked against the run's.

`find_start` only reads: it walks the checkpoints newest first, refuses one
stored with a different model/objective/data config (unless allowed), skips
unreadable or corrupted ones, and falls back to the initial state only when
the workdir holds no checkpoint at all. `tidy` then applies the side effects on
process 0, between two barriers of all processes: unusable checkpoints it
skipped are moved aside (kept, not deleted) and the leftovers of interrupted
saves are removed.
"""

import dataclasses
import json
import os

import jax

from gen_jax.train import checkpoint, config_checks, multihost, safety
from gen_jax.train.state import TrainState


@dataclasses.dataclass
class Start:
  """The state to start from and what was found on the way.

  step: the checkpoint step restored, or None for a fresh start.
  skipped: UnusableCheckpoint errors of newer checkpoints passed over.
  config_changes: fields that differ from the stored config (only when allowed).
  """

  state: TrainState
  step: int | None
  skipped: list
  config_changes: list


def stored_config_json(workdir: str) -> dict | None:
  """DIR/config.json as a dict, or None when there is none."""
  path = os.path.join(workdir, "config.json")
  if not os.path.isfile(path):
    return None
  with open(path, encoding="utf-8") as f:
    return json.load(f)


def _changes(stored: dict | None, config_dict: dict, allow: bool, where: str) -> list[str]:
  """Differing model fields; ValueError naming them unless `allow`."""
  differences = config_checks.model_differences(stored, config_dict) if stored is not None else []
  if differences and not allow:
    raise ValueError(f"{differences[0]}: {where} was trained with a different model config (differing "
                     f"fields: {', '.join(differences)}); use a new --workdir, or pass "
                     f"--allow_config_change (train.allow_config_change=True) to restore it anyway")
  return differences


def find_start(manager, workdir: str, fresh: TrainState, config_dict: dict, allow_config_change: bool) -> Start:
  """The newest usable checkpoint's state (or `fresh` when none exists); reads, writes nothing.

  WorkdirError if checkpoints exist but none is usable; ValueError if the stored
  config differs in model fields and `allow_config_change` is False.
  """
  steps = checkpoint.saved_steps(manager)
  skipped = []
  for step in reversed(steps):
    try:
      stored = checkpoint.restore_config(manager, step)
      changes = _changes(stored, config_dict, allow_config_change, f"the checkpoint at step {step}")
      return Start(checkpoint.restore(manager, step, fresh), step, skipped, changes)
    except checkpoint.UnusableCheckpoint as e:
      skipped.append(e)
  if steps:
    reasons = "; ".join(f"{e.step}: {e.reason}" for e in skipped)
    raise safety.WorkdirError(f"--workdir: no usable checkpoint in {checkpoint.checkpoint_dir(workdir)!r} "
                              f"({reasons}); move it away to start afresh")
  changes = _changes(stored_config_json(workdir), config_dict, allow_config_change, "the run in this workdir")
  return Start(fresh, None, [], changes)


def tidy(workdir: str, start: Start, manager) -> list[tuple[str, str]]:
  """Move skipped checkpoints aside and remove interrupted saves, on process 0; returns its (event, message)s.

  Coordinated: every process first reaches a barrier (so none is still reading a
  checkpoint in `find_start`), process 0 alone changes the directory, and a second
  barrier keeps the others from listing it meanwhile. No save can be in progress
  then (saves are collective), so no step another process writes or reads is
  touched. The manager re-reads the directory afterwards, so the moved steps are
  gone from it.
  """
  multihost.barrier("gen_jax_tidy_start")
  messages = []
  if jax.process_index() == 0:
    checkpoint.trace_event("tidy")
    for error in start.skipped:
      moved_to = checkpoint.quarantine(workdir, error.step)
      messages.append(("checkpoint_fallback",
                       f"warning: {error}; moved it to {moved_to} and resumed from step {start.step}"))
    removed = checkpoint.remove_incomplete(workdir)
    if removed:
      messages.append(("cleanup", f"removed {len(removed)} incomplete checkpoint(s) left by an interrupted save: "
                                  f"{', '.join(removed)}"))
  multihost.barrier("gen_jax_tidy_done")
  manager.reload()
  return messages
