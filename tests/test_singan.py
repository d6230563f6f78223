"""SinGAN: the pure pieces (pyramid, residual generator, patch critic, noise amplitude, injection), the single-image
metrics (sifid, diversity), and the 'singan' model on the engine (1 vs 4 fake devices, exact resume mid-pyramid,
pictures and evaluation, field checks, the CLI's one-line error)."""

import os
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from configs import singan_photo
from gen_jax import data as gdata
from gen_jax.eval import single_image
from gen_jax.gan import singan
from gen_jax.train import loop, registry
from gen_jax.train.rundir import load_run

from tests.helpers.cli import REPO, run_cli
from tests.helpers.family_worker import device_comparison, few_steps

VARIANTS = {"singan": {}}


# china.jpg at 11x16, two scales (8x12, 11x16) of 4-channel 2-conv networks, one step per scale, batch 8.
TINY = {"data.image_size": 16, "data.batch_size": 8, "model.width": 4, "model.depth": 2, "model.min_size": 8,
        "model.steps_per_scale": 1, "objective.critic_steps": 1, "objective.generator_steps": 1,
        "optim.learning_rate": 1e-4,  # Adam moves a parameter by <= ~lr per step: the 1-vs-4-device bound
        "eval.num_samples": 3, "eval.inject_scale": 1, "eval.classifier_steps": 2, "eval.progress": False}


def tiny_config(**fields):
  """The TINY config, 2 steps (few_steps), with `fields` ('group.name': value) applied last."""
  return few_steps(singan_photo.get_config(), {**TINY, **fields})


# ------------------------------------------------------------------------------------------------
# Pure pieces.


def test_pyramid_reaches_the_minimum_size_and_ends_at_the_image():
  assert singan.num_scales(11, 16, 8, 4 / 3) == 2
  assert singan.num_scales(8, 30, 8, 4 / 3) == 1
  shapes = singan.pyramid_shapes(32, 48, singan.num_scales(32, 48, 10, 4 / 3), 4 / 3)
  assert shapes[-1] == (32, 48) and min(shapes[0]) >= 10 and min(shapes[0]) * 4 / 3 > 10 and len(shapes) == 5
  levels = singan.image_pyramid(jnp.full((1, 32, 48, 3), 0.5), shapes)
  assert [level.shape[1:3] for level in levels] == shapes
  np.testing.assert_allclose(levels[0], 0.5, atol=1e-6)  # resizing keeps a constant image constant


def test_generator_is_residual_and_fully_convolutional():
  g = singan.ScaleGenerator(width=4, depth=3)
  x = jax.random.normal(jax.random.PRNGKey(0), (2, 6, 9, 3))
  params = g.init(jax.random.PRNGKey(1), x, x)
  zero_last = jax.tree.map(jnp.zeros_like, params["params"]["Conv_2"])
  silent = {"params": {**params["params"], "Conv_2": zero_last}}
  np.testing.assert_array_equal(g.apply(silent, x, x), x)           # tanh(0) = 0: x_k = up(x_{k-1})
  assert g.apply(params, jnp.zeros((1, 13, 20, 3)), jnp.zeros((1, 13, 20, 3))).shape == (1, 13, 20, 3)


def test_patch_critic_scores_are_local():
  d = singan.PatchCritic(width=4, depth=3)                          # 7x7 receptive field
  x = jax.random.normal(jax.random.PRNGKey(0), (1, 16, 16, 3))
  params = d.init(jax.random.PRNGKey(1), x)
  changed = x.at[0, 15, 15].add(10.0)
  before, after = d.apply(params, x), d.apply(params, changed)
  np.testing.assert_array_equal(before[0, :12, :12], after[0, :12, :12])  # beyond 3 pixels: untouched
  assert not np.allclose(before[0, 15, 15], after[0, 15, 15])
  np.testing.assert_allclose(singan.critic_score(before), before.mean(axis=(1, 2)), rtol=1e-6)


