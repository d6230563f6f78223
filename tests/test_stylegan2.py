"""StyleGAN2: the synthesis network and residual discriminator, the lazy regularizers' running means, and the
'stylegan2' model on the engine (1 vs 4 fake devices, exact resume with the running means, truncation,
pictures, field checks)."""

import os
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from configs import stylegan2_base, stylegan2_ffhq
from gen_jax.data.spec import DataSpec
from gen_jax.gan import regularizers
from gen_jax.gan.stylegan2 import running_w_mean
from gen_jax.nets.stylegan2 import ResidualDiscriminator, StyleGAN2Generator, SynthesisNetwork, num_styles
from gen_jax.train import loop, registry
from tests.helpers.cli import assert_one_line_field_error
from tests.helpers.family_worker import assert_devices_agree, device_comparison
from tests.helpers.gan import build, tiny_digit_config

# Lazy intervals 2: step 0 of the two runs both regularizers, step 1 skips them.
VARIANTS = {
    "stylegan2_augment": {"objective.r1_interval": 2, "objective.path_length_interval": 2,
                          "objective.diff_augment": "color,translation,cutout", "train.ema_decay": 0.9},
}


def tiny_config(**fields):
  """tiny_digit_config's sizes with a 4-wide, 2-layer mapping network; fields 'group.name': value."""
  c = stylegan2_base.get_config()
  c.model.style_dim = 4
  c.model.mapping_depth = 2
  return tiny_digit_config(c, fields)


def test_synthesis_shapes_styles_and_noise():
  """L = 2 log2(R / 4) + 2 styles, each of which (the 4x4 conv and ToRGB, the two 8x8 convs and the 8x8
  ToRGB, whose outputs the skip architecture sums) changes the image; no noise keys is deterministic; noise
  keys only matter once a layer's noise strength is not 0 (it starts at 0)."""
  big = SynthesisNetwork((32, 32, 3), features=4)
  big_ws = jnp.zeros((2, num_styles(32), 5))
  params = jax.eval_shape(big.init, jax.random.key(1), big_ws)
  assert jax.eval_shape(big.apply, params, big_ws).shape == (2, 32, 32, 3)
  net = SynthesisNetwork((8, 8, 3), features=4)
  ws = jax.random.normal(jax.random.key(0), (2, num_styles(8), 5))
  params = jax.jit(net.init)(jax.random.key(1), ws)
  apply = jax.jit(net.apply)
  base = apply(params, ws)
  assert base.shape == (2, 8, 8, 3)
  for layer in range(num_styles(8)):
    assert not np.allclose(apply(params, ws.at[:, layer].add(1.0)), base), layer
  keys = jax.random.split(jax.random.key(2), 2)
  np.testing.assert_allclose(apply(params, ws, keys), apply(params, ws), rtol=1e-6)
  noisy = jax.tree_util.tree_map_with_path(
      lambda path, p: p + 0.5 if "noise_strength" in jax.tree_util.keystr(path) else p, params)
  assert not np.allclose(apply(noisy, ws, keys), apply(noisy, ws))
  with pytest.raises(ValueError, match="ws: expected 4 styles"):
    apply(params, ws[:, :-1])


def test_minibatch_stddev_groups_do_not_mix():
  """Each logit depends on its own minibatch-stddev group only (groups of 2 consecutive examples)."""
  d = ResidualDiscriminator(features=4, group_size=2)
  x = jax.random.normal(jax.random.key(0), (6, 8, 8, 1))
  params = d.init(jax.random.key(1), x)
  apply = jax.jit(d.apply)
  logits = apply(params, x)
  moved = apply(params, x.at[3].add(1.0))
  assert logits.shape == (6,)
  others = np.array([0, 1, 4, 5])
  np.testing.assert_allclose(moved[others], logits[others], rtol=1e-6)
  assert abs(float(moved[2] - logits[2])) > 1e-6  # the partner of example 3 sees the change


def test_lazy_penalty_with_a_running_mean_and_per_example_path_length_keys():
  """lazy_penalty carries an aux (the running mean) through skipped steps unchanged; path_length_penalty's
  per-example keys make each example's draw independent of how the batch is split; `mean` averages the
  lengths for the running mean."""
  penalty = lambda: (jnp.array(0.5), jnp.array(3.0))
  assert [tuple(map(float, regularizers.lazy_penalty(s, 4, penalty, jnp.array(1.0)))) for s in (3, 4)] == [
      (0.0, 1.0), (2.0, 3.0)]
  g = lambda w: jnp.tanh(w).reshape(-1, 2, 2, 1)
  w = jax.random.normal(jax.random.key(0), (4, 4))
  keys = jax.random.split(jax.random.key(1), 4)
  whole, _ = regularizers.path_length_penalty(g, w, keys, 0.3, 0.0)  # decay 0: a stays 0.3
  halves = [regularizers.path_length_penalty(g, w[i:i + 2], keys[i:i + 2], 0.3, 0.0)[0] for i in (0, 2)]
  np.testing.assert_allclose(whole, jnp.concatenate(halves), rtol=1e-6)
  _, a = regularizers.path_length_penalty(g, w, keys, 0.0, 1.0, mean=lambda lengths: jnp.full((), 7.0))
  assert float(a) == 7.0


