"""VAE family on the engine: every variant trains on 1 and 4 (fake) devices alike; evaluation; builders validate."""

import os
import tempfile

import jax
import numpy as np
import pytest

from configs import vae_base
from gen_jax import data as gdata
from gen_jax.train import registry

from tests.helpers.family_worker import device_comparison, few_steps

# Every variant in as few compiled runs as possible (the plain MLP VAE is 'iwae' with k = 1).
VARIANTS = {
    "beta_conv": {"objective.beta": 4.0, "model.arch": "conv", "model.hidden": ((4, 8),)},
    "iwae": {"objective.estimator": "iwae", "objective.num_samples": 3},
    "hvae": {"model.name": "hvae", "model.latent_dims": (4, 3, 2), "model.hidden": ((16,), (8,), (8,)),
             "objective.kl": "monte_carlo"},
    "planar": {"model.name": "nfvae", "model.flow": "planar", "objective.kl": "monte_carlo"},
    "iaf": {"model.name": "nfvae", "model.flow": "iaf", "objective.kl": "monte_carlo"},
    "wae": {"model.name": "wae"},
    "vaegan": {"model.name": "vaegan"},
    "vqvae": {"model.name": "vqvae"},
}


def tiny_config(**fields):
  """A few-second config on binarized digits; fields as 'group.name': value."""
  c = vae_base.get_config()
  c.data.batch_size = 8
  c.model.latent_dims = (4,)
  c.model.hidden = ((16,),)
  c.model.flow = "iaf"
  c.model.flow_length = 2
  c.model.made_hidden = (8,)
  c.model.context_dim = 5
  c.objective.wae_lambda = 10.0
  c.model.disc_hidden = (16,)
  c.model.disc_features = 8
  c.objective.gamma = 1.0
  c.optim.disc_learning_rate = 1e-3
  c.model.num_codes = 8
  c.model.code_dim = 2
  c.model.num_positions = 3
  c.objective.commitment = 0.25
  c.objective.codebook_decay = 0.9
  c.objective.codebook_epsilon = 1e-5
  c.eval.iwae_k = 20
  c.eval.iwae_chunk = 10
  c.eval.batch_size = 64
  c.eval.classifier_cache_dir = os.path.join(os.environ.get("XDG_CACHE_HOME", tempfile.gettempdir()),
                                             "gen_jax_tests_vae_classifiers")  # vqvae's fd (a per-run cache home)
  c.eval.classifier_steps = 2
  c.eval.progress = False
  return few_steps(c, fields)


@pytest.fixture(scope="module")
def parallel_runs():
  return device_comparison("tests.test_vae_models")


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_trains_identically_on_one_and_four_devices(parallel_runs, variant):
  run = parallel_runs[variant]
  assert run["applied"] and run["finite"]
  assert run["moved"] > 0  # the parameters changed
  assert run["max_rel_diff"] < 1e-4, run  # 4 devices reproduce 1 device on the same global batch
  assert run["metric_diff"] < 1e-3
  assert "loss" in run["metrics"] and any(m.startswith("grad_norm/") for m in run["metrics"])


@pytest.fixture(scope="module")
def digits():
  return gdata.load(tiny_config().data)


def test_evaluation_reports_nll_elbo_parts_and_active_units(digits):
  config = tiny_config(**{"model.latent_dims": (3, 2), "model.hidden": ((16,), (8,)), "objective.kl": "monte_carlo"})
  trainer = registry.get_model("vae")(config, digits.spec)
  state = trainer.init(jax.random.PRNGKey(0))
  result = trainer.evaluate(state, digits, jax.random.PRNGKey(1))
  assert result["num_examples"] == digits.test["x"].shape[0] and result["iwae_k"] == 20
  np.testing.assert_allclose(result["elbo"], result["reconstruction"] - result["kl"], rtol=1e-5)
  assert -result["nll"] >= result["elbo"]  # L_k >= ELBO (averaged over the same 20 samples)
  assert 0 <= result["active_units"] <= 5
  assert result["active_units"] == result["active_units/layer1"] + result["active_units/layer2"]


def test_evaluation_with_one_sample_is_the_elbo(digits):
  config = tiny_config(**{"eval.iwae_k": 1, "eval.iwae_chunk": 1})
  trainer = registry.get_model("vae")(config, digits.spec)
  result = trainer.evaluate(trainer.init(jax.random.PRNGKey(0)), digits, jax.random.PRNGKey(1))
  np.testing.assert_allclose(-result["nll"], result["elbo"], rtol=1e-5)


