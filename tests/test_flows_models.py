"""The flow family on the engine: every registered flow trains alike on 1 and 4 fake devices, evaluates,
draws pictures; builders validate their fields; the flow configs build."""

import importlib
import os

import jax
import numpy as np
import pytest

from configs import flow_base
from gen_jax import data as gdata
from gen_jax.data import toy2d
from gen_jax.train import registry
from tests.helpers.family_worker import device_comparison

# One variant per path through the family: flattened images (nice), the multi-scale body with ActNorm's
# data-dependent init over the mesh axis (glow; realnvp's multi-scale body differs only by its checkerboard
# couplings, tested in test_flows_bijections), points (maf).
VARIANTS = {
    "nice_digits": {"model.name": "nice"},
    "glow_digits": {"model.name": "glow", "model.transform": "affine"},
    "maf_points": {"data.name": "ring8", "model.name": "maf", "model.transform": "affine_softplus",
                   "model.init_scheme": "uniform"},
}

DIGITS = {"data.name": "digits", "data.scale": "0_1", "objective.levels": 17}


def tiny_config(**fields):
  """A few-second flow config; fields as 'group.name': value (digits unless data.name says otherwise)."""
  c = flow_base.get_config()
  overrides = {**({} if fields.get("data.name") in ("ring8", "grid25") else DIGITS), **fields}
  c.data.batch_size = 8
  c.data.num_examples = 500
  c.model.num_layers = 2
  c.model.hidden = (8,)
  c.model.num_bins = 4
  c.model.num_scales = 2
  c.model.steps_per_scale = 1
  c.model.channels = 4
  c.optim.eps = 1.0  # Adam ~ lr * gradient for tiny gradients: summation order cannot flip an update's sign
  c.train.num_steps = 2
  c.train.steps_per_jit = 2
  c.train.progress = False
  c.eval.batch_size = 500
  c.eval.kl_samples = 300
  c.eval.num_samples = 300
  return with_fields(c, overrides)


def with_fields(c, fields: dict):
  """c with each 'group.name': value of `fields` set."""
  for dotted, value in fields.items():
    group, name = dotted.split(".")
    c[group][name] = value
  return c


@pytest.fixture(scope="module")
def parallel_runs():
  """Each variant's one 2-step update on 1 and on 4 fake devices (tests/helpers/family_worker.py)."""
  return device_comparison("tests.test_flows_models")


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_flow_trains_identically_on_one_and_four_devices(parallel_runs, variant):
  run = parallel_runs[variant]
  assert run["applied"] and run["finite"] and run["moved"] > 0
  # 1e-3, not the VAEs' 1e-4: ActNorm's data-dependent init divides by a batch std whose moments are
  # averaged per device and then over devices, so its rounding differs from one device's
  assert run["max_rel_diff"] < 1e-3, run
  assert run["metric_diff"] < 1e-3
  assert {"loss", "nll", "bits_per_dim", "grad_norm/flow"} <= set(run["metrics"])


def test_all_flow_names_are_registered():
  assert {"nice", "realnvp", "glow", "maf"} <= set(registry.model_names())


def evaluated_untrained(**fields):
  """(config, dataset, trainer, initial state, its evaluation) for tiny_config(**fields)."""
  config = tiny_config(**fields)
  ds = gdata.load(config.data)
  trainer = registry.get_model(config.model.name)(config, ds.spec)
  state = trainer.init(jax.random.PRNGKey(0))
  return config, ds, trainer, state, trainer.evaluate(state, ds, jax.random.PRNGKey(1))


def test_points_evaluation_reports_kl_to_truth_and_modes(tmp_path):
  config, ds, trainer, state, result = evaluated_untrained(**{"data.name": "ring8", "model.name": "maf"})
  assert {"nll", "bits_per_dim", "kl_to_truth", "modes", "high_quality", "reverse_kl"} <= set(result)
  np.testing.assert_allclose(result["bits_per_dim"], result["nll"] / (2 * np.log(2)), rtol=1e-6)
  fresh = ds.sampler(np.random.default_rng(config.eval.seed), config.eval.kl_samples)[0]
  assert result["kl_to_truth"] > 0  # the untrained flow is far from the truth
  assert result["kl_to_truth"] == pytest.approx(np.mean(toy2d.log_density("ring8", fresh)) + result["nll"], abs=0.5)
  paths = trainer.save_pictures(state, jax.random.PRNGKey(2), str(tmp_path), 3, ds)
  assert all(os.path.getsize(p) > 0 for p in paths)


def test_image_evaluation_samples_and_glow_temperature_sweep(tmp_path):
  _, ds, trainer, state, result = evaluated_untrained(**{"model.name": "glow", "model.transform": "affine"})
  np.testing.assert_allclose(result["bits_per_dim"], result["nll"] / (64 * np.log(2)), rtol=1e-6)
  samples = np.asarray(trainer.sample(state, jax.random.PRNGKey(1), 5))
  assert samples.shape == (5, 8, 8, 1) and set(np.round(samples.ravel() * 16).tolist()) <= set(range(17))
  names = {os.path.basename(p).rsplit("_", 1)[0] for p in trainer.save_pictures(state, jax.random.PRNGKey(2),
                                                                                 str(tmp_path), 1, ds)}
  assert names == {"samples", "temperatures"}


def test_true_log_density_is_the_mixture():
  x = np.array([[1.0, 0.0], [0.0, 0.0]])
  log_p = toy2d.log_density("ring8", x)
  np.testing.assert_allclose(log_p[0], np.log(1 / 8) - np.log(2 * np.pi * toy2d.RING8_STD ** 2), rtol=1e-6)
  assert log_p[1] < -1000
  with pytest.raises(ValueError, match="name: expected one of"):
    toy2d.log_density("moons", x)


@pytest.mark.parametrize("fields, message", [
    ({"model.transform": "cubic"}, "model.transform"),
    ({"model.init_scheme": "zeros"}, "model.init_scheme"),
    ({"model.num_layers": 0}, "model.num_layers"),
    ({"model.hidden": ()}, "model.hidden"),
    ({"model.bound": 0.0}, "model.bound"),
    ({"objective.levels": 1}, "objective.levels"),
    ({"objective.logit_alpha": 0.5}, "objective.logit_alpha"),
    ({"model.name": "realnvp", "model.num_scales": 4}, "model.num_scales"),
])
def test_builder_rejects_bad_fields_naming_them(fields, message):
  config = tiny_config(**fields)
  spec = gdata.load(config.data).spec
  with pytest.raises(ValueError, match=message):
    registry.get_model(config.model.name)(config, spec)


FLOW_CONFIGS = ["flow_ring8", "flow_grid25", "realnvp_ring8", "maf_ring8", "realnvp_grid25", "maf_grid25",
                "nice_digits", "realnvp_digits", "glow_digits", "maf_digits"]


@pytest.mark.parametrize("name", FLOW_CONFIGS)
def test_flow_configs_build(name):
  config = importlib.import_module(f"configs.{name}").get_config()
  spec = gdata.load(config.data).spec
  assert registry.get_model(config.model.name)(config, spec) is not None
