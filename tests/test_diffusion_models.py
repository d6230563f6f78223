"""The 'ddpm' and 'vdm' families on the engine: a few steps alike on 1 and 4 fake devices, evaluation metrics,
pictures, the builders' field checks, and the shipped configs build."""

import importlib
import os

import jax
import numpy as np
import pytest

from configs import diffusion_base
from gen_jax import data as gdata
from gen_jax.data.spec import DataSpec
from gen_jax.diffusion import networks
from gen_jax.train import registry

from tests.helpers.family_worker import device_comparison, few_steps

VARIANTS = {
    "ddpm_points": {},
    "vdm_digits": {"model.name": "vdm", "data.name": "digits", "data.scale": "0_1", "data.binarize": "static",
                   "objective.schedule": "learned", "model.dropout": 0.1},  # per-example masks: any device count
}


def tiny_config(**fields):
  """A few-second config: ddpm on ring8 with tiny networks; fields as 'group.name': value."""
  c = diffusion_base.get_config()
  c.data.name = "ring8"
  c.data.num_examples = 200
  c.data.batch_size = 8
  c.model.width = 16
  c.model.depth = 1
  c.model.num_frequencies = 4
  c.model.channels = 8
  c.model.multipliers = (1,)
  c.model.sample_steps = 10
  c.objective.num_steps = 20
  c.objective.gamma_hidden = 8
  # Biases before GroupNorm (and the attention's output bias) get gradients of rounding size, ~1e-9, which
  # Adam's default eps 1e-8 would blow up to lr-sized steps of arbitrary sign on 1 vs 4 devices.
  c.optim.eps = 1e-3
  c.eval.num_samples = 100
  c.eval.likelihood_samples = 40
  c.eval.batch_size = 40
  c.eval.nll_times = 2
  return few_steps(c, fields)


@pytest.fixture(scope="module")
def parallel_runs():
  return device_comparison("tests.test_diffusion_models")


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_trains_identically_on_one_and_four_devices(parallel_runs, variant):
  run = parallel_runs[variant]
  assert run["applied"] and run["finite"] and run["moved"] > 0
  assert run["max_rel_diff"] < 1e-4, run
  assert run["metric_diff"] < 1e-3
  assert "loss" in run["metrics"] and "grad_norm/score" in run["metrics"]
  if variant.startswith("vdm"):
    assert {"prior", "diffusion", "reconstruction", "gamma_0", "gamma_1", "grad_norm/gamma"} <= set(run["metrics"])


def test_points_evaluation_reports_modes_and_ode_likelihoods(tmp_path):
  config = tiny_config()
  ds = gdata.load(config.data)
  trainer = registry.get_model("ddpm")(config, ds.spec)
  state = trainer.init(jax.random.PRNGKey(0))
  results = trainer.evaluate(state, ds, jax.random.PRNGKey(1))
  assert {"modes", "high_quality", "reverse_kl", "nll", "bits_per_dim", "kl_to_truth"} <= set(results)
  assert results["num_samples"] == 100 and results["likelihood_samples"] == 40
  assert results["kl_to_truth"] > 0 and np.isfinite(results["nll"])
  pictures = trainer.save_pictures(state, jax.random.PRNGKey(2), str(tmp_path), 2, ds)
  assert all(os.path.exists(p) for p in pictures) and any("reverse_" in p for p in pictures)


@pytest.mark.parametrize("name", ["ddpm", "vdm"])
def test_image_evaluation_is_a_bound_on_the_binary_likelihood(name, tmp_path):
  """An untrained eps_theta = 0 model: the -ELBO and its parts are finite and positive, in nats of 64 binary
  pixels (bits_per_dim = nll / (64 ln 2))."""
  fields = {**VARIANTS["vdm_digits"], "model.name": name, "objective.schedule": "learned" if name == "vdm" else "linear"}
  config = tiny_config(**fields)
  ds = gdata.load(config.data)
  trainer = registry.get_model(name)(config, ds.spec)
  state = trainer.init(jax.random.PRNGKey(0))
  results = trainer.evaluate(state, ds, jax.random.PRNGKey(1))
  assert results["num_examples"] == len(ds.test["x"])
  assert results["nll"] > 0 and results["prior"] >= 0 and results["reconstruction"] >= 0
  assert results["bits_per_dim"] == pytest.approx(results["nll"] / (64 * np.log(2)))
  assert results["nll"] == pytest.approx(results["prior"] + results["diffusion"] + results["reconstruction"], rel=1e-5)
  samples = np.asarray(trainer.sample(state, jax.random.PRNGKey(3), 4))
  assert samples.shape == (4, 8, 8, 1) and samples.min() >= 0 and samples.max() <= 1


@pytest.mark.parametrize("fields, message", [
    ({"model.sampler": "euler"}, "model.sampler"),
    ({"model.sample_steps": 50}, "model.sample_steps"),
    ({"model.eta": 1.5}, "model.eta"),
    ({"objective.schedule": "learned"}, "objective.schedule"),
    ({"objective.beta_end": 2.0}, "objective.beta_end"),
    ({"model.width": 0}, "model.width"),
    ({"model.name": "vdm"}, "data.name"),
    ({"eval.likelihood_samples": 0}, "eval.likelihood_samples"),
    ({"model.dropout": 1.0}, "model.dropout: expected a rate in"),
    ({"model.dropout": 0.1}, "model.dropout: expected 0 for the MLP"),
])
def test_builder_rejects_bad_fields(fields, message):
  config = tiny_config(**fields)
  ds = gdata.load(config.data)
  with pytest.raises(ValueError, match=message):
    registry.get_model(config.model.name)(config, ds.spec)


def test_example_dropout_masks_follow_each_examples_key():
  h = jax.numpy.ones((4, 3, 3, 8))
  keys = jax.random.split(jax.random.key(0), 4)
  out = networks.example_dropout(h, 0.25, keys)
  assert set(np.unique(np.asarray(out)).tolist()) <= {0.0, float(np.float32(1.0) / np.float32(0.75))}
  assert 0.6 < float(np.mean(np.asarray(out) > 0)) < 0.9
  changed = networks.example_dropout(h, 0.25, keys.at[2].set(jax.random.key(7)))
  same_rows = [bool(np.array_equal(out[i], changed[i])) for i in range(4)]
  assert same_rows == [True, True, False, True]  # one example's key moves only its own mask
  assert networks.example_dropout(h, 0.25, None) is h and networks.example_dropout(h, 0.0, keys) is h


@pytest.mark.parametrize("name", ["ddpm_ring8", "ddpm_grid25", "ddpm_digits", "vdm_digits", "ddpm_cifar10",
                                  "vdm_cifar10"])
def test_shipped_configs_build(name):
  config = importlib.import_module(f"configs.{name}").get_config()
  if config.data.name == "cifar10":  # no download here: the CIFAR-10 spec
    spec = DataSpec("cifar10", "images", (32, 32, 3), 10, (-1.0, 1.0), None, None, False)
  else:
    spec = gdata.load(config.data).spec
  trainer = registry.get_model(config.model.name)(config, spec)
  assert callable(trainer.update) and config.model.name in ("ddpm", "vdm")