def test_noise_amplitude_is_a_tenth_of_the_rmse_and_traces():
  up, real = jnp.zeros((1, 3, 3, 3)), jnp.full((1, 3, 3, 3), 0.5)
  np.testing.assert_allclose(singan.noise_amplitude(up, real), 0.05, rtol=1e-6)
  np.testing.assert_allclose(jax.jit(singan.noise_amplitude)(up, real, jnp.float32(1.0)), 0.5, rtol=1e-6)
  np.testing.assert_allclose(singan.reconstruction_loss(up, real), [0.25])


def test_generate_injects_an_image_at_a_coarse_scale():
  shapes = singan.pyramid_shapes(8, 8, 3, 2.0)                     # 2x2, 4x4, 8x8
  previous = jnp.full((1, 3, 3, 1), 2.0)                          # any size: resized to scale 1
  add = lambda k, z, prev: prev + z
  noises = [jnp.ones((1, 4, 4, 1)), jnp.ones((1, 8, 8, 1))]
  x = singan.generate(add, noises, jnp.array([9.0, 0.5, 0.25]), shapes, start=1, previous=previous)
  np.testing.assert_allclose(x, 2.75, rtol=1e-6)                 # scale 0's sigma unused
  with pytest.raises(ValueError, match="noises: expected one per scale run"):
    singan.generate(add, noises[:1], jnp.ones(3), shapes, start=1, previous=previous)


# ------------------------------------------------------------------------------------------------
# Single-image metrics.


@pytest.fixture(scope="module")
def patch_network_cache(tmp_path_factory):
  """A cache directory holding a 2-step patch network (shared by the metric and evaluation tests)."""
  return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def patch_network(patch_network_cache):
  return single_image.patch_feature_network(patch_network_cache, steps=2)


def test_sifid_of_an_image_with_itself_is_zero(patch_network):
  image = jnp.asarray(gdata.photos.resize_max_side(gdata.photos.photo("sklearn:china"), 24)) * 2 - 1
  shuffled = jax.random.permutation(jax.random.PRNGKey(0), image.reshape(-1, 3)).reshape(image.shape)
  features = single_image.patch_features(patch_network, jnp.stack([image, shuffled]))    # [2, P, F]
  assert features.shape[0] == 2 and features.shape[2] == 32
  assert single_image.sifid(features[:1], features[0]) < 1e-6
  assert single_image.sifid(features[1:], features[0]) > 1e-3


def test_diversity_is_zero_for_identical_samples_and_positive_otherwise():
  image = np.random.default_rng(0).uniform(-1, 1, (6, 8, 3))
  assert single_image.sample_diversity(np.stack([image] * 4), image) == 0.0
  noisy = image + np.random.default_rng(1).normal(0, 0.1, (4, 6, 8, 3))
  assert 0.05 < single_image.sample_diversity(noisy, image) < 0.3  # 0.1 * ~0.92 / std(U(-1, 1)) ~ 0.16


# ------------------------------------------------------------------------------------------------
# The model on the engine.


@pytest.fixture(scope="module")
def parallel_runs():
  return device_comparison("tests.test_singan")


def test_trains_identically_on_one_and_four_devices(parallel_runs):
  run = parallel_runs["singan"]
  assert run["applied"] and run["finite"] and run["moved"] > 0
  assert run["max_rel_diff"] < 1e-4 and run["metric_diff"] < 1e-4, run
  assert {"loss/critic", "loss/generator", "loss/reconstruction", "loss/gradient_penalty", "grad_norm/generator",
          "grad_norm/discriminator", "scale", "sigma"} <= set(run["metrics"])


