"""ProGAN: the growth schedule, the fade-in of generator, discriminator and real images, and the 'progan'
model on the engine (1 vs 4 fake devices, exact resume from a checkpoint written mid-transition, pictures,
field checks; the CLI prints these errors on one line through gen_jax.cli, tested in test_stylegan2 and the
other family tests)."""

import dataclasses
import json
import os
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from configs import progan_base, progan_celeba64
from gen_jax import data as gdata
from gen_jax.nets.progan import GrowthSchedule, ProGANDiscriminator, ProGANGenerator, real_images_at_stage
from gen_jax.train import loop, registry
from tests.helpers.family_worker import assert_devices_agree, device_comparison
from tests.helpers.gan import build, tiny_digit_config

# Step 0 at 4x4 (the penalty on 2 D, see progan_update), step 1 at 8x8 with the fade starting (alpha 0).
VARIANTS = {"progan_grow": {"model.stable_steps": 1, "model.fade_steps": 1, "train.ema_decay": 0.9}}


def tiny_config(**fields):
  """tiny_digit_config's sizes (stages 4x4 and 8x8); fields 'group.name': value."""
  return tiny_digit_config(progan_base.get_config(), fields)


def test_schedule_at_hand_computed_steps():
  """S = 3, 10 stable steps, 4 fade steps: 4x4 for steps 0-9, 8x8 fades in over 10-13 (alpha t / 4) and is
  stable for 14-23, 16x16 fades in from 24 and stays; the same under jit."""
  schedule = GrowthSchedule(num_stages=3, stable_steps=10, fade_steps=4)
  steps = [0, 9, 10, 11, 13, 14, 23, 24, 26, 28, 500]
  expected = [(0, 1.0), (0, 1.0), (1, 0.0), (1, 0.25), (1, 0.75), (1, 1.0), (1, 1.0), (2, 0.0), (2, 0.5),
              (2, 1.0), (2, 1.0)]
  stages, alphas = jax.jit(jax.vmap(schedule))(jnp.array(steps))
  assert list(zip(stages.tolist(), alphas.tolist())) == expected
  assert GrowthSchedule(2, 0, 2)(0)[0] == 1  # no stable steps: the 8x8 fade starts at step 0


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
  """(4 steps in one go, the same run resumed from its step-2 checkpoint, their directory): stable 1, fade 4,
  so the checkpoint is written while 8x8 fades in (alpha 0.25 at step 2). The gradient penalty off (the
  1-vs-4-device test has it): its second-order graph would double the compile time."""
  root = tmp_path_factory.mktemp("progan")
  config = tiny_config(**{"train.num_steps": 4, "train.eval_every": 4, "model.stable_steps": 1,
                          "model.fade_steps": 4, "train.ema_decay": 0.9, "objective.gradient_penalty": 0.0})
  full = jax.device_get(loop.train_and_evaluate(config, str(root / "full")))
  shutil.copytree(root / "full", root / "resumed")   # the same run stopped at its step-2 checkpoint
  shutil.rmtree(root / "resumed" / "checkpoints" / "4")
  resumed = jax.device_get(loop.train_and_evaluate(config, str(root / "resumed")))
  return full, resumed, root


@pytest.fixture(scope="module")
def networks(runs):
  """(G's apply, its trained parameters, z, D's apply, its parameters, images) of the tiny run."""
  params = runs[0].params
  z = jax.random.normal(jax.random.key(0), (4, 4))
  x = jax.random.normal(jax.random.key(1), (4, 8, 8, 1))
  return (ProGANGenerator((8, 8, 1), features=4).apply, {"params": params["generator"]}, z,
          ProGANDiscriminator(features=4, group_size=2).apply, {"params": params["discriminator"]}, x)


def test_generator_fade_is_continuous(networks):
  """At alpha = 0 the 8x8 stage outputs the 4x4 stage's image (pixels repeated 2x2), at alpha = 1 the new
  toRGB's, in between the blend; the 4x4 stage's output is constant on 2x2 blocks."""
  g, params, z, *_ = networks
  low, start, half, high = g(params, z, 0, 1.0), g(params, z, 1, 0.0), g(params, z, 1, 0.5), g(params, z, 1, 1.0)
  np.testing.assert_array_equal(start, low)
  np.testing.assert_array_equal(low, np.repeat(np.repeat(low[:, ::2, ::2], 2, 1), 2, 2))
  np.testing.assert_allclose(half, 0.5 * low + 0.5 * high, rtol=1e-5, atol=1e-6)
  assert np.abs(high - low).max() > 1e-3


