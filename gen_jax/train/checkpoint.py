"""Orbax checkpoints of the TrainState, with the run's config stored beside them.

Layout: DIR/checkpoints/<step>/{state,config}. Orbax writes each step into a
temporary directory and renames it when complete, so a checkpoint that was
being written when the process died is never listed as a step.
"""

import os

import jax
import orbax.checkpoint as ocp

from gen_jax.train.state import TrainState


def checkpoint_dir(workdir: str) -> str:
  return os.path.join(os.path.abspath(workdir), "checkpoints")


def make_manager(workdir: str, keep: int) -> ocp.CheckpointManager:
  """A synchronous CheckpointManager keeping the last `keep` steps."""
  options = ocp.CheckpointManagerOptions(max_to_keep=keep, create=True,
                                         enable_async_checkpointing=False)
  return ocp.CheckpointManager(checkpoint_dir(workdir), options=options,
                               item_names=("state", "config"))


def save(manager: ocp.CheckpointManager, state: TrainState, config_dict: dict) -> int:
  """Save `state` (and the config) at its step; returns the step."""
  step = int(jax.device_get(state.step))
  manager.save(step, args=ocp.args.Composite(state=ocp.args.StandardSave(state),
                                             config=ocp.args.JsonSave(config_dict)), force=True)
  manager.wait_until_finished()
  return step


def saved_steps(manager: ocp.CheckpointManager) -> list[int]:
  """Steps of the complete checkpoints, oldest first."""
  manager.reload()
  return sorted(manager.all_steps())


def restore(manager: ocp.CheckpointManager, step: int, target: TrainState) -> TrainState:
  """Restore the state saved at `step` into the structure, dtypes and shardings of `target`."""
  abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, target)
  restored = manager.restore(step, args=ocp.args.Composite(state=ocp.args.StandardRestore(abstract)))
  return restored["state"]


def restore_config(manager: ocp.CheckpointManager, step: int) -> dict:
  """The config dict stored with the checkpoint at `step`."""
  return manager.restore(step, args=ocp.args.Composite(config=ocp.args.JsonRestore()))["config"]
