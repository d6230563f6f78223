"""scripts/benchmark_flowjax.py on a tiny problem (skipped when flowjax is not installed): both libraries fit
the same flow for the same number of steps and report the same fields."""

import json

import numpy as np
import pytest

from tests.helpers.cli import load_script

pytest.importorskip("flowjax")
benchmark_flowjax = load_script("benchmark_flowjax")


def test_flowjax_and_gen_jax_records_pair_up(monkeypatch):
  monkeypatch.setattr(benchmark_flowjax, "LAYERS", 2)
  monkeypatch.setattr(benchmark_flowjax, "WIDTH", 8)
  flowjax_record, gen_jax_record = benchmark_flowjax.compare("ring8", "maf_affine", seed=0, num_train=300)
  json.dumps([flowjax_record, gen_jax_record])
  assert (flowjax_record["library"], gen_jax_record["library"]) == ("flowjax", "gen_jax")
  assert flowjax_record["steps"] == gen_jax_record["steps"] > 0
  for record in (flowjax_record, gen_jax_record):
    assert record["layers"] == 2 and record["width"] == 8 and record["batch"] == 100
    for key in ("nll", "kl_to_truth", "steps_per_sec", "fit_cpu_seconds", "high_quality", "reverse_kl"):
      assert np.isfinite(record[key]), key
    assert record["kl_to_truth"] > 0  # a 300-point, 2-layer fit is far from the truth
