"""Tests for gen_jax.eval.modes on hand-made sample sets."""

import math

import numpy as np
import pytest

from gen_jax.eval import modes

RING = np.stack([np.cos(2 * np.pi * np.arange(8) / 8), np.sin(2 * np.pi * np.arange(8) / 8)], 1) * 2.0
STD = 0.02


def test_all_samples_in_one_mode():
  samples = RING[3] + STD * np.random.default_rng(0).normal(size=(2500, 2)) * 0.5
  result = modes.mode_metrics(samples, RING, STD)
  assert result["modes"] == 1
  assert result["high_quality"] == 100.0
  np.testing.assert_allclose(result["reverse_kl"], math.log(8), rtol=1e-12)
  assert result["min_mode_fraction"] == 0.0


def test_perfect_samples():
  samples = np.tile(RING, (312, 1))  # 312 per mode
  result = modes.mode_metrics(samples, RING, STD)
  assert result == {"modes": 8, "high_quality": 100.0, "reverse_kl": 0.0, "num_modes": 8,
                    "min_mode_fraction": 0.125}


def test_quality_threshold_is_three_standard_deviations():
  offsets = np.array([[2.9 * STD, 0.0], [3.1 * STD, 0.0], [0.0, 0.0], [1.0, 1.0]])
  samples = RING[0] + offsets
  high_quality, counts = modes.mode_histogram(samples, RING, STD)
  assert high_quality.tolist() == [True, False, True, False]
  assert counts.tolist() == [2, 0, 0, 0, 0, 0, 0, 0]
  result = modes.mode_metrics(samples, RING, STD)
  assert result["high_quality"] == 50.0 and result["modes"] == 1


def test_reverse_kl_by_hand():
  # p_hat = (3/4, 1/4, 0, 0): KL = 3/4 log 3 + 1/4 log 1.
  np.testing.assert_allclose(modes.reverse_kl_to_uniform([3, 1, 0, 0]), 0.75 * math.log(3.0))
  assert modes.reverse_kl_to_uniform([0, 0]) == math.inf


def test_bad_input_raises():
  with pytest.raises(ValueError, match="samples, centres"):
    modes.nearest_modes(np.zeros((3, 2)), np.zeros((3, 3)))
  with pytest.raises(ValueError, match="std"):
    modes.mode_histogram(np.zeros((3, 2)), RING, 0.0)
  with pytest.raises(ValueError, match="runs"):
    modes.mean_and_stderr([])


def test_mean_and_stderr_and_table_row():
  runs = [{"modes": 8, "high_quality": 99.0, "reverse_kl": 0.01},
          {"modes": 6, "high_quality": 97.0, "reverse_kl": 0.03}]
  summary = modes.mean_and_stderr(runs)
  assert summary["modes"] == (7.0, 1.0)  # std(ddof=1) = sqrt(2), / sqrt(2)
  np.testing.assert_allclose(summary["reverse_kl"], (0.02, 0.01))
  assert modes.mean_and_stderr(runs[:1])["modes"] == (8.0, 0.0)
  row = modes.table_row("gan", summary, 2)
  assert row == "| gan | 2 | 7.0 ± 1.0 | 98.0 ± 1.0 | 0.020 ± 0.010 |"
  prefixed = {f"drs/{k}": v for k, v in summary.items()}
  assert modes.table_row("gan + DRS", prefixed, 2, "drs/") == "| gan + DRS | 2 | 7.0 ± 1.0 | 98.0 ± 1.0 | 0.020 ± 0.010 |"


def test_mean_and_stderr_of_an_infinite_reverse_kl():
  mean, stderr = modes.mean_and_stderr([{"reverse_kl": math.inf}, {"reverse_kl": 0.1}])["reverse_kl"]
  assert mean == math.inf and math.isnan(stderr)
