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
  assert lines[1]["kl_difference"] == pytest.approx(gen_jax_record["kl_to_truth"] - flowjax_record["kl_to_truth"])


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


def test_affine_maf_twin_with_learned_base_is_flowjax_s_flow_step_for_step(monkeypatch):
  """With flowjax's initial weights copied in (raw points, learned base), the twin's log q equals flowjax's, and
  stays equal over Adam steps on the same batches: the same model, parameterization and update."""
  import equinox as eqx
  import jax
  import jax.numpy as jnp
  import optax
  import paramax
  from flowjax.train.losses import MaximumLikelihoodLoss
  from flowjax.train.train_utils import step as flowjax_step

  layers, width = 2, 8
  monkeypatch.setattr(benchmark_flowjax, "LAYERS", layers)
  monkeypatch.setattr(benchmark_flowjax, "WIDTH", width)
  points = jax.random.normal(jax.random.key(3), (500, 2)) * 2.0
  flowjax_flow = benchmark_flowjax.masked_autoregressive_flow(
      jax.random.key(0), base_dist=benchmark_flowjax.fjd.Normal(jnp.zeros(2)), flow_layers=layers, nn_width=width)
  spec = types.SimpleNamespace(value_range=(-4.0, 4.0))
  flow = benchmark_flowjax.twin("maf_affine", spec, raw_affine=True, learned_base=True)
  params = flow.init(jax.random.key(1), points[:1])
  mlp = paramax.unwrap(flowjax_flow).bijection.bijection.bijection.bijections[0].masked_autoregressive_mlp
  swap = np.array([1, 0, 3, 2])  # flowjax's outputs (loc, scale) per dimension -> gen_jax's (scale, shift)
  body = dict(params["params"]["body"])
  for k in range(layers):
    body[f"layers_{2 * k}"] = {"made": {
        "MaskedDense_0": {"kernel": mlp.layers[0].weight[k].T, "bias": mlp.layers[0].bias[k]},
        "MaskedDense_1": {"kernel": mlp.layers[1].weight[k][swap].T, "bias": mlp.layers[1].bias[k][swap]}}}
  params = {"params": {**params["params"], "body": body}}

  flowjax_log_q = eqx.filter_jit(lambda d, x: paramax.unwrap(d).log_prob(x))
  gen_jax_log_q = jax.jit(lambda p, x: flow.apply(p, x))
  np.testing.assert_allclose(gen_jax_log_q(params, points), flowjax_log_q(flowjax_flow, points), atol=1e-5)

  optimizer = optax.adam(5e-3)
  trainable, static = eqx.partition(flowjax_flow, eqx.is_inexact_array,
                                    is_leaf=lambda leaf: isinstance(leaf, paramax.NonTrainable))
  flowjax_state, gen_jax_state = optimizer.init(trainable), optimizer.init(params)
  loss_of = lambda p, batch: -jnp.mean(flow.apply(p, batch))

  @jax.jit
  def gen_jax_step(p, state, batch):
    grads = jax.grad(loss_of)(p, batch)
    updates, state = optimizer.update(grads, state, p)
    return optax.apply_updates(p, updates), state

  for batch in points.reshape(5, 100, 2):
    trainable, flowjax_state, _ = flowjax_step(trainable, static, batch, optimizer=optimizer,
                                               opt_state=flowjax_state, loss_fn=MaximumLikelihoodLoss())
    params, gen_jax_state = gen_jax_step(params, gen_jax_state, batch)
  trained = eqx.combine(trainable, static)
  assert float(jnp.abs(paramax.unwrap(trained).base_dist.bijection.loc).max()) > 1e-3  # flowjax's base moved
  np.testing.assert_allclose(gen_jax_log_q(params, points), flowjax_log_q(trained, points), atol=1e-4)
  without_base = benchmark_flowjax.twin("maf_affine", spec, raw_affine=True)
  assert len(jax.tree.leaves(without_base.init(jax.random.key(1), points[:1]))) == len(jax.tree.leaves(params)) - 2


def test_unknown_flow_is_one_line_and_exit_2():
  from tests.helpers.cli import run_cli
  result = run_cli("--flows", "maf_nope", script="benchmark_flowjax.py")
  assert result.returncode == 2, result.stderr
  assert result.stderr.strip().splitlines() == [
      f"error: --flows: expected names from {sorted(benchmark_flowjax.FLOWS)}, got 'maf_nope'"], result.stderr
