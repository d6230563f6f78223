"""Training and input-pipeline benchmark workloads at tiny sizes, the script's CLI, and the --compare summary."""

import json
import os
import subprocess
import sys

import jax
import pytest

from gen_jax import bench
from gen_jax import data as gdata
from gen_jax.bench import compare, inputs, training
from gen_jax.train import registry

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECORD_KEYS = {"workload", "batch", "steps", "seconds", "steps_per_sec", "flops_per_step", "achieved_flops",
               "peak_flops", "mfu"}
TINY = dict(steps_per_jit=1, repeats=1, batch_size=4)


@pytest.mark.parametrize("name", sorted(training.TRAINING_CONFIGS))
def test_training_workload_record_has_every_field_positive(name):
  (record,) = list(bench.get_workload(name)(2, None, **TINY))
  json.dumps(record)
  assert RECORD_KEYS <= set(record) and record["workload"] == name
  assert record["batch"] == 4 and record["steps"] == 2 and record["devices"] == 1
  for key in RECORD_KEYS - {"workload"}:
    assert record[key] > 0, key
  assert record["achieved_flops"] == pytest.approx(record["flops_per_step"] * record["steps_per_sec"])
  assert record["mfu"] == pytest.approx(record["achieved_flops"] / record["peak_flops"])


def test_workload_configs_have_the_benchmark_shapes():
  vae = training.workload_config("vae_mlp")
  assert (vae.data.batch_size, tuple(vae.model.latent_dims), vae.data.image_size) == (128, (20,), 28)
  assert tuple(map(tuple, vae.model.hidden)) == ((400,),)
  gan = training.workload_config("gan2d_mlp", "bfloat16", 3, 2)
  assert (gan.data.batch_size, tuple(gan.model.generator_hidden), gan.model.generator_batch_norm) == (512, (400,) * 4, False)
  assert (gan.train.compute_dtype, gan.train.steps_per_jit, gan.train.num_devices) == ("bfloat16", 3, 2)
  assert gan.model.discriminator_act == "leaky_relu"
  dcgan = training.workload_config("dcgan32")
  assert (dcgan.data.batch_size, dcgan.model.latent_dim, dcgan.model.features, dcgan.data.image_size) == (64, 100, 64, 32)
  assert dcgan.model.discriminator_batch_norm
  with pytest.raises(ValueError, match="workload"):
    training.workload_config("nope")
  with pytest.raises(ValueError, match="batch_size"):
    training.workload_config("vae_mlp", batch_size=0)


def _parameter_shapes(name: str):
  config = training.workload_config(name)
  trainer = registry.get_model(config.model.name)(config, gdata.load(config.data).spec)
  state = jax.eval_shape(trainer.init, jax.random.PRNGKey(0))
  return jax.tree.map(lambda a: a.shape, (state.params, state.model_state))


def test_gan2d_discriminator_is_2_200_200_200_1_leaky_relu():
  params, model_state = _parameter_shapes("gan2d_mlp")
  d = params["discriminator"]
  assert [d["body"][f"Dense_{i}"]["kernel"] for i in range(3)] + [d["Dense_0"]["kernel"]] == [
      (2, 200), (200, 200), (200, 200), (200, 1)]
  assert len(d["body"]) == 3 and model_state["discriminator"] == {}
  assert [params["generator"]["body"][f"Dense_{i}"]["kernel"] for i in range(5)] == [
      (2, 400), (400, 400), (400, 400), (400, 400), (400, 2)]


def test_dcgan32_networks_have_the_specified_layers():
  params, model_state = _parameter_shapes("dcgan32")
  g, d = params["generator"]["body"], params["discriminator"]
  assert g["Dense_0"]["kernel"] == (100, 4 * 4 * 256)
  assert [g[f"SubpixelConvTranspose_{i}"]["kernel"] for i in range(3)] == [(4, 4, 256, 128), (4, 4, 128, 64),
                                                                           (4, 4, 64, 1)]
  assert [d["body"][f"Conv_{i}"]["kernel"] for i in range(3)] == [(4, 4, 1, 64), (4, 4, 64, 128),
                                                                   (4, 4, 128, 256)]
  assert d["Dense_0"]["kernel"] == (4 * 4 * 256, 1)   # = a 4x4 VALID conv to one logit
  assert {k: v["mean"] for k, v in model_state["discriminator"]["batch_stats"]["body"].items()} == {
      "BatchNorm_0": (128,), "BatchNorm_1": (256,)}


@pytest.mark.parametrize("name", sorted(inputs.IN_MEMORY))
def test_input_workloads_report_batches_per_second_beside_the_step_rate(name):
  (record,) = list(bench.get_workload(name)(2, None, **TINY))
  json.dumps(record)
  assert record["workload"] == name and record["train_workload"] == "vae_mlp" and record["batch"] == 4
  assert record["batches_per_sec"] > 0 and record["train_steps_per_sec"] > 0
  assert record["headroom"] == pytest.approx(record["batches_per_sec"] / record["train_steps_per_sec"])


