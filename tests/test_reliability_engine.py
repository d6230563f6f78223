"""Reliability of the engine in one process: divergence guard, rollback, checkpoint integrity, workdir safety."""

import json
import os
import shutil

import jax
import numpy as np
import pytest

from configs import engine_test
from gen_jax.data.pipeline import BatchStream
from gen_jax.train import checkpoint, loop, parallel, rundir, safety
from gen_jax.train import state as state_lib
from gen_jax.train.metrics_writer import read_metrics

NUM_POINTS, BATCH = 512, 16


def state_leaves(state):
  return [np.asarray(x) for x in jax.tree.leaves(jax.device_get(state))]


def assert_states_equal(a, b):
  for x, y in zip(state_leaves(a), state_leaves(b), strict=True):
    np.testing.assert_array_equal(x, y)


def snapshot(workdir) -> dict:
  """path -> (size, mtime_ns) of every file under `workdir`: proves a run touched nothing."""
  out = {}
  for root, _, files in os.walk(workdir):
    for name in files:
      stat = os.stat(os.path.join(root, name))
      out[os.path.relpath(os.path.join(root, name), workdir)] = (stat.st_size, stat.st_mtime_ns)
  return out


def events(workdir, kind):
  return [r for r in read_metrics(str(workdir)) if r.get("event") == kind]


def points_with_outliers(path, batches) -> str:
  """A `points` dataset whose global batches numbered `batches` (epoch 0) each hold one point (10, 10)."""
  x = np.clip(0.5 * np.random.default_rng(0).standard_normal((NUM_POINTS, 2)), -3, 3).astype(np.float32)
  config = engine_test.tiny_config()
  from gen_jax.data.spec import Dataset, split_dict  # pylint: disable=import-outside-toplevel
  stream = BatchStream(Dataset(None, split_dict(x, np.zeros(NUM_POINTS)), None), BATCH, config.seed)
  for b in batches:
    x[stream.example_indices(b)[0]] = 10.0
  np.save(path, x)
  return str(path)


def outlier_config(tmp_path, batches, **train):
  config = engine_test.tiny_config(**train)
  config.data.name = "points"
  config.data.points_path = points_with_outliers(tmp_path / "points.npy", batches)
  config.objective.nonfinite_above = 5.0
  return config


@pytest.mark.parametrize("quantity, named", [("loss", "loss"), ("grad", "grad_norm/net"),
                                             ("model_state", "model_state"), ("opt_state", "opt_state")])
def test_nonfinite_stops_naming_step_and_quantity_and_keeps_last_good_checkpoint(tmp_path, quantity, named):
  """A NaN first appearing in the metrics, or only in the new state (batch statistics, optimizer momentum),
  is caught at its step, not at the next save."""
  config = outlier_config(tmp_path, [4], num_steps=8, checkpoint_every=2)
  config.objective.nonfinite_quantity = quantity
  config.objective.momentum = 0.9 if quantity == "opt_state" else 0.0
  workdir = str(tmp_path / "run")
  with pytest.raises(safety.NonFiniteError, match=rf"non-finite {named} at step 5\b"):
    loop.train_and_evaluate(config, workdir)
  assert checkpoint.saved_steps_in(workdir) == [2, 4]
  assert events(workdir, "failure")[0]["step"] == 5
  _, _, _, state = rundir.load_run(workdir)  # verified restore: digest and finiteness hold
  assert int(state.step) == 4 and not safety.nonfinite_leaves(state)


def test_one_step_calls_flag_the_same_step_as_the_scan(tmp_path, monkeypatch):
  """Image data on CPU runs a chunk as one-step calls (train_step.one_step_per_call): a non-finite update in
  the middle of a chunk is caught at its own step and the later steps of the chunk are not applied."""
  monkeypatch.setattr(loop, "one_step_per_call", lambda kind, backend: True)
  config = outlier_config(tmp_path, [4], num_steps=8, checkpoint_every=2, steps_per_jit=4)
  with pytest.raises(safety.NonFiniteError, match=r"non-finite loss at step 5\b"):
    loop.train_and_evaluate(config, str(tmp_path / "run"))
  assert checkpoint.saved_steps_in(str(tmp_path / "run")) == [2, 4]


