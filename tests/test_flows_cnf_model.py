"""The continuous normalizing flow ('cnf') on the engine: it trains alike on 1 and 4 fake devices,
evaluates with kl_to_truth, mode metrics and the NFE, draws its pictures, and its builder
validates the fields it reads."""

import importlib
import os

import jax
import numpy as np
import pytest

from configs import cnf_ring8
from gen_jax import data as gdata
from gen_jax.data import toy2d
from gen_jax.flows.models import preprocessing
from gen_jax.train import registry
from tests.helpers.family_worker import device_comparison
from tests.test_flows_models import tiny_config as flow_tiny_config, with_fields

# Hutchinson's trace: its probes come from the per-example keys, so the comparison also checks that they do
# not depend on the device count (the exact trace is the evaluation's, tested below).
VARIANTS = {"cnf_hutchinson": {"model.trace": "hutchinson"}}


def tiny_config(**fields):
  """A few-second CNF config on ring8 (the discrete flows' tiny config with cnf_ring8's solver fields);
  fields as 'group.name': value."""
  c = flow_tiny_config(**{"data.name": "ring8", "model.name": "cnf"})
  for name in ("end_time", "trace"):
    c.model[name] = cnf_ring8.get_config().model[name]
  c.model.hidden = (8, 8)
  c.model.rtol = c.model.atol = 1e-3
  c.model.max_steps = 8
  c.eval.batch_size = 300
  return with_fields(c, fields)


@pytest.fixture(scope="module")
def parallel_runs():
  """Each variant's one 2-step update on 1 and on 4 fake devices (tests/helpers/family_worker.py)."""
  return device_comparison("tests.test_flows_cnf_model")


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_cnf_trains_identically_on_one_and_four_devices(parallel_runs, variant):
  run = parallel_runs[variant]
  assert run["applied"] and run["finite"] and run["moved"] > 0
  # the gradients are pmean'd by the family (shard_map runs it without the varying-axes check): a missing
  # or doubled reduction would move the 4-device parameters by a different amount
  assert run["max_rel_diff"] < 1e-4, run
  assert run["metric_diff"] < 1e-4
  assert {"loss", "nll", "nfe", "grad_norm/field"} <= set(run["metrics"])


def test_cnf_is_registered():
  assert "cnf" in registry.model_names()


def test_cnf_evaluation_reports_the_exact_nll_kl_to_truth_modes_and_nfe(tmp_path):
  config = tiny_config()
  ds = gdata.load(config.data)
  trainer = registry.get_model("cnf")(config, ds.spec)
  state = trainer.init(jax.random.PRNGKey(0))
  result = trainer.evaluate(state, ds, jax.random.PRNGKey(1))
  assert {"nll", "bits_per_dim", "kl_to_truth", "modes", "high_quality", "reverse_kl", "nfe", "nfe_max"} <= set(result)
  # the field starts at zero: the CNF is the identity, q is N(0, I) after the standardization
  y, log_det = preprocessing(config, ds.spec).apply({}, np.asarray(ds.test["x"]), method="forward")
  expected = float(np.mean(0.5 * np.sum(np.asarray(y, np.float64) ** 2, axis=1) + np.log(2 * np.pi) - log_det))
  assert result["nll"] == pytest.approx(expected, abs=1e-4)
  assert result["nfe"] % 6 == 1 and 7 <= result["nfe"] <= result["nfe_max"] < 6 * config.model.max_steps + 1
  fresh = ds.sampler(np.random.default_rng(config.eval.seed), config.eval.kl_samples)[0]
  assert result["kl_to_truth"] == pytest.approx(np.mean(toy2d.log_density("ring8", fresh)) + result["nll"], abs=0.5)
  samples = np.asarray(trainer.sample(state, jax.random.PRNGKey(3), 4))
  assert samples.shape == (4, 2) and np.all(np.isfinite(samples))
  paths = trainer.save_pictures(state, jax.random.PRNGKey(2), str(tmp_path), 3, ds)
  assert [os.path.basename(p) for p in paths] == ["density_0000003.png"] and os.path.getsize(paths[0]) > 0


@pytest.mark.parametrize("fields, message", [
    ({"model.trace": "stochastic"}, "model.trace"),
    ({"model.hidden": ()}, "model.hidden"),
    ({"model.rtol": 0.0}, "model.rtol"),
    ({"model.end_time": -1.0}, "model.end_time"),
    ({"model.max_steps": 0}, "model.max_steps"),
    ({"data.name": "digits"}, "data.name"),
])
def test_cnf_builder_rejects_bad_fields_naming_them(fields, message):
  config = tiny_config(**fields)
  spec = gdata.load(config.data).spec
  with pytest.raises(ValueError, match=message):
    registry.get_model("cnf")(config, spec)


@pytest.mark.parametrize("name", ["cnf_ring8", "cnf_grid25"])
def test_cnf_configs_build(name):
  config = importlib.import_module(f"configs.{name}").get_config()
  spec = gdata.load(config.data).spec
  assert registry.get_model(config.model.name)(config, spec) is not None
