"""Engine tests on one CPU device: determinism, exact resume, single trace, guards, CLI errors."""

import json
import os
import subprocess
import sys

import chex
import jax
import numpy as np
import pytest
from jax.sharding import PartitionSpec as P

from configs import engine_test
from gen_jax.train import loop, parallel
from gen_jax.train import state as state_lib
from gen_jax.train.run_evaluation import evaluate_run
from gen_jax.train.train_step import make_train_step, one_step_per_call, tree_all_finite
from tests.helpers.gan import tiny_config as tiny_gan_config

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def leaves(state):
  return [np.asarray(x) for x in jax.tree.leaves(jax.device_get(state.params))]


def assert_bitwise_equal(a, b):
  for x, y in zip(leaves(a), leaves(b), strict=True):
    np.testing.assert_array_equal(x, y)


def test_chunk_schedule_respects_boundaries():
  assert loop.chunk_schedule(0, 10, 4, (5,)) == [(0, 4), (4, 1), (5, 4), (9, 1)]
  assert loop.chunk_schedule(3, 6, 1, (100,)) == [(3, 1), (4, 1), (5, 1)]
  assert loop.chunk_schedule(6, 6, 4, (2,)) == []


def test_run_writes_metrics_checkpoints_and_evaluates(tmp_path):
  state = loop.train_and_evaluate(engine_test.tiny_config(), str(tmp_path))
  assert int(state.step) == 6
  records = [json.loads(line) for line in open(tmp_path / "metrics.jsonl")]
  assert "hparams" in records[0] and records[0]["step"] == 0
  logged = [r for r in records if "loss" in r]
  assert [r["step"] for r in logged] == [2, 4, 6]
  assert all({"loss", "grad_norm/net", "steps_per_sec", "wall_time"} <= set(r) for r in logged)
  assert sorted(os.listdir(tmp_path / "checkpoints")) == ["3", "6"]
  assert json.load(open(tmp_path / "config.json"))["model"]["name"] == "engine_test"
  assert any(f.startswith("events") for f in os.listdir(tmp_path / "tensorboard"))
  first = evaluate_run(str(tmp_path))
  assert first == evaluate_run(str(tmp_path)) and first["step"] == 6
  assert json.load(open(tmp_path / "eval.json")) == first


def test_same_seed_is_bitwise_reproducible_and_seeds_differ(tmp_path):
  a = loop.train_and_evaluate(engine_test.tiny_config(), str(tmp_path / "a"))
  b = loop.train_and_evaluate(engine_test.tiny_config(), str(tmp_path / "b"))
  assert_bitwise_equal(a, b)
  config = engine_test.tiny_config()
  config.seed = 1
  c = loop.train_and_evaluate(config, str(tmp_path / "c"))
  assert any(not np.array_equal(x, y) for x, y in zip(leaves(a), leaves(c)))


@pytest.mark.parametrize("steps_per_jit", [1, 2])
def test_stop_and_resume_equals_uninterrupted(tmp_path, steps_per_jit):
  full = loop.train_and_evaluate(engine_test.tiny_config(num_steps=10, steps_per_jit=steps_per_jit),
                                 str(tmp_path / "full"))
  loop.train_and_evaluate(engine_test.tiny_config(num_steps=5, steps_per_jit=steps_per_jit),
                          str(tmp_path / "resumed"))
  resumed = loop.train_and_evaluate(engine_test.tiny_config(num_steps=10, steps_per_jit=steps_per_jit),
                                    str(tmp_path / "resumed"))
  assert int(resumed.step) == 10
  assert_bitwise_equal(full, resumed)


def test_steps_per_jit_matches_single_steps(tmp_path):
  one = loop.train_and_evaluate(engine_test.tiny_config(), str(tmp_path / "one"))
  three = loop.train_and_evaluate(engine_test.tiny_config(steps_per_jit=3), str(tmp_path / "three"))
  for x, y in zip(leaves(one), leaves(three)):
    np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-7)


def test_image_models_on_cpu_run_one_compiled_step_per_call(tmp_path, monkeypatch):
  """XLA:CPU runs convolution gradients 20-60x slower in a lax.scan: image data on CPU calls the one-step
  program per step, so any steps_per_jit runs the same program (bit-identical); points keep the scan."""
  assert one_step_per_call("images", "cpu") and one_step_per_call("paired", "cpu")
  assert not one_step_per_call("points", "cpu") and not one_step_per_call("images", "gpu")
  config = lambda k: tiny_gan_config("gan", "digits", **{"data.fresh_samples": False, "train.num_steps": 3,
                                                        "train.steps_per_jit": k, "train.checkpoint_every": 3})
  calls = []
  monkeypatch.setattr(loop, "make_train_step", lambda *a, **kw: counting(make_train_step(*a, **kw), calls))
  one = loop.train_and_evaluate(config(1), str(tmp_path / "one"))
  three = loop.train_and_evaluate(config(3), str(tmp_path / "three"))
  assert_bitwise_equal(one, three)
  assert calls == [1] * 6  # every call ran one step


def counting(train_step, calls: list):
  """`train_step`, appending each call's number of steps to `calls`."""
  def run(state, batches, active):
    calls.append(int(active.shape[0]))
    return train_step(state, batches, active)
  return run