@pytest.mark.parametrize("quantity", ["loss", "model_state"])
def test_rollback_skips_offending_batches_up_to_max_rollbacks(tmp_path, quantity):
  """Rollback works whether the NaN first appears in the loss or only in the model / optimizer state."""
  config = outlier_config(tmp_path, [3, 6], num_steps=10, checkpoint_every=2, on_nonfinite="rollback",
                          max_rollbacks=2)
  config.objective.nonfinite_quantity = quantity
  config.objective.momentum = 0.9 if quantity == "opt_state" else 0.0
  state = loop.train_and_evaluate(config, str(tmp_path / "a"))
  assert int(state.step) == 10 and not safety.nonfinite_leaves(state)
  # Update 3 reads batch 3: back to step 2, read on from batch 4 (offset 2); update 4 then reads batch 6:
  # back to step 4, read on from batch 7 (offset 3).
  assert int(state.data_offset) == 3
  rollbacks = events(tmp_path / "a", "rollback")
  assert [r["step"] for r in rollbacks] == [2, 4]
  assert "at step 4" in rollbacks[0]["message"] and "at step 5" in rollbacks[1]["message"]
  again = loop.train_and_evaluate(config, str(tmp_path / "b"))
  assert_states_equal(state, again)

  config.train.max_rollbacks = 1
  with pytest.raises(safety.NonFiniteError, match=r"train.max_rollbacks: 1 rollbacks used up; still non-finite at step 5"):
    loop.train_and_evaluate(config, str(tmp_path / "c"))
  assert checkpoint.saved_steps_in(str(tmp_path / "c")) == [2, 4]


def test_save_refuses_a_state_with_nonfinite_values(tmp_path):
  config = engine_test.tiny_config()
  mesh, _, trainer = loop.build(config)
  state = state_lib.initial_state(trainer, config)
  stats = jax.tree.map(lambda x: x.at[0].set(np.inf), state.model_state)
  manager = checkpoint.make_manager(str(tmp_path), 3)
  with pytest.raises(safety.NonFiniteError, match=r"model_state/net/\S+ .*at step 0; not checkpointed"):
    checkpoint.save(manager, parallel.put_replicated(state.replace(model_state=stats), mesh), {})
  assert checkpoint.saved_steps(manager) == [] and not checkpoint.incomplete_checkpoints(str(tmp_path))
  manager.close()


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
  """An uninterrupted 6-step run (checkpoints at 3 and 6) and its final state."""
  workdir = tmp_path_factory.mktemp("finished")
  return str(workdir), loop.train_and_evaluate(engine_test.tiny_config(), str(workdir))


def _largest_file(directory):
  files = [os.path.join(root, f) for root, _, names in os.walk(directory) for f in names]
  return max(files, key=os.path.getsize)


