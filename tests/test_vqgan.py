"""The VQGAN first stage ('vqgan'): its pure pieces against hand-computed values, the VGG16 loader on a tiny
random file, disc_start gating, a few steps alike on 1 and 4 fake devices, evaluation and pictures, and the
builder's and CLI's field errors."""

import os
import tempfile

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from configs import vqgan_digits
from gen_jax import data as gdata
from gen_jax.eval.features import Classifier
from gen_jax.nets.classifier import ConvClassifier
from gen_jax.nets import vgg16
from gen_jax.train import parallel, registry
from gen_jax.train.train_step import make_train_step
from gen_jax.vae import perceptual_features, vqgan_losses

from tests.helpers.cli import REPO, run_cli
from tests.helpers.family_worker import device_comparison, few_steps

# The perceptual and metric classifiers of the tiny configs (2 training steps) live here, never in the user's cache.
TEST_CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME", tempfile.gettempdir()), "gen_jax_tests_vqgan_classifiers")

VARIANTS = {  # one variant, one compilation per device count: hinge and instance norm are tested on 1 device below
    "non_saturating_batchnorm_perceptual": {"objective.gan_loss": "non_saturating",
                                            "model.discriminator_norm": "batch"},
}


def tiny_config(**fields):
  """A few-second config on 8x8 digits: widths 4-8 (a 4x4 grid of 2-d codes, K = 8), batch 8, the discriminator
  on from step 0; fields as 'group.name': value."""
  c = vqgan_digits.get_config()
  c.data.batch_size = 8
  c.model.hidden = (4, 8)
  c.model.num_codes = 8
  c.model.code_dim = 2
  c.model.discriminator_features = 4
  c.objective.disc_start = 0
  c.optim.learning_rate = 1e-4  # Adam moves a parameter by <= ~lr per step: the 1-vs-4-device bound
  c.eval.classifier_cache_dir = TEST_CACHE
  c.eval.classifier_steps = 2
  c.eval.image_batch_size = 128
  c.eval.progress = False
  return few_steps(c, fields)


def one_step_fn(config):
  """(init state, step(state) -> (state after one engine step on 1 device, metrics)) of `config`'s trainer."""
  ds = gdata.load(config.data)
  trainer = registry.get_model("vqgan")(config, ds.spec)
  mesh = parallel.make_mesh(1)
  batches = parallel.put_batch({k: v[None, :8] for k, v in ds.train.items()}, mesh, leading_axes=1)
  train_step = make_train_step(trainer, mesh)
  step = lambda state: jax.device_get(train_step(parallel.put_replicated(state, mesh), batches, np.ones(1, bool)))
  return trainer.init(jax.random.PRNGKey(0)), step


def test_adaptive_weight_equals_the_hand_computed_ratio_clipped_and_without_gradient():
  rec = {"kernel": jnp.array([[3.0, 0.0]]), "bias": jnp.array([4.0])}  # norm 5
  gan = {"kernel": jnp.array([[0.0, 1.2]]), "bias": jnp.array([1.6])}  # norm 2
  np.testing.assert_allclose(vqgan_losses.adaptive_weight(rec, gan), 5.0 / (2.0 + 1e-4), rtol=1e-6)
  zero = jax.tree.map(jnp.zeros_like, gan)
  assert float(vqgan_losses.adaptive_weight(rec, zero)) == 1e4  # 5 / 1e-4 clipped
  grad = jax.grad(lambda r: vqgan_losses.adaptive_weight({"kernel": r, "bias": rec["bias"]}, gan))(rec["kernel"])
  assert not np.any(grad)


def test_perceptual_distance_is_zero_for_identical_images_and_positive_otherwise():
  classifier_model = ConvClassifier(num_classes=10, widths=(4, 8, 8), feature_dim=8)
  x = jnp.asarray(gdata.load(tiny_config().data).test["x"][:6])
  params = classifier_model.init(jax.random.PRNGKey(0), x)["params"]
  layers = jax.jit(perceptual_features.classifier_layers(Classifier(classifier_model, params, {})))
  maps = layers(x)
  assert [m.shape[1:3] for m in maps] == [(8, 8), (4, 4), (2, 2), (1, 1)]
  np.testing.assert_array_equal(vqgan_losses.perceptual_distance(maps, maps), np.zeros(6))
  other = vqgan_losses.perceptual_distance(maps, layers(jnp.roll(x, 1, axis=0)))
  assert other.shape == (6,) and np.all(other > 0.01)


def tiny_vgg_arrays(widths=(2, 3, 4, 4, 4)) -> dict:
  """torchvision vgg16 state_dict layout with small widths and random values (plus an ignored classifier key)."""
  rng = np.random.default_rng(0)
  arrays, in_channels = {"classifier.0.weight": np.zeros((2, 2), np.float32)}, 3
  names = vgg16.conv_names()
  for name, index in zip(names, vgg16.TORCHVISION_CONV_INDICES):
    out_channels = widths[int(name[4]) - 1]
    arrays[f"features.{index}.weight"] = rng.normal(size=(out_channels, in_channels, 3, 3)).astype(np.float32)
    arrays[f"features.{index}.bias"] = rng.normal(size=(out_channels,)).astype(np.float32)
    in_channels = out_channels
  return arrays


