"""scripts/gpu_check.sh end to end on the CPU, every part tiny: the install is skipped, one JSON summary."""

import json
import os
import subprocess

from tests.helpers.cli import REPO


def test_gpu_check_runs_every_part_on_cpu_and_prints_one_json_summary():
  env = {**os.environ, "PYTHONPATH": REPO}
  result = subprocess.run(["bash", "scripts/gpu_check.sh", "--tiny", "--workloads=vae_mlp",
                           "--dtypes=float32", "--seed_config=engine_test"], capture_output=True, text=True, cwd=REPO, env=env,
                          timeout=600)
  assert result.returncode == 0, result.stderr[-3000:]
  assert "skipping the jax[cuda12] install" in result.stderr
  summary = json.loads(result.stdout.strip().splitlines()[-1])
  assert summary["failures"] == {} and summary["tests"]["rc"] == 0
  assert summary["backend"] == "cpu" and all(summary["peak_flops"][d] > 0 for d in ("float32", "bfloat16"))
  rows = summary["benchmarks"]
  assert [(r["workload"], r["compute_dtype"]) for r in rows] == [("vae_mlp", "float32")]
  for row in rows:
    assert row["steps_per_sec"] > 0 and row["mfu"] == row["achieved_flops"] / summary["peak_flops"][row["compute_dtype"]]
  seeds = summary["seeds"]
  assert (seeds["config"], seeds["seeds"], seeds["steps"]) == ("engine_test", 2, 4)
  assert seeds["seed_steps_per_sec"] > 0 and seeds["seeds_per_sec"] == 2 / seeds["wall_s"]
