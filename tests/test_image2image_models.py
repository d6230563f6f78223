"""The 'srgan' (SRResNet-MSE, SRGAN, ESRGAN) and 'pix2pix' models on the engine: a few steps alike on 1 and 4
fake devices (SRResNet-MSE, ESRGAN, pix2pix; SRGAN's standard discriminator loss is pix2pix's), exact resume
of SRGAN across the pre-training phase, evaluation, pictures, field checks and the configs."""

import importlib
import os

import jax
import numpy as np
import pytest

from configs import paired_base
from gen_jax import data as gdata
from gen_jax.data.spec import DataSpec
from gen_jax.train import loop, registry

from tests.helpers.family_worker import device_comparison, few_steps

VARIANTS = {
    "srresnet": {"objective.adversarial_weight": 0.0},
    "esrgan": {"model.generator": "rrdb", "objective.relativistic": True, "objective.content_weight": 1e-2,
               "objective.adversarial_weight": 5e-3},
    "pix2pix": {"model.name": "pix2pix", "model.generator": "unet", "data.name": "photos_color",
                "objective.content_weight": 100.0, "objective.adversarial_weight": 1.0},
}


def tiny_config(**fields):
  """A few-second config: 16x16 patches (4x4 inputs), 4-channel networks, batch 8; fields 'group.name': value."""
  c = paired_base.get_config()
  c.data.image_size = 16
  c.data.patch_stride = 16
  c.data.batch_size = 8
  c.model.features = 4
  c.model.num_blocks = 1
  c.model.growth = 2
  c.model.discriminator_features = 4
  c.optim.learning_rate = 1e-4  # Adam moves a parameter by <= ~lr per step: the 1-vs-4-device bound
  c.optim.eps = 1e-3            # rounding-size gradients (biases before BN) must not become lr-sized steps
  c.eval.classifier_steps = 2
  c.eval.image_batch_size = 100
  c.eval.progress = False
  return few_steps(c, fields)


@pytest.fixture(scope="module")
def parallel_runs():
  return device_comparison("tests.test_image2image_models")


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_trains_identically_on_one_and_four_devices(parallel_runs, variant):
  run = parallel_runs[variant]
  assert run["applied"] and run["finite"] and run["moved"] > 0
  # pix2pix: the U-Net's and the conditional PatchGAN's BatchNorm statistics, summed in another order over 4
  # devices, move a few near-zero parameters by ~1e-7 after two Adam steps (lr 1e-4): relative 3e-4.
  assert run["max_rel_diff"] < (1e-3 if variant == "pix2pix" else 1e-4), run
  assert run["metric_diff"] < 1e-4
  assert {"loss/content", "loss/generator", "grad_norm/generator"} <= set(run["metrics"])
  adversarial = {"loss/discriminator", "grad_norm/discriminator", "logit/real", "adversarial_phase"}
  assert (adversarial <= set(run["metrics"])) == (variant != "srresnet")


def test_resume_across_the_pretraining_phase_equals_an_uninterrupted_run(tmp_path):
  config = lambda steps: tiny_config(**{"objective.pretrain_steps": 2, "train.num_steps": steps,
                                        "train.steps_per_jit": 1, "train.checkpoint_every": 2})
  full = loop.train_and_evaluate(config(3), str(tmp_path / "full"))
  loop.train_and_evaluate(config(2), str(tmp_path / "resumed"))
  resumed = loop.train_and_evaluate(config(3), str(tmp_path / "resumed"))
  assert int(resumed.step) == 3
  for a, b in zip(jax.tree.leaves(jax.device_get(full.params)), jax.tree.leaves(jax.device_get(resumed.params)),
                  strict=True):
    np.testing.assert_array_equal(a, b)
  assert os.path.exists(tmp_path / "full" / "samples" / "pairs_0000003.png")


def test_evaluation_pictures_and_samples(tmp_path):
  config = tiny_config(**{"eval.classifier_cache_dir": str(tmp_path / "cache")})
  ds = gdata.load(config.data)
  trainer = registry.get_model("srgan")(config, ds.spec)
  state = trainer.init(jax.random.PRNGKey(0))
  results = trainer.evaluate(state, ds, jax.random.PRNGKey(1))
  for name in ("psnr", "ssim", "sharpness", "fd"):
    assert np.isfinite(results[name]) and np.isfinite(results[f"{name}_bicubic"])
  assert results["psnr_bicubic"] > results["psnr"] and results["num_test"] == len(ds.test["x"])
  pictures = trainer.save_pictures(state, jax.random.PRNGKey(2), str(tmp_path), 5, ds)
  assert [os.path.basename(p) for p in pictures] == ["pairs_0000005.png"]
  assert trainer.sample(state, jax.random.PRNGKey(3), 3).shape == (3, 16, 16, 3)


SPEC = DataSpec(name="photos_sr", kind="paired", example_shape=(32, 32, 3), num_classes=0, value_range=(-1.0, 1.0),
                mode_centres=None, mode_std=None, binarized=False, condition_shape=(8, 8, 3))


@pytest.mark.parametrize("fields, message", [
    ({"model.generator": "unet"}, "model.generator: expected one of"),
    ({"model.name": "pix2pix", "model.generator": "unet", "objective.relativistic": True},
     "objective.relativistic: expected False for model 'pix2pix'"),
    ({"objective.relativistic": True, "objective.adversarial_weight": 0.0}, "objective.adversarial_weight"),
    ({"objective.pretrain_steps": -1}, "objective.pretrain_steps"),
    ({"model.discriminator_layers": 6}, r"model.discriminator_layers: expected L with 2\^L dividing"),
    ({"model.discriminator_norm": "layer"}, "model.discriminator_norm: expected one of"),
])
def test_builder_names_the_bad_field(fields, message):
  config = paired_base.get_config()
  for dotted, value in fields.items():
    group, name = dotted.split(".")
    config[group][name] = value
  with pytest.raises(ValueError, match=message):
    registry.get_model(config.model.name)(config, SPEC)


def test_images_without_pairs_are_refused():
  spec = DataSpec(name="digits", kind="images", example_shape=(8, 8, 1), num_classes=10, value_range=(-1.0, 1.0),
                  mode_centres=None, mode_std=None, binarized=False)
  with pytest.raises(ValueError, match="data.name: expected a paired dataset"):
    registry.get_model("srgan")(paired_base.get_config(), spec)


@pytest.mark.parametrize("name", ["srresnet_photos", "srgan_photos", "esrgan_photos", "pix2pix_photos", "srgan_div2k"])
def test_shipped_configs_build(name):
  config = importlib.import_module(f"configs.{name}").get_config()
  spec = SPEC if config.model.name == "srgan" else DataSpec(**{**SPEC.__dict__, "condition_shape": (32, 32, 1)})
  trainer = registry.get_model(config.model.name)(config, spec)
  assert trainer.batches_per_step == 1