def test_trains_identically_on_one_and_four_devices():
  run = device_comparison("tests.test_stylegan2")["stylegan2_augment"]
  assert_devices_agree(run, {"loss/discriminator", "loss/generator", "penalty/r1", "penalty/path_length",
                             "path_length_mean", "grad_norm/generator", "grad_norm/discriminator"})


def test_resume_is_exact_including_the_running_means(tmp_path):
  """4 steps in one go equal 2 steps, a checkpoint and 2 more: parameters, EMA and the running means of w and
  of the path lengths (which moved). R1 off: its second-order graph would double the compile time."""
  config = lambda steps: tiny_config(**{"train.num_steps": steps, "train.steps_per_jit": 1, "train.eval_every": 4,
                                        "objective.r1": 0.0, "objective.path_length_interval": 2,
                                        "train.ema_decay": 0.9})
  full = jax.device_get(loop.train_and_evaluate(config(4), str(tmp_path / "full")))
  shutil.copytree(tmp_path / "full", tmp_path / "resumed")   # the same run stopped at its step-2 checkpoint:
  shutil.rmtree(tmp_path / "resumed" / "checkpoints" / "4")  # one compilation fewer than training 2 steps
  resumed = jax.device_get(loop.train_and_evaluate(config(4), str(tmp_path / "resumed")))
  assert int(resumed.step) == 4
  for a, b in zip(jax.tree.leaves((full.params, full.ema_params, full.model_state)),
                  jax.tree.leaves((resumed.params, resumed.ema_params, resumed.model_state)), strict=True):
    np.testing.assert_array_equal(a, b)
  running = full.model_state["generator"]["running"]
  assert float(running["path_length_mean"]) > 0 and float(np.abs(running["w_mean"]).max()) > 0
  assert sorted(os.listdir(tmp_path / "full" / "samples")) == [
      "samples_0000004.png", "style_mixing_0000004.png", "truncation_0000004.png"]


def test_truncation_psi_zero_draws_the_mean_style_for_every_latent():
  """psi = 0: every latent maps to w_mean, so different z give identical images (the noise strengths are 0
  at initialization); psi = 1 keeps them apart."""
  images = {}
  for psi in (0.0, 1.0):
    trainer, _ = build(tiny_config(**{"eval.truncation_psi": psi}))
    state = trainer.init(jax.random.PRNGKey(0))
    w_mean = jax.random.normal(jax.random.key(3), running_w_mean(state).shape)
    state.model_state["generator"]["running"]["w_mean"] = w_mean
    images[psi] = np.asarray(trainer.sample(state, jax.random.key(1), 6))
  assert images[0.0].shape == (6, 8, 8, 1)
  np.testing.assert_allclose(images[0.0], np.broadcast_to(images[0.0][:1], images[0.0].shape), atol=1e-6)
  assert np.std(images[1.0], axis=0).max() > 1e-3


def test_generator_maps_then_synthesizes():
  g = StyleGAN2Generator((8, 8, 1), features=4, style_dim=3, mapping_depth=1)
  z = jax.random.normal(jax.random.key(0), (2, 5))
  params = g.init(jax.random.key(1), z)
  w = g.apply(params, z, method="map")
  ws = jnp.broadcast_to(w[:, None], (2, 4, 3))
  np.testing.assert_allclose(g.apply(params, z), g.apply(params, ws, method="synthesize"), rtol=1e-6)


@pytest.mark.parametrize("fields, message", [
    ({"objective.style_mixing": 1.5}, r"objective.style_mixing: expected a probability in \[0, 1\], got 1.5"),
    ({"objective.r1_interval": 0}, "objective.r1_interval: expected a positive integer"),
    ({"model.minibatch_group": 3}, "model.minibatch_group: expected a divisor of data.batch_size=8"),
    ({"eval.truncation_psi": -0.5}, r"eval.truncation_psi: expected a number in \[0, 1\], got -0.5"),
    ({"data.name": "ring8"}, "data.name: expected an image dataset for model 'stylegan2'"),
    ({"data.image_size": 28}, "data.image_size: expected square images of side 8, 16, 32"),
])
def test_builder_rejects_bad_fields(fields, message):
  with pytest.raises(ValueError, match=message):
    build(tiny_config(**fields))


def test_cli_bad_field_is_one_line_with_exit_code_2(tmp_path):
  assert_one_line_field_error(tmp_path / "run", "stylegan2_digits.py", "--config.objective.style_mixing=2",
                              "objective.style_mixing: expected a probability in [0, 1], got 2.0")


def test_ffhq_config_builds_for_256_pixel_faces():
  spec = DataSpec(name="folder", kind="images", example_shape=(256, 256, 3), num_classes=0,
                  value_range=(-1.0, 1.0), mode_centres=None, mode_std=None, binarized=False)
  trainer = registry.get_model("stylegan2")(stylegan2_ffhq.get_config(), spec)
  assert trainer.batches_per_step == 1
