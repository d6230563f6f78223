"""scripts/benchmark_flowjax.py on a tiny problem (skipped when flowjax is not installed): both libraries fit
the same flow for the same number of steps and report the same fields."""

import functools
import json
import types

import numpy as np
import pytest

from tests.helpers.cli import load_script

pytest.importorskip("flowjax")
benchmark_flowjax = load_script("benchmark_flowjax")


def test_flowjax_and_gen_jax_records_pair_up(monkeypatch):
  monkeypatch.setattr(benchmark_flowjax, "LAYERS", 2)
  monkeypatch.setattr(benchmark_flowjax, "WIDTH", 8)
  monkeypatch.setattr(benchmark_flowjax, "TEST_DRAWS", 1000)
  # at most 3 epochs of 2 steps (flowjax's early stopping would take up to 100)
  monkeypatch.setattr(benchmark_flowjax, "fit_to_data", functools.partial(benchmark_flowjax.fit_to_data, max_epochs=3))
  flowjax_record, gen_jax_record = benchmark_flowjax.compare("ring8", "maf_affine", seed=0, num_train=300)
  json.dumps([flowjax_record, gen_jax_record])
  assert (flowjax_record["library"], gen_jax_record["library"]) == ("flowjax", "gen_jax")
  assert flowjax_record["steps"] == gen_jax_record["steps"] > 0
  assert flowjax_record["steps"] == 6
  for record in (flowjax_record, gen_jax_record):
    assert record["layers"] == 2 and record["width"] == 8 and record["batch"] == 100
    for key in ("nll", "kl_to_truth", "steps_per_sec", "fit_cpu_seconds", "high_quality"):
      assert np.isfinite(record[key]), key
    assert record["reverse_kl"] >= 0  # inf when a 6-step fit leaves a mode without samples
    assert record["kl_to_truth"] > 0  # a 300-point, 2-layer fit is far from the truth
  lines = benchmark_flowjax.summary([flowjax_record, gen_jax_record])
  assert [(line["library"], line["seeds"]) for line in lines] == [("flowjax", [0]), ("gen_jax", [0])]
  assert lines[1]["kl_to_truth"] == gen_jax_record["kl_to_truth"] and lines[1]["kl_to_truth_se"] == 0.0
  assert lines[1]["speedup_wall"] == pytest.approx(gen_jax_record["steps_per_sec"] / flowjax_record["steps_per_sec"])


def test_gen_jax_can_lead_with_flowjax_s_early_stopping_rule_and_flowjax_follows(monkeypatch):
  monkeypatch.setattr(benchmark_flowjax, "LAYERS", 1)
  monkeypatch.setattr(benchmark_flowjax, "WIDTH", 4)
  monkeypatch.setattr(benchmark_flowjax, "TEST_DRAWS", 500)
  monkeypatch.setattr(benchmark_flowjax, "MAX_EPOCHS", 3)  # below the patience: gen_jax runs 3 epochs of 2 steps
  flowjax_record, gen_jax_record = benchmark_flowjax.compare("ring8", "coupling_affine", seed=1, num_train=300,
                                                             leader="gen_jax")
  assert flowjax_record["leader"] == gen_jax_record["leader"] == "gen_jax"
  assert flowjax_record["steps"] == gen_jax_record["steps"] == 6


def test_twins_are_standardized_unless_raw_affine_asks_the_affine_ones_for_the_raw_points():
  spec = types.SimpleNamespace(value_range=(-4.0, 4.0))
  x = np.array([[4.0, -2.0]], np.float32)
  standardized = 0.75 * x  # [-4, 4] -> [-3, 3]
  for transform, raw_affine, expected in (("affine_softplus", False, standardized), ("affine_softplus", True, x),
                                          ("spline", False, standardized), ("spline", True, standardized)):
    z, _ = benchmark_flowjax.input_layer(transform, spec, raw_affine).apply({}, x, method="forward")
    np.testing.assert_allclose(np.asarray(z), expected, rtol=1e-6)
