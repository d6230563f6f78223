"""The seed-aggregating mode benchmark (gen_jax.gan.mode_benchmark) on a two-step config."""

import json
import os

from gen_jax.gan import mode_benchmark
from tests.helpers.cli import REPO, run_cli
from tests.helpers.gan import TINY_FLAGS, tiny_config


def test_run_mode_benchmark_aggregates_seeds_and_skips_finished_ones(tmp_path):
  config = tiny_config(**{"eval.rejection_steps": 10, "eval.rejection_pool": 128})
  lines = []
  report = mode_benchmark.run_mode_benchmark(config, [0, 1], str(tmp_path), label="tiny", log=lines.append)
  evals = [json.loads((tmp_path / f"seed_{s}" / "eval.json").read_text()) for s in (0, 1)]
  assert [r["modes"] for r in report["runs"]] == [e["modes"] for e in evals]
  assert all(e["step"] == 2 and e["train_seconds"] > 0 and e["train_cpu_seconds"] > 0 for e in evals)
  plain_row, drs_row = report["row"].split("\n")
  assert plain_row.startswith("| tiny | 2 | ") and drs_row.startswith("| tiny + DRS | 2 | ")
  assert [r["drs/high_quality"] for r in report["runs"]] == [e["drs/high_quality"] for e in evals]
  assert json.loads((tmp_path / "benchmark.json").read_text())["row"] == report["row"]
  assert len(lines) == 2 and lines[0].startswith("seed 0: modes=") and "drs/modes=" in lines[0]
  # A second call reuses the evaluated runs: same numbers, no training.
  again = mode_benchmark.run_mode_benchmark(config, [0, 1], str(tmp_path), label="tiny", log=lines.append)
  assert again["runs"] == report["runs"]
  assert json.loads((tmp_path / "seed_1" / "config.json").read_text())["seed"] == 1


def test_mode_benchmark_script_runs_the_seed_range_and_rejects_bad_flags(tmp_path):
  result = run_cli(f"--config={REPO}/configs/gan_ring8.py", f"--workdir={tmp_path}", "--first_seed=3",
                   "--seeds=1", *TINY_FLAGS, script="mode_benchmark.py")
  assert result.returncode == 0, result.stderr
  assert sorted(os.listdir(tmp_path)) == ["benchmark.json", "seed_3"]
  assert result.stdout.strip().splitlines()[-1].startswith("| gan_ring8 | 1 | ")
  for bad in ("--first_seed=-1", "--seeds=0"):
    result = run_cli(f"--config={REPO}/configs/gan_ring8.py", f"--workdir={tmp_path}", bad, script="mode_benchmark.py")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1 and bad.split("=")[0] in result.stderr