def test_vqvae_evaluation_reports_reconstruction_and_perplexity(digits):
  trainer = registry.get_model("vqvae")(tiny_config(**{"model.name": "vqvae"}), digits.spec)
  result = trainer.evaluate(trainer.init(jax.random.PRNGKey(0)), digits, jax.random.PRNGKey(1))
  assert set(result) >= {"reconstruction", "mse", "perplexity", "codes_used", "elbo", "reconstruction_mse", "psnr",
                         "fd_reconstruction"} and "nll" not in result
  assert 1.0 <= result["perplexity"] <= 8.0 and 1 <= result["codes_used"] <= 8
  assert result["elbo"] <= result["reconstruction"]


@pytest.mark.parametrize("name", ["vae", "vqvae"])
def test_samples_and_pictures(digits, tmp_path, name):
  trainer = registry.get_model(name)(tiny_config(**{"model.name": name}), digits.spec)
  state = trainer.init(jax.random.PRNGKey(0))
  samples = trainer.sample(state, jax.random.PRNGKey(1), 6)
  assert samples.shape == (6, 8, 8, 1) and float(samples.min()) >= 0 and float(samples.max()) <= 1
  paths = trainer.save_pictures(state, jax.random.PRNGKey(2), str(tmp_path), 7, digits)
  names = {os.path.basename(p).rsplit("_", 1)[0] for p in paths}
  expected = {"samples", "reconstructions", "latent_scatter", "interpolations"}
  assert names == (expected | {"traversals"} if name == "vae" else expected)
  assert all(os.path.getsize(p) > 0 for p in paths)


@pytest.mark.parametrize("fields, message", [
    ({"objective.likelihood": "poisson"}, "objective.likelihood: expected one of .*, got 'poisson'"),
    ({"objective.estimator": "vimco"}, "objective.estimator"),
    ({"objective.num_samples": 0}, "objective.num_samples"),
    ({"objective.beta": 2.0, "objective.estimator": "iwae"}, "objective.beta"),
    ({"model.latent_dims": (4, 2), "model.hidden": ((16,), (8,))}, "objective.kl: 'analytic'"),
    ({"model.hidden": ((16,), (8,))}, "model.hidden"),
    ({"model.arch": "transformer"}, "model.arch"),
    ({"model.name": "hvae"}, "model.latent_dims: 'hvae' needs"),
    ({"model.name": "nfvae", "model.flow": "radial", "objective.kl": "monte_carlo"}, "model.flow"),
    ({"eval.iwae_chunk": 7}, "eval.iwae_chunk"),
    ({"optim.schedule": "linear_warmup"}, "optim.schedule"),
    ({"model.name": "vqvae", "model.num_codes": 0}, "model.num_codes"),
    ({"model.name": "vqvae", "objective.codebook_decay": 1.0}, "objective.codebook_decay"),
    ({"model.name": "wae", "objective.wae_lambda": -1.0}, "objective.wae_lambda"),
])
def test_builders_reject_bad_fields_naming_them(digits, fields, message):
  config = tiny_config(**fields)
  with pytest.raises(ValueError, match=message):
    registry.get_model(config.model.name)(config, digits.spec)


def test_bernoulli_decoder_needs_binarized_data():
  config = tiny_config(**{"data.binarize": "none"})
  spec = gdata.load(config.data).spec
  with pytest.raises(ValueError, match="objective.likelihood: 'bernoulli' needs binary data"):
    registry.get_model("vae")(config, spec)


@pytest.mark.parametrize("name", ["vae_mnist", "iwae_mnist"])
def test_mnist_configs_build_and_step_on_mock_data(name):
  """The IWAE paper's architectures on tfds MNIST (mock images here: no download)."""
  import importlib

  import tensorflow_datasets as tfds

  from gen_jax.train import parallel
  from gen_jax.train.train_step import make_train_step

  config = importlib.import_module(f"configs.{name}").get_config()
  with tfds.testing.mock_data(num_examples=20):
    ds = gdata.load(config.data)
  trainer = registry.get_model(config.model.name)(config, ds.spec)
  state = trainer.init(jax.random.PRNGKey(0))
  widths = [leaf.shape for leaf in jax.tree.leaves(state.params["encoder"]) if leaf.ndim == 2]
  assert widths[0] == (784, 200 if name == "vae_mnist" else 100)
  if name == "vae_mnist":
    return  # one compiled step (the 2-layer, k = 50 model) is enough for the smoke test
  mesh = parallel.make_mesh(1)
  x = ds.train["x"][:20]
  binary = (np.random.default_rng(0).random(x.shape) < x).astype(np.float32)  # dynamic binarization
  batches = parallel.put_batch({"x": binary[None], "y": ds.train["y"][None, :20]}, mesh, leading_axes=1)
  state, metrics = make_train_step(trainer, mesh)(parallel.put_replicated(state, mesh), batches, np.ones(1, bool))
  assert bool(metrics["applied"][0]) and np.isfinite(float(metrics["loss"][0]))