def test_vgg16_loader_reads_a_torchvision_layout_file(tmp_path):
  arrays = tiny_vgg_arrays()
  path = str(tmp_path / "vgg16.npz")
  np.savez(path, **arrays)
  params, widths = vgg16.params_from_torchvision(arrays)
  assert widths == (2, 3, 4, 4, 4)
  np.testing.assert_array_equal(params["conv2_1"]["kernel"][:, :, 1, 2], arrays["features.5.weight"][2, 1])
  maps = perceptual_features.vgg16_layers(path)(jnp.zeros((2, 8, 8, 1)))
  assert [m.shape for m in maps] == [(2, 8, 8, 2), (2, 4, 4, 3), (2, 2, 2, 4), (2, 1, 1, 4), (2, 1, 1, 4)]
  broken = {k: v for k, v in arrays.items() if k != "features.7.bias"}
  with pytest.raises(ValueError, match="model.perceptual_weights: expected torchvision vgg16 keys 'features.7"):
    vgg16.params_from_torchvision(broken)
  with pytest.raises(ValueError, match="model.perceptual_weights: expected an .npz file"):
    perceptual_features.vgg16_layers(str(tmp_path / "missing.npz"))



def test_disc_start_gates_the_discriminator_and_the_adversarial_term_with_vgg16_features(tmp_path):
  path = str(tmp_path / "vgg16.npz")
  np.savez(path, **tiny_vgg_arrays())
  fields = {"model.perceptual_weights": path, "objective.disc_start": 5, "model.discriminator_norm": "instance"}
  start, step = one_step_fn(tiny_config(**fields))
  before, before_metrics = step(start)
  assert float(before_metrics["adversarial_factor"][0]) == 0.0 and float(before_metrics["adaptive_weight"][0]) > 0
  assert np.all(before_metrics["loss/perceptual"] > 0)
  for a, b in zip(jax.tree.leaves(start.params["discriminator"]), jax.tree.leaves(before.params["discriminator"])):
    np.testing.assert_array_equal(a, b)
  # From disc_start on (the same initial parameters), the discriminator moves and the adversarial term, whose
  # scale lambda f(t) w_adv was exactly 0 before, changes the decoder's step.
  on, on_metrics = step(start.replace(step=jnp.full_like(start.step, 5)))
  assert float(on_metrics["adversarial_factor"][0]) == 1.0
  moved = lambda x, y: max(float(np.max(np.abs(a - b))) for a, b in zip(jax.tree.leaves(x), jax.tree.leaves(y)))
  assert moved(start.params["discriminator"], on.params["discriminator"]) > 0
  assert moved(on.params["decoder"], before.params["decoder"]) > 1e-6
  assert moved(on.params["encoder"], before.params["encoder"]) > 1e-6


@pytest.fixture(scope="module")
def parallel_runs():
  return device_comparison("tests.test_vqgan")


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_trains_identically_on_one_and_four_devices(parallel_runs, variant):
  run = parallel_runs[variant]
  assert run["applied"] and run["finite"] and run["moved"] > 0
  assert run["max_rel_diff"] < 1e-4, run
  assert run["metric_diff"] < 1e-4
  assert {"adaptive_weight", "perplexity", "loss/discriminator", "grad_norm/discriminator", "grad_norm/decoder",
          "loss/perceptual"} <= set(run["metrics"])


def test_evaluation_samples_and_pictures(tmp_path):
  config = tiny_config()
  ds = gdata.load(config.data)
  trainer = registry.get_model("vqgan")(config, ds.spec)
  state = trainer.init(jax.random.PRNGKey(0))
  results = trainer.evaluate(state, ds, jax.random.PRNGKey(1))
  assert 1.0 <= results["perplexity"] <= 8.0 and 1 <= results["codes_used"] <= 8
  np.testing.assert_allclose(results["psnr"], 10 * np.log10(1 / results["reconstruction_mse"]), rtol=1e-6)
  assert np.isfinite(results["fd_reconstruction"]) and results["num_examples"] == len(ds.test["x"])
  assert trainer.sample(state, jax.random.PRNGKey(2), 3).shape == (3, 8, 8, 1)
  pictures = trainer.save_pictures(state, jax.random.PRNGKey(3), str(tmp_path), 2, ds)
  assert "reconstructions_0000002.png" in [os.path.basename(p) for p in pictures]


@pytest.mark.parametrize("fields, message", [
    ({"model.hidden": (4, 8, 8, 8, 8)}, "model.hidden: expected at most log2"),
    ({"objective.gan_loss": "wasserstein"}, "objective.gan_loss: expected one of"),
    ({"objective.disc_start": -1}, "objective.disc_start"),
    ({"objective.codebook_decay": 1.0}, "objective.codebook_decay: expected a number in"),
    ({"objective.adversarial_weight": -0.5}, "objective.adversarial_weight"),
])
def test_builder_names_the_bad_field(fields, message):
  config = tiny_config(**{"objective.perceptual_weight": 0.0, **fields})
  with pytest.raises(ValueError, match=message):
    registry.get_model("vqgan")(config, gdata.load(config.data).spec)


def test_cli_reports_a_bad_field_in_one_line(tmp_path):
  result = run_cli(f"--config={REPO}/configs/vqgan_digits.py", f"--workdir={tmp_path}",
                   "--config.objective.gan_loss=bce")
  assert result.returncode == 2, result.stderr
  lines = result.stderr.strip().splitlines()
  assert len(lines) == 1 and lines[0].startswith("error: objective.gan_loss: expected one of"), result.stderr