def test_resume_mid_pyramid_equals_an_uninterrupted_run_and_scales_train_one_at_a_time(tmp_path):
  config = lambda steps: tiny_config(**{"model.steps_per_scale": 2, "train.num_steps": steps,
                                        "train.checkpoint_every": 3, "train.eval_every": 100})
  full = jax.device_get(loop.train_and_evaluate(config(4), str(tmp_path / "full")))
  shutil.copytree(tmp_path / "full", tmp_path / "resumed")   # the same run stopped at its step-3 checkpoint,
  shutil.rmtree(tmp_path / "resumed" / "checkpoints" / "4")  # inside scale 1 (one compilation fewer than training 3)
  stopped = jax.device_get(load_run(str(tmp_path / "resumed"))[3])
  assert int(stopped.step) == 3
  resumed = jax.device_get(loop.train_and_evaluate(config(4), str(tmp_path / "resumed")))
  assert int(resumed.step) == 4
  for a, b in zip(jax.tree.leaves((full.params, full.opt_state, full.model_state)),
                  jax.tree.leaves((resumed.params, resumed.opt_state, resumed.model_state)), strict=True):
    np.testing.assert_array_equal(a, b)
  at_3, at_4 = jax.tree.leaves(stopped.params), jax.tree.leaves(full.params)
  for a, b in zip(at_3, at_4):
    np.testing.assert_array_equal(a[0], b[0])                   # scale 0 frozen while scale 1 trains
  assert any(np.any(a[1] != b[1]) for a, b in zip(at_3, at_4))  # scale 1 trains
  sigmas = np.asarray(full.model_state["generator"]["sigmas"])
  assert sigmas[0] == 1.0 and 0 < sigmas[1] < 1.0


def test_samples_pictures_and_evaluation(tmp_path, patch_network_cache):
  config = tiny_config(**{"eval.classifier_cache_dir": str(patch_network_cache)})
  ds = gdata.load(config.data)
  trainer = registry.get_model("singan")(config, ds.spec)
  state = trainer.init(jax.random.PRNGKey(0))
  state = state.replace(model_state={**state.model_state, "generator": {"sigmas": jnp.ones(2)}})  # as if trained
  samples = trainer.sample(state, jax.random.PRNGKey(1), 3)
  assert samples.shape == (3, 11, 16, 3) and not np.allclose(samples[0], samples[1])
  pictures = trainer.save_pictures(state, jax.random.PRNGKey(2), str(tmp_path), 7, ds)
  assert [os.path.basename(p) for p in pictures] == ["singan_0000007.png"]
  results = trainer.evaluate(state, ds, jax.random.PRNGKey(3))
  assert results["num_scales"] == 2
  for name in ("sifid", "sifid_2x", "diversity", "diversity_2x"):
    assert np.isfinite(results[name]) and results[name] > 0, results


@pytest.mark.parametrize("fields, message", [
    ({"model.scale_factor": 1.0}, "model.scale_factor: expected a number > 1, got 1.0"),
    ({"model.steps_per_scale": 0}, "model.steps_per_scale"),
    ({"objective.gradient_penalty": -1.0}, "objective.gradient_penalty: expected a number >= 0"),
    ({"eval.inject_scale": 2}, r"eval.inject_scale: expected a scale index < 2"),
    ({"eval.paste_photo": "sklearn:moon"}, "eval.paste_photo: expected one of"),
    ({"optim.schedule": "cosine"}, "optim.schedule: expected one of"),
])
def test_builder_names_the_bad_field(fields, message):
  config = tiny_config(**fields)
  spec = gdata.DataSpec(name="photo", kind="images", example_shape=(11, 16, 3), num_classes=0,
                        value_range=(-1.0, 1.0), mode_centres=None, mode_std=None, binarized=False)
  with pytest.raises(ValueError, match=message):
    registry.get_model("singan")(config, spec)


def test_cli_bad_field_is_one_line_with_exit_code_2(tmp_path):
  result = run_cli(f"--config={REPO}/configs/singan_photo.py", f"--workdir={tmp_path / 'run'}",
                   "--config.data.photo=sklearn:moon")
  assert result.returncode == 2, result.stderr
  lines = result.stderr.strip().splitlines()
  assert len(lines) == 1 and "data.photo: expected one of" in lines[0], result.stderr
  assert not (tmp_path / "run").exists()
