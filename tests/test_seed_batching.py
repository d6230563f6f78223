"""Seed batching (train.num_seeds, gen_jax.train.seeds): seed k of one batched run against a plain run with
seed + k, on 1 device (the engine's toy model) and on 4 (a tiny PacGAN-2); per-seed metrics, pictures and evaluation; exact resume; the config check.

Tolerance: seed k is compared at 1e-6 of each parameter leaf's largest magnitude after 10 steps. Bit
identity is not asserted: vmap turns each matmul into a batched dot whose XLA CPU kernel may sum in
another order (the tiny PacGAN below differs by ~1e-7 relative; the engine's toy model comes out bit-identical
on the machine this was written on). The PacGAN runs without its generator's BatchNorm: the bias before a
BatchNorm has an exactly-zero gradient, whose round-off noise Adam normalizes into full steps, so such
leaves differ by ~lr between ANY two programs that round differently, batched or not.
"""

import json
import subprocess
import sys

import jax
import numpy as np
import pytest

from configs import engine_test
from gen_jax.gan.mode_benchmark import run_mode_benchmark
from gen_jax.train import config_checks, seeds
from gen_jax.train.loop import train_and_evaluate
from gen_jax.train.metrics_writer import read_metrics
from gen_jax.train.run_evaluation import evaluate_run
from gen_jax.vae.report import markdown_table
from tests.helpers.cli import REPO, fake_devices_env
from tests.helpers.gan import tiny_config as tiny_gan_config
from tests.helpers.seeds_worker import batched_vs_plain

TOLERANCE = 1e-6


def toy_config(**train):
  return engine_test.tiny_config(**{"num_steps": 10, "log_every": 5, "checkpoint_every": 10, "eval_every": 10,
                                    **train})


def test_num_seeds_must_be_a_positive_integer():
  config = toy_config(num_seeds=0)
  with pytest.raises(ValueError, match=r"^train\.num_seeds: expected a positive integer, got 0$"):
    config_checks.validate(config)


def test_batched_toy_seeds_match_plain_runs_with_per_seed_metrics_and_evaluation(tmp_path):
  config = toy_config()  # one step per call (the no-scan path); the PacGAN below scans 5
  config.seed = 4
  rel, _ = batched_vs_plain(config, 2, str(tmp_path), compared=[1])  # seed 5 of seeds 4, 5 against a plain seed 5
  assert max(rel) < TOLERANCE, rel
  workdir = str(tmp_path / "batched")
  records = [r for r in read_metrics(workdir) if "loss" in r]
  assert sorted((r["step"], r["seed"]) for r in records) == [(s, k) for s in (5, 10) for k in (4, 5)]
  plain_losses = [r["loss"] for r in read_metrics(str(tmp_path / "plain_1")) if "loss" in r]
  assert [r["loss"] for r in records if r["seed"] == 5] == pytest.approx(plain_losses, rel=TOLERANCE)
  results = evaluate_run(workdir)
  assert [r["seed"] for r in results["per_seed"]] == results["seeds"] == [4, 5]
  losses = [r["test_loss"] for r in results["per_seed"]]
  assert results["mean"]["test_loss"] == pytest.approx(np.mean(losses))
  assert results["stderr"]["test_loss"] == pytest.approx(np.std(losses, ddof=1) / np.sqrt(2))


def test_batched_pacgan_seeds_match_plain_runs_on_four_devices_with_per_seed_pictures():
  result = subprocess.run([sys.executable, "-m", "tests.helpers.seeds_worker"], capture_output=True, text=True,
                          env=fake_devices_env(4, fast_compile=True), timeout=600, cwd=REPO)
  assert result.returncode == 0, result.stderr[-3000:]
  out = json.loads(result.stdout.strip().splitlines()[-1])
  assert out["devices"] == 4
  assert max(out["rel_diff"]) < TOLERANCE, out
  assert out["pictures"]


def test_resumed_batched_run_equals_an_uninterrupted_one_bit_for_bit(tmp_path):
  config = toy_config(num_seeds=2, num_steps=6, checkpoint_every=3, eval_every=6, log_every=3, steps_per_jit=3)
  straight = jax.device_get(train_and_evaluate(config, str(tmp_path / "straight")))
  interrupted = str(tmp_path / "interrupted")
  first = config.copy_and_resolve_references()
  first.train.num_steps = 3
  assert int(train_and_evaluate(first, interrupted).step) == 3
  resumed = jax.device_get(train_and_evaluate(config, interrupted))
  plain = config.copy_and_resolve_references()
  plain.train.num_seeds = 1
  with pytest.raises(ValueError, match=r"^train\.num_seeds: the checkpoint at step 6 was trained with a different"):
    train_and_evaluate(plain, interrupted)
  first_leaf = lambda k: jax.tree.leaves(seeds.seed_state(resumed, k).params)[0]
  assert not np.array_equal(first_leaf(0), first_leaf(1))  # two different seeds in one checkpoint
  for a, b in zip(jax.tree.leaves(straight), jax.tree.leaves(resumed)):
    np.testing.assert_array_equal(a, b)


def test_mode_benchmark_trains_consecutive_seeds_as_one_batched_run(tmp_path):
  config = tiny_gan_config(**{"objective.pack": 2})
  with pytest.raises(ValueError, match=r"^seeds: expected consecutive seeds to batch, got \[3, 5\]$"):
    run_mode_benchmark(config, [3, 5], str(tmp_path), log=lambda line: None, batch_seeds=True)
  lines = []
  report = run_mode_benchmark(config, [3, 4], str(tmp_path), label="tiny", log=lines.append, batch_seeds=True)
  with open(tmp_path / "seeds_3_4" / "eval.json", encoding="utf-8") as f:
    evaluation = json.load(f)
  assert [r["modes"] for r in report["runs"]] == [r["modes"] for r in evaluation["per_seed"]]
  assert report["runs"][0]["train_seconds"] == report["runs"][1]["train_seconds"] == evaluation["train_seconds"]
  assert [line.split(":")[0] for line in lines] == ["seed 3", "seed 4"]


def test_vae_table_shows_mean_and_standard_error_of_a_seed_batched_result():
  row = markdown_table([("vae (2 seeds)", {"nll": 22.951, "elbo": -23.6, "stderr": {"nll": 0.031, "elbo": 0.01},
                                            "step": 3000})]).splitlines()[2]
  assert row.startswith("| vae (2 seeds) | 22.95 ± 0.03 | -23.60 ± 0.01 |  |")
