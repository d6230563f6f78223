"""scripts/benchmark_conv_layers.py on tiny networks (skipped when torch is not installed)."""

import json

import pytest

from tests.helpers.cli import load_script, run_cli

pytest.importorskip("torch")
benchmark_conv_layers = load_script("benchmark_conv_layers")

PARTS = ["d1", "d2", "d3", "g1", "g2", "g3", "generator", "discriminator"]


def test_every_part_has_round_and_summary_records_with_positive_rates():
  records = benchmark_conv_layers.run(features=2, batch=2, rounds=2, steps=1)
  json.dumps(records)
  rounds = [r for r in records if "round" in r]
  summaries = {r["part"]: r for r in records if "round" not in r}
  assert [r["part"] for r in rounds] == PARTS * 2 and list(summaries) == PARTS
  for part, record in summaries.items():
    assert record["rounds"] == 2
    for key in ("gen_jax_ms", "torch_ms", "ratio", "flops", "gen_jax_gflops", "torch_gflops", "gen_jax_mfu"):
      assert record[key] > 0, (part, key)
    assert record["ratio"] == pytest.approx(record["torch_ms"] / record["gen_jax_ms"])


def test_flops_are_the_convolutions_forward_and_backward():
  """d1 (no input gradient): forward + kernel gradient = 2 x 2 B Ho Wo Cout k^2 Cin; d2 adds the input gradient."""
  f, batch = 2, 2
  records = {r["part"]: r for r in benchmark_conv_layers.run(features=f, batch=batch, rounds=1, steps=1)
             if "round" not in r}
  macs_d1 = batch * 16 * 16 * f * 16 * 1
  macs_d2 = batch * 8 * 8 * (2 * f) * 16 * f
  assert records["d1"]["flops"] == 2 * 2 * macs_d1
  assert records["d2"]["flops"] == 3 * 2 * macs_d2


def test_layer_plan_mirrors_the_dcgan32_networks():
  plan = benchmark_conv_layers.layer_plan(64)
  assert [(c_in, c_out) for _, _, _, c_in, c_out in plan] == [(1, 64), (64, 128), (128, 256), (256, 128), (128, 64),
                                                              (64, 1)]
  assert [size for _, _, size, _, _ in plan] == [32, 16, 8, 4, 8, 16]


def test_bad_argument_is_one_line_and_exit_2():
  result = run_cli("--rounds", "0", script="benchmark_conv_layers.py")
  assert result.returncode == 2, result.stderr
  assert result.stderr.strip().splitlines() == ["error: --rounds: expected a positive integer, got 0"], result.stderr