def truncate(step_dir):
  path = _largest_file(os.path.join(step_dir, "state", "d"))  # the arrays' bytes
  with open(path, "r+b") as f:
    f.truncate(os.path.getsize(path) // 2)


def flip_bytes(step_dir):
  path = _largest_file(os.path.join(step_dir, "state", "d"))
  with open(path, "r+b") as f:
    data = bytearray(f.read())
    middle = len(data) // 2
    data[middle:middle + 8] = bytes(255 - b for b in data[middle:middle + 8])
    f.seek(0)
    f.write(data)


def remove_metadata(step_dir):
  os.remove(os.path.join(step_dir, "state", "_METADATA"))


def forge_digest(step_dir):
  path = os.path.join(step_dir, "integrity", "metadata")
  record = json.load(open(path))
  record["sha256"] = "0" * 64
  json.dump(record, open(path, "w"))


def truncate_config(step_dir):
  path = os.path.join(step_dir, "config", "metadata")
  with open(path, "r+b") as f:
    f.truncate(10)


CORRUPTIONS = [truncate, flip_bytes, remove_metadata, forge_digest, truncate_config]


@pytest.mark.parametrize("corrupt", CORRUPTIONS, ids=lambda f: f.__name__)
def test_corrupt_latest_checkpoint_falls_back_to_previous(tmp_path, finished_run, corrupt, capsys):
  source, final = finished_run
  workdir = str(tmp_path / "run")
  shutil.copytree(source, workdir)
  corrupt(os.path.join(checkpoint.checkpoint_dir(workdir), "6"))
  state = loop.train_and_evaluate(engine_test.tiny_config(), workdir)
  assert_states_equal(state, final)  # resumed from step 3 and retrained steps 4..6 bit for bit
  fallback = events(workdir, "checkpoint_fallback")
  assert len(fallback) == 1 and "checkpoint at step 6 is unusable" in fallback[0]["message"]
  assert "checkpoint at step 6 is unusable" in capsys.readouterr().err
  assert events(workdir, "resume")[-1]["step"] == 3
  assert os.path.isdir(os.path.join(workdir, checkpoint.QUARANTINE, "6"))  # moved aside, not deleted
  assert checkpoint.saved_steps_in(workdir) == [3, 6]


def test_no_usable_checkpoint_fails_clearly_and_touches_nothing(tmp_path, finished_run):
  workdir = str(tmp_path / "run")
  shutil.copytree(finished_run[0], workdir)
  for step in (3, 6):
    truncate(os.path.join(checkpoint.checkpoint_dir(workdir), str(step)))
  before = snapshot(workdir)
  with pytest.raises(safety.WorkdirError, match=r"no usable checkpoint .*6: .*; 3: "):
    loop.train_and_evaluate(engine_test.tiny_config(), workdir)
  with pytest.raises(safety.WorkdirError, match=r"--step: checkpoint at step 3 is unusable"):
    rundir.load_run(workdir, step=3)
  with pytest.raises(ValueError, match=r"--step: no checkpoint at step 4; saved steps are \[3, 6\]"):
    rundir.load_run(workdir, step=4)
  assert snapshot(workdir) == before


def test_config_change_is_refused_untouched_unless_allowed(tmp_path, finished_run):
  workdir = str(tmp_path / "run")
  shutil.copytree(finished_run[0], workdir)
  config = engine_test.tiny_config(num_steps=8)
  config.objective.loss_scale = 2.0
  before = snapshot(workdir)
  with pytest.raises(ValueError, match=r"objective.loss_scale.*allow_config_change"):
    loop.train_and_evaluate(config, workdir)
  assert snapshot(workdir) == before
  config.train.allow_config_change = True
  assert int(loop.train_and_evaluate(config, workdir).step) == 8
  assert "objective.loss_scale" in events(workdir, "config_change")[0]["message"]


def test_config_json_is_checked_when_no_checkpoint_exists(tmp_path):
  workdir = tmp_path / "run"
  workdir.mkdir()
  stored = engine_test.tiny_config().to_dict()
  stored["model"]["name"] = "vae"
  (workdir / "config.json").write_text(json.dumps(stored))
  with pytest.raises(ValueError, match="model.name"):
    loop.train_and_evaluate(engine_test.tiny_config(), str(workdir))
  config = engine_test.tiny_config(num_steps=2, allow_config_change=True)
  assert int(loop.train_and_evaluate(config, str(workdir)).step) == 2
  assert "model.name" in events(workdir, "config_change")[0]["message"]


def test_bad_config_in_existing_workdir_touches_nothing(tmp_path, finished_run):
  workdir = str(tmp_path / "run")
  shutil.copytree(finished_run[0], workdir)
  before = snapshot(workdir)
  config = engine_test.tiny_config()
  config.data.batch_size = 0
  with pytest.raises(ValueError, match="data.batch_size"):
    loop.train_and_evaluate(config, workdir)
  assert snapshot(workdir) == before


def test_unwritable_workdir_is_reported_before_training(tmp_path):
  blocker = tmp_path / "file"
  blocker.write_text("")
  with pytest.raises(safety.WorkdirError, match="--workdir: cannot write to"):
    loop.train_and_evaluate(engine_test.tiny_config(), str(blocker / "run"))


def test_full_disk_is_reported_before_training(tmp_path, monkeypatch):
  monkeypatch.setattr(safety.shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 1000, 1000))
  with pytest.raises(safety.WorkdirError, match=r"only 0.0 MiB free .*checkpoints need about"):
    loop.train_and_evaluate(engine_test.tiny_config(), str(tmp_path / "run"))
  assert os.listdir(tmp_path / "run") == []


def test_required_free_bytes_counts_the_checkpoints_still_to_write():
  assert safety.required_free_bytes(100, keep=3, existing=0) == 400 + 2**20
  assert safety.required_free_bytes(100, keep=3, existing=5) == 100 + 2**20


def test_failing_save_names_its_step_and_keeps_earlier_checkpoints(tmp_path, monkeypatch):
  real_save = checkpoint.ocp.CheckpointManager.save

  def save(self, step, *args, **kwargs):
    if step >= 4:
      raise OSError(28, "No space left on device")
    return real_save(self, step, *args, **kwargs)

  monkeypatch.setattr(checkpoint.ocp.CheckpointManager, "save", save)
  workdir = str(tmp_path / "run")
  with pytest.raises(safety.WorkdirError, match=r"checkpoint at step 4 could not be saved .*No space left"):
    loop.train_and_evaluate(engine_test.tiny_config(num_steps=6, checkpoint_every=2), workdir)
  assert checkpoint.saved_steps_in(workdir) == [2]
  assert events(workdir, "failure")[0]["step"] == 4


def test_interrupted_save_leftovers_are_removed_on_start(tmp_path, finished_run):
  workdir = str(tmp_path / "run")
  shutil.copytree(finished_run[0], workdir)
  shutil.copytree(os.path.join(checkpoint.checkpoint_dir(workdir), "6"),
                  os.path.join(checkpoint.checkpoint_dir(workdir), "7" + checkpoint.INCOMPLETE_MARK))
  state = loop.train_and_evaluate(engine_test.tiny_config(num_steps=8), workdir)
  assert int(state.step) == 8 and checkpoint.incomplete_checkpoints(workdir) == []
  assert events(workdir, "resume")[-1]["step"] == 6 and events(workdir, "cleanup")
