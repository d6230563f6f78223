"""A run directory read back: its config (DIR/config.json) and a checkpointed state, for evaluation.

Reads only; never imports the training loop, so `gen_jax.eval` and the scripts that
evaluate finished runs do not pull it in.
"""

import contextlib
import json
import os
import sys

import ml_collections

from gen_jax import data as gdata
from gen_jax.train import checkpoint, config_checks, registry, resume
from gen_jax.train.safety import WorkdirError
from gen_jax.train.state import initial_state


def fill_missing(saved: dict, defaults: dict) -> dict:
  """`saved` with every key of `defaults` it lacks added (recursively into groups); saved values win."""
  filled = dict(saved)
  for key, value in defaults.items():
    if key not in filled:
      filled[key] = value
    elif isinstance(value, dict) and isinstance(filled[key], dict):
      filled[key] = fill_missing(filled[key], value)
  return filled


def load_config(workdir: str, current: ml_collections.ConfigDict | None = None) -> ml_collections.ConfigDict:
  """The config a run in `workdir` was trained with (DIR/config.json).

  Fields added to gen_jax since with a value that reproduces the old behaviour
  (`config_checks.ADDED_FIELD_DEFAULTS`) are filled in. With `current` (e.g. the experiment file as it is
  now): the other fields the saved config lacks are taken from it, and its `eval` group replaces the saved
  one (evaluation settings: sample count, seed, rejection sampling); every saved training field is kept.
  """
  path = os.path.join(workdir, "config.json")
  if not os.path.isfile(path):
    raise FileNotFoundError(f"--workdir: no run found in {workdir!r} (missing config.json); "
                            f"train one with scripts/train.py --workdir={workdir}")
  try:
    with open(path, encoding="utf-8") as f:
      saved = json.load(f)
  except json.JSONDecodeError as e:
    raise ValueError(f"--workdir: expected a JSON config in {path}, got a corrupt file ({e})") from e
  if not isinstance(saved, dict):
    raise ValueError(f"--workdir: expected a JSON object in {path}, got {type(saved).__name__}")
  saved = fill_missing(saved, config_checks.added_field_defaults(saved))
  if current is not None:
    saved = {**fill_missing(saved, current.to_dict()), "eval": current.eval.to_dict()}
  return ml_collections.ConfigDict(saved)


def load_run(workdir: str, step: int | None = None, current: ml_collections.ConfigDict | None = None):
  """(config, trainer, dataset, state) of the run in `workdir`, at `step` (default: the newest usable).

  Reads only. `current`: see `load_config`. A corrupted newest checkpoint is skipped with a
  warning on stderr; a corrupted `step` raises WorkdirError. A saved config that lacks a field
  this version reads raises ValueError suggesting `current` (scripts/evaluate.py --config).
  """
  config = load_config(workdir, current)
  dataset = gdata.load(config.data)
  try:
    trainer = registry.builder_for(config)(config, dataset.spec)
  except AttributeError as e:  # ConfigDict's error for a field the saved config lacks
    raise ValueError(f"--workdir: {workdir}/config.json lacks a field this version of gen_jax reads "
                     f"({str(e).splitlines()[0]}); evaluate with --config=<the run's experiment file> "
                     "to take missing fields from it") from e
  if not checkpoint.saved_steps_in(workdir):
    raise FileNotFoundError(f"--workdir: no complete checkpoint in {checkpoint.checkpoint_dir(workdir)!r}")
  target = initial_state(trainer, config)
  with contextlib.closing(checkpoint.make_manager(workdir, config.train.keep_checkpoints, create=False)) as manager:
    steps = checkpoint.saved_steps(manager)
    if step is None:
      start = resume.find_start(manager, workdir, target, config.to_dict(), allow_config_change=True)
      for error in start.skipped:
        sys.stderr.write(f"warning: {error}; evaluating step {start.step}\n")
      return config, trainer, dataset, start.state
    if step not in steps:
      raise ValueError(f"--step: no checkpoint at step {step}; saved steps are {steps}")
    try:
      return config, trainer, dataset, checkpoint.restore(manager, step, target)
    except checkpoint.UnusableCheckpoint as e:
      raise WorkdirError(f"--step: {e}") from e