def test_step_is_traced_once_per_compilation():
  """Traced twice when compiled (the padding branch takes the metrics' shapes from one trace), never again."""
  config = engine_test.tiny_config()
  mesh, dataset, trainer = loop.build(config)
  counted = trainer.__class__(**{**trainer.__dict__, "update": chex.assert_max_traces(trainer.update, n=2)})
  step = make_train_step(counted, mesh)
  state = parallel.put_replicated(state_lib.initial_state(counted, config), mesh)
  from gen_jax.data.pipeline import BatchStream
  stream = BatchStream(dataset, config.data.batch_size, config.seed)
  for i in range(3):
    active = parallel.put_replicated(np.array([True, i != 2]), mesh)
    state, _ = step(state, parallel.put_batch(stream.local_batches(2 * i, 2), mesh, leading_axes=1), active)
  assert int(state.step) == 5


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_tree_all_finite_finds_one_bad_value_in_any_float_leaf(bad):
  tree = {"w": np.ones((3, 4), np.float32), "b": np.zeros(0, np.float32), "h": np.ones(5, np.float16),
          "count": np.array(7, np.int32)}
  assert bool(jax.jit(tree_all_finite)(tree)) and bool(tree_all_finite({})) and bool(tree_all_finite([]))
  for name, index in (("w", (2, 3)), ("h", 0)):
    broken = {**tree, name: tree[name].copy()}
    broken[name][index] = bad
    assert not bool(jax.jit(tree_all_finite)(broken)), name


def test_one_device_step_has_no_all_reduce_and_a_checked_shard_map_keeps_its_pmean():
  """On a one-device mesh the engine's step computes its global means without an all-reduce; a user's
  shard_map that checks varying axes still gets the pmean its check needs, on one device too."""
  from gen_jax.bench.training import PreparedStep, workload_config  # pylint: disable=import-outside-toplevel
  prepared = PreparedStep(workload_config("vae_mlp", batch_size=8))
  hlo = prepared.train_step.lower(prepared.state, prepared.batches, prepared.active).compile().as_text()
  assert "all-reduce" not in hlo
  mesh = parallel.make_mesh(1)
  x = parallel.put_batch(np.arange(6, dtype=np.float32), mesh)
  checked = jax.shard_map(parallel.global_mean, mesh=mesh, in_specs=P(parallel.AXIS), out_specs=P())
  assert float(jax.jit(checked)(x)) == 2.5


def test_nonfinite_loss_stops_with_step_and_quantity(tmp_path):
  config = engine_test.tiny_config()
  config.objective.loss_scale = float("nan")
  with pytest.raises(loop.NonFiniteError, match=r"non-finite .*loss.* at step 1"):
    loop.train_and_evaluate(config, str(tmp_path))
  assert not os.path.exists(tmp_path / "checkpoints" / "3")


def test_resume_with_a_different_model_is_refused(tmp_path):
  loop.train_and_evaluate(engine_test.tiny_config(num_steps=3), str(tmp_path))
  config = engine_test.tiny_config()
  config.objective.loss_scale = 2.0
  with pytest.raises(ValueError, match="objective.loss_scale"):
    loop.train_and_evaluate(config, str(tmp_path))


def test_model_differences_treat_tuples_as_their_json_lists():
  from gen_jax.train.config_checks import model_differences
  stored = {"model": {"hidden": [400, 400], "name": "gan"}, "train": {"num_steps": 5}}
  assert model_differences(stored, {"model": {"hidden": (400, 400), "name": "gan"}, "train": {"num_steps": 9}}) == []
  assert model_differences(stored, {"model": {"hidden": (400,), "name": "gan"}}) == ["model.hidden"]


def test_fields_added_later_match_configs_saved_before_them_at_their_old_behaviour():
  from gen_jax.train.config_checks import model_differences
  stored = {"model": {"name": "gan"}, "objective": {"loss": "hinge"}}  # saved before the fields existed
  current = {"model": {"name": "gan", "architecture": "dcgan", "embed_dim": 32, "dropout": 0.0},
             "objective": {"loss": "hinge", "orthogonal": 0.0, "diff_augment": ""}}
  assert model_differences(stored, current) == []
  current["objective"]["diff_augment"] = "color"
  assert model_differences(stored, current) == ["objective.diff_augment"]


def test_a_run_saved_before_fields_were_added_loads_with_their_old_behaviour(tmp_path):
  from gen_jax.train.rundir import load_config
  (tmp_path / "config.json").write_text(json.dumps({"model": {"name": "gan"}, "objective": {"loss": "hinge"},
                                                    "train": {"seed": 3}}))
  config = load_config(str(tmp_path))
  assert config.model.architecture == "dcgan" and config.objective.diff_augment == "" and config.train.num_seeds == 1
  assert config.train.seed == 3 and "data" not in config  # saved values kept; no group invented


def run_cli(*args, script="train.py"):
  return subprocess.run([sys.executable, os.path.join(REPO, "scripts", script), *args],
                        capture_output=True, text=True, timeout=120, cwd=REPO)


@pytest.mark.parametrize("args, field", [
    (["--config.data.batch_size=0"], "data.batch_size"),
    (["--config.model.name=nope"], "model.name"),
    (["--config.data.name=nope"], "data.name"),
    (["--config.train.on_nonfinite=maybe"], "train.on_nonfinite"),
    (["--config.data.batch_size=abc"], "batch_size"),
    (["--no_such_flag=1"], "no_such_flag"),
])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, args, field):
  result = run_cli(f"--config={REPO}/configs/engine_test.py", f"--workdir={tmp_path}", *args)
  assert result.returncode == 2, result.stderr
  lines = result.stderr.strip().splitlines()
  assert len(lines) == 1 and field in lines[0] and "Traceback" not in result.stderr


def test_cli_missing_config_file_and_workdir(tmp_path):
  result = run_cli(f"--config={tmp_path}/missing.py")
  assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
  result = run_cli(f"--workdir={tmp_path}/nothing", script="evaluate.py")
  assert result.returncode == 2 and "no run found" in result.stderr