def test_streamed_input_workload_reports_first_batch_rate_and_memory_per_worker_count():
  (record,) = list(bench.get_workload("input_tfds")(2, None, repeats=1, batch_size=4, num_workers=["0"]))
  json.dumps(record)
  assert record["workload"] == "input_tfds" and record["num_workers"] == 0 and record["batch"] == 4
  assert record["images"] == inputs.MOCK_EXAMPLES and record["time_to_first_batch_s"] > 0
  assert record["images_per_sec"] > 0 and 100 < record["peak_rss_mb"] < 10_000
  assert record["headroom"] == pytest.approx(record["images_per_sec"] / record["train_images_per_sec"])


def run_script(*args):
  return subprocess.run([sys.executable, os.path.join(REPO, "scripts", "benchmark.py"), *args], cwd=REPO,
                        capture_output=True, text=True, timeout=300)


def test_script_on_two_fake_devices_prints_one_json_record():
  result = run_script("--workload=vae_mlp", "--steps=2", "--steps_per_jit=2", "--repeats=1", "--batch_size=4",
                      "--devices=2")
  assert result.returncode == 0, result.stderr[-2000:]
  (record,) = compare.parse_records(result.stdout)
  assert record["devices"] == 2 and record["steps"] == 2 and record["flops_per_step"] > 0
  assert record["steps_per_jit"] == 2  # a scanned call (k > 1) on the 2-device mesh


def test_script_rejects_an_option_the_workload_does_not_take():
  result = run_script("--workload=sampler_rejection", "--compute_dtype=bfloat16")
  assert result.returncode == 2 and "--compute_dtype" in result.stderr and result.stdout == ""


CANNED = {
    "gen_jax": 'WARNING: noise\n{"workload": "vae_mlp", "steps_per_sec": %s, "mfu": 0.5}\n',
    "torch": '{"workload": "other", "steps_per_sec": 1.0}\n{"workload": "vae_mlp", "steps_per_sec": %s, "mfu": 0.2}\n',
}


def test_parse_records_skips_non_json_lines_and_last_record_picks_the_workload():
  output = CANNED["torch"] % 4.0 + "not json {\n{broken\n"
  assert [r["workload"] for r in compare.parse_records(output)] == ["other", "vae_mlp"]
  assert compare.last_record(output, "vae_mlp")["steps_per_sec"] == 4.0
  with pytest.raises(ValueError, match="no JSON record"):
    compare.last_record("Traceback ...", "vae_mlp")


def test_compare_alternates_sides_and_reports_median_ratios():
  rates = {"gen_jax": iter([10.0, 12.0, 30.0]), "torch": iter([5.0, 4.0, 10.0])}
  calls = []

  def fake_run(command):
    side = command[0]
    calls.append(side)
    return CANNED[side] % next(rates[side])

  commands = {side: (lambda w, side=side: [side, w]) for side in compare.SIDES}
  seen = []
  (summary,) = compare.compare(["vae_mlp"], 3, commands, run=fake_run, report=seen.append)
  assert calls == ["gen_jax", "torch", "torch", "gen_jax", "gen_jax", "torch"]
  assert summary["ratios"] == [2.0, 3.0, 3.0] and summary["ratio"] == 3.0 and summary["rounds"] == 3
  assert summary["gen_jax_steps_per_sec"] == 12.0 and summary["torch_steps_per_sec"] == 5.0
  assert summary["gen_jax_mfu"] == 0.5 and summary["torch_mfu"] == 0.2
  assert [r["round"] for r in seen] == [0, 1, 2] and seen[1]["ratio"] == 3.0
  with pytest.raises(ValueError, match="rounds"):
    compare.compare(["vae_mlp"], 0, commands, run=fake_run)
  with pytest.raises(ValueError, match="commands"):
    compare.compare(["vae_mlp"], 1, {"gen_jax": commands["gen_jax"]}, run=fake_run)


def test_compare_rotates_a_torch_compile_side_and_reports_its_ratio():
  canned = {**CANNED, "torch_compile": '{"workload": "vae_mlp", "steps_per_sec": %s, "mfu": 0.4}\n'}
  rates = {"gen_jax": iter([10.0, 12.0]), "torch": iter([5.0, 4.0]), "torch_compile": iter([10.0, 6.0])}
  calls = []

  def fake_run(command):
    calls.append(command[0])
    return canned[command[0]] % next(rates[command[0]])

  commands = {side: (lambda w, side=side: [side, w]) for side in compare.PEERS + ("gen_jax",)}
  seen = []
  (summary,) = compare.compare(["vae_mlp"], 2, commands, run=fake_run, report=seen.append)
  assert calls == ["gen_jax", "torch", "torch_compile", "torch_compile", "torch", "gen_jax"]
  assert summary["ratios"] == [2.0, 3.0] and summary["ratios_torch_compile"] == [1.0, 2.0]
  assert summary["ratio_torch_compile"] == 1.5 and summary["torch_compile_steps_per_sec"] == 8.0
  assert summary["torch_compile_mfu"] == 0.4 and seen[1]["ratio_torch_compile"] == 2.0
  with pytest.raises(ValueError, match="commands"):
    compare.compare(["vae_mlp"], 1, {**commands, "jax_eager": commands["gen_jax"]}, run=fake_run)