def test_real_images_and_discriminator_blend(networks):
  """Real images at stage 1, alpha 0.25: 0.25 x + 0.75 (2x2 means, repeated); at stage 0 the 2x2 means. D at
  (1, alpha = 0) scores as D at stage 0 (the fade is continuous) and at stage 0 sees only the 2x2 means."""
  *_, d, d_params, x = networks
  means = np.repeat(np.repeat(np.asarray(x).reshape(4, 4, 2, 4, 2, 1).mean((2, 4)), 2, 1), 2, 2)
  np.testing.assert_allclose(real_images_at_stage(x, 0, 0.3), means, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(real_images_at_stage(x, 1, 0.25), 0.25 * x + 0.75 * means, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(d(d_params, x, 1, 0.0), d(d_params, x, 0, 1.0), rtol=1e-5)
  np.testing.assert_allclose(d(d_params, means, 0, 1.0), d(d_params, x, 0, 1.0), rtol=1e-5)
  assert np.abs(d(d_params, x, 1, 1.0) - d(d_params, x, 0, 1.0)).max() > 1e-4


def test_trains_identically_on_one_and_four_devices():
  run = device_comparison("tests.test_progan")["progan_grow"]
  assert_devices_agree(run, {"loss/discriminator", "loss/generator", "penalty/gradient", "penalty/drift",
                             "growth/stage", "growth/alpha", "grad_norm/generator", "grad_norm/discriminator"})


def test_resume_mid_transition_is_exact(runs):
  """4 steps in one go equal the same run resumed from its step-2 checkpoint, written mid-transition:
  parameters and EMA bit-identical; the logged alpha follows the schedule; both pictures are written."""
  full, resumed, root = runs
  assert int(resumed.step) == 4
  for a, b in zip(jax.tree.leaves((full.params, full.ema_params)),
                  jax.tree.leaves((resumed.params, resumed.ema_params)), strict=True):
    np.testing.assert_array_equal(a, b)
  with open(root / "full" / "metrics.jsonl") as f:
    logged = {r["step"]: (r["growth/stage"], r["growth/alpha"]) for r in map(json.loads, f) if "growth/alpha" in r}
  assert logged == {2: (1.0, 0.0), 4: (1.0, 0.5)}  # the metrics of steps 1 and 3 (alpha (t - 1) / 4)
  assert sorted(os.listdir(root / "full" / "samples")) == ["growing_0000004.png", "samples_0000004.png"]


@pytest.mark.parametrize("fields, message", [
    ({"model.fade_steps": 0}, "model.fade_steps: expected a positive integer"),
    ({"model.stable_steps": -1}, "model.stable_steps: expected a non-negative integer"),
    ({"objective.drift": -0.1}, "objective.drift: expected a non-negative number, got -0.1"),
    ({"model.minibatch_group": 3}, "model.minibatch_group: expected a divisor of data.batch_size=8"),
    ({"data.name": "ring8"}, "data.name: expected an image dataset for model 'progan'"),
])
def test_builder_rejects_bad_fields(fields, message):
  with pytest.raises(ValueError, match=message):
    build(tiny_config(**fields))


def test_celeba64_config_builds_five_stages():
  """configs/progan_celeba64.py builds for 64x64 RGB images, and its last step is at 64x64 with the fade over."""
  digits = gdata.load(tiny_config().data).spec
  spec = dataclasses.replace(digits, name="celeb_a", example_shape=(64, 64, 3))
  config = progan_celeba64.get_config()
  trainer = registry.get_model("progan")(config, spec)
  assert trainer.batches_per_step == 1
  schedule = GrowthSchedule(5, config.model.stable_steps, config.model.fade_steps)
  assert [float(v) for v in schedule(config.train.num_steps - 1)] == [4.0, 1.0]  # ends at 64x64, faded in
