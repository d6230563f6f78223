"""GAN family on the engine: every variant trains on 1 and 4 (fake) devices alike; builders validate."""

import json
import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gen_jax.train import parallel
from gen_jax.train.train_step import make_train_step
from tests.helpers.cli import REPO, fake_devices_env
from tests.helpers.gan import build, tiny_config

# Every variant and stabilizer, in as few runs as possible (each compiles twice below).
VARIANTS = {
    "wgan_gp_r1_sn_pack_ncritic_ema_offsets": dict(model="gan", **{
        "objective.loss": "wasserstein", "objective.gradient_penalty": 1.0, "objective.r1": 1.0,
        "objective.n_critic": 2, "objective.pack": 2, "model.spectral_norm": True, "train.ema_decay": 0.9,
        "model.latent": "categorical", "model.category_offset_scale": 1.0, "model.category_offset_init": "data"}),
    "cgan_lsgan_clip_sn_biggan_augment": dict(model="cgan", data="digits", **{
        "objective.loss": "least_squares", "objective.clip": 0.05, "objective.n_critic": 2, "model.spectral_norm": True,
        "model.architecture": "biggan", "model.latent_dim": 4, "objective.orthogonal": 1e-4,
        "objective.diff_augment": "color,translation,cutout"}),
    "infogan_minimax_d_bn": dict(model="infogan", data="digits", **{
        "objective.loss": "minimax", "model.discriminator_batch_norm": True, "data.image_size": 16}),
    "aae_hinge_pack": dict(model="aae", data="digits", **{"data.scale": "0_1", "objective.loss": "hinge",
                                                         "objective.pack": 2}),
}

_SCRIPT = textwrap.dedent("""
    import json, sys
    import jax, numpy as np
    from tests.helpers.gan import tiny_config
    from tests.test_gan_models import VARIANTS
    from gen_jax.train.loop import train_and_evaluate
    assert jax.device_count() == 4
    report = {{}}
    for name, fields in VARIANTS.items():
      fields = dict(fields)
      model, data = fields.pop("model"), fields.pop("data", "ring8")
      runs = []
      for devices in (1, 4):
        workdir = f"{{sys.argv[1]}}/{{name}}_{{devices}}"
        config = tiny_config(model, data, **fields, **{{"train.num_devices": devices}})
        state = jax.device_get(train_and_evaluate(config, workdir))
        with open(workdir + "/metrics.jsonl") as f:
          metrics = [json.loads(line) for line in f][-1]
        runs.append((state, metrics))
      (state_1, metrics_1), (state_4, metrics_4) = runs
      diffs = jax.tree.leaves(jax.tree.map(lambda a, b: float(np.max(np.abs(a - b))), state_1.params, state_4.params))
      report[name] = {{"param_diff": max(diffs), "step": int(state_4.step),
                      "metrics": [metrics_1, metrics_4]}}
      print(name, "param_diff", max(diffs), file=sys.stderr, flush=True)
    print("REPORT " + json.dumps(report))
""")


def test_every_variant_trains_alike_on_1_and_4_devices(tmp_path):
  """Two steps of each variant through train_and_evaluate (checkpoints, metrics, pictures) on 1
  and on 4 fake CPU devices: the same losses and gradient norms (a gradient summed instead of
  averaged over devices would be 4 times larger) and the same parameters up to Adam's
  sign-sensitivity at near-zero gradients (a few learning rates)."""
  result = subprocess.run([sys.executable, "-c", _SCRIPT.format(), str(tmp_path)],
                          env=fake_devices_env(4, fast_compile=True), capture_output=True, text=True, cwd=REPO,
                          timeout=1800, check=False)
  assert result.returncode == 0, result.stderr[-4000:]
  report = json.loads(result.stdout.split("REPORT ", 1)[1])
  assert set(report) == set(VARIANTS)
  for name, r in report.items():
    assert r["step"] == 2, name
    assert r["param_diff"] < 2e-3, (name, r["param_diff"])
    metrics_1, metrics_4 = r["metrics"]
    compared = [k for k in metrics_1 if k.startswith(("loss/", "grad_norm/", "penalty/"))]
    assert any(k.startswith("grad_norm/") for k in compared), name
    for k in compared:
      np.testing.assert_allclose(metrics_4[k], metrics_1[k], rtol=2e-3, atol=1e-4, err_msg=f"{name}: {k}")
  assert sorted(os.listdir(tmp_path / "cgan_lsgan_clip_sn_biggan_augment_4" / "samples")) == [
      "samples_0000002.png", "truncation_0000002.png"]  # BigGAN's truncation sweep
  assert sorted(os.listdir(tmp_path / "aae_hinge_pack_4" / "samples")) == ["reconstructions_0000002.png",
                                                                          "samples_0000002.png"]
  assert sorted(os.listdir(tmp_path / "wgan_gp_r1_sn_pack_ncritic_ema_offsets_4" / "samples")) == [
      "scatter_0000002.png", "strip.png"]
  assert os.listdir(tmp_path / "infogan_minimax_d_bn_1" / "samples") == ["codes_0000002.png"]


def test_image_critic_steps_unrolled_equal_the_scanned_ones(monkeypatch):
  """n_critic > 1 on images runs the critic steps unrolled (XLA's CPU conv gradients are slow in a scan): the
  same update as the lax.scan path that vectors take, to rounding."""
  from gen_jax.gan import updates as gan_updates  # pylint: disable=import-outside-toplevel
  decide = gan_updates.unroll_critic_steps
  assert decide(jnp.zeros((2, 4, 8, 8, 1))) and not decide(jnp.zeros((2, 4, 2)))  # images unrolled, vectors scanned
  trainer, dataset = build(tiny_config("gan", "digits", **{"objective.n_critic": 2, "data.fresh_samples": False}))
  mesh = parallel.make_mesh(1)
  batches = parallel.put_batch({"x": dataset.train["x"][:32][None]}, mesh, leading_axes=1)
  states = []
  for unroll in (True, False):
    monkeypatch.setattr(gan_updates, "unroll_critic_steps", lambda x, unroll=unroll: unroll)
    state = parallel.put_replicated(trainer.init(jax.random.PRNGKey(0)), mesh)
    state, metrics = make_train_step(trainer, mesh)(state, batches, np.ones(1, bool))
    assert np.all(np.isfinite(jax.device_get(metrics["loss/discriminator"])))
    states.append(jax.device_get(state.params))
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6), *states)


def test_sample_uses_the_ema_parameters_when_present():
  trainer, _ = build(tiny_config())
  state = trainer.init(jax.random.PRNGKey(0))
  key = jax.random.key(1)
  plain = trainer.sample(state, key, 32)
  shifted = jax.tree.map(lambda p: p + 0.5, state.params)
  with_ema = trainer.sample(state.replace(ema_params=shifted), key, 32)
  other_params = jax.tree.map(lambda p: p - 0.3, state.params)
  np.testing.assert_array_equal(with_ema, trainer.sample(state.replace(params=other_params, ema_params=shifted),
                                                         key, 32))
  assert not np.allclose(plain, with_ema)
  assert plain.shape == (32, 2)


def test_conditional_samples_cycle_through_the_classes_and_evaluate_reports_modes():
  trainer, dataset = build(tiny_config("cgan", "digits"))
  state = trainer.init(jax.random.PRNGKey(0))
  images = trainer.sample(state, jax.random.key(1), 20)
  assert images.shape == (20, 8, 8, 1) and float(jnp.max(jnp.abs(images))) <= 1.0
  trainer, dataset = build(tiny_config())
  results = trainer.evaluate(trainer.init(jax.random.PRNGKey(0)), dataset, jax.random.key(2))
  assert {"modes", "high_quality", "reverse_kl", "num_samples"} <= set(results)
  assert results["num_samples"] == 64


@pytest.mark.parametrize("fields, message", [
    ({"objective.loss": "vanilla"}, "objective.loss: expected one of .*, got 'vanilla'"),
    ({"objective.pack": 3}, "objective.pack: expected a divisor of data.batch_size"),
    ({"objective.n_critic": 0}, "objective.n_critic: expected a positive integer"),
    ({"objective.gradient_penalty": -1.0}, "objective.gradient_penalty"),
    ({"model.maxout_pieces": 0}, "model.maxout_pieces"),
    ({"model.discriminator_act": "relu"}, r"model.discriminator_act: expected one of \('maxout', 'leaky_relu'\)"),
    ({"model.discriminator_batch_norm": True}, "model.discriminator_batch_norm: expected False unless"),
    ({"objective.diff_augment": "color"}, "objective.diff_augment: expected '' unless the GAN generates images"),
    ({"data.name": "digits", "data.fresh_samples": False, "objective.diff_augment": "color,rotate"},
     "objective.diff_augment: expected '' or comma-separated names"),
    ({"model.architecture": "vit"}, r"model.architecture: expected one of \['dcgan', 'resnet', 'biggan'\], got 'vit'"),
    ({"model.architecture": "resnet", "model.generator_refine": True}, "model.generator_refine: expected False"),
    ({"model.architecture": "biggan"}, "model.architecture: expected 'dcgan' or 'resnet' unless model.name is 'cgan'"),
    ({"objective.orthogonal": -1.0}, "objective.orthogonal: expected a non-negative number"),
    ({"eval.rejection_steps": -1}, "eval.rejection_steps: expected a non-negative integer"),
    ({"eval.rejection_steps": 5, "eval.rejection_pool": 0}, "eval.rejection_pool: expected a positive integer"),
    ({"eval.rejection_steps": 5, "eval.rejection_quantile": 0.0}, r"eval.rejection_quantile: expected a number in"),
    ({"eval.rejection_steps": 5, "eval.rejection_learning_rate": 0.0}, "eval.rejection_learning_rate: expected > 0"),
    ({"eval.rejection_steps": 5, "eval.rejection_batch_size": 0}, "eval.rejection_batch_size: expected a positive"),
])
def test_builder_rejects_bad_fields(fields, message):
  with pytest.raises(ValueError, match=message):
    build(tiny_config(**fields))


def test_biggan_latent_splits_into_one_chunk_per_block():
  with pytest.raises(ValueError, match="model.latent_dim: expected a multiple of 2"):
    build(tiny_config("cgan", "digits", **{"model.architecture": "biggan", "model.latent_dim": 3}))


def test_builder_rejects_packing_a_conditional_gan_and_an_unlabelled_cgan():
  with pytest.raises(ValueError, match="objective.pack: expected 1 for model 'cgan'"):
    build(tiny_config("cgan", "digits", **{"objective.pack": 2}))
  with pytest.raises(ValueError, match="data.name: expected a labelled dataset"):
    build(tiny_config("cgan", "swiss_roll"))


@pytest.mark.parametrize("penalty", ["objective.gradient_penalty", "objective.r1"])
def test_builder_rejects_a_batch_norm_critic_with_gradient_penalties(penalty):
  with pytest.raises(ValueError, match=f"model.discriminator_batch_norm: expected False with .*{penalty}"):
    build(tiny_config("gan", "digits", **{"model.discriminator_batch_norm": True, penalty: 1.0}))
  with pytest.raises(ValueError, match="model.discriminator_batch_norm: expected False unless"):
    build(tiny_config("aae", "digits", **{"model.discriminator_batch_norm": True}))


def test_leaky_relu_discriminator_replaces_maxout_on_points():
  trainer, _ = build(tiny_config(**{"model.discriminator_act": "leaky_relu"}))
  body = trainer.init(jax.random.PRNGKey(0)).params["discriminator"]["body"]
  assert jax.tree.map(jnp.shape, body) == {"Dense_0": {"kernel": (2, 8), "bias": (8,)},
                                           "Dense_1": {"kernel": (8, 8), "bias": (8,)}}
  maxout, _ = build(tiny_config())
  assert maxout.init(jax.random.PRNGKey(0)).params["discriminator"]["body"]["Dense_1"]["kernel"].shape == (8, 16)


def test_batch_norm_discriminator_statistics_are_initialised_and_updated():
  trainer, dataset = build(tiny_config("gan", "digits", **{"model.discriminator_batch_norm": True,
                                                              "data.image_size": 16}))
  mesh = parallel.make_mesh(1)
  state = parallel.put_replicated(trainer.init(jax.random.PRNGKey(0)), mesh)
  before = jax.device_get(state.model_state["discriminator"])
  assert jax.tree.map(jnp.shape, before) == {"batch_stats": {"body": {"BatchNorm_0": {"mean": (8,), "var": (8,)}}}}
  batches = parallel.put_batch({"x": dataset.train["x"][:16][None]}, mesh, leading_axes=1)
  state, metrics = make_train_step(trainer, mesh)(state, batches, np.ones(1, bool))
  after = jax.device_get(state.model_state["discriminator"])["batch_stats"]["body"]["BatchNorm_0"]
  assert np.all(np.isfinite(jax.device_get(metrics["loss/discriminator"])))
  assert not np.allclose(after["mean"], 0.0) and not np.allclose(after["var"], 1.0)


@pytest.mark.parametrize("name, shape", [("sngan_digits", None), ("biggan_digits", None),
                                         ("sngan_cifar10", (32, 32, 3)), ("biggan_cifar10", (32, 32, 3))])
def test_shipped_resnet_gan_configs_build_their_networks(name, shape):
  """The SN-GAN / BigGAN configs validate and build; the CIFAR-10 ones (tfds data not here) on its spec."""
  import importlib  # pylint: disable=import-outside-toplevel
  from gen_jax import data as gdata  # pylint: disable=import-outside-toplevel
  from gen_jax.data.spec import DataSpec  # pylint: disable=import-outside-toplevel
  from gen_jax.train import config_checks, registry  # pylint: disable=import-outside-toplevel
  config = importlib.import_module(f"configs.{name}").get_config()
  config_checks.validate(config)
  spec = (gdata.load(config.data).spec if shape is None else
          DataSpec("cifar10", "images", shape, 10, (-1.0, 1.0), None, None, False))
  trainer = registry.get_model(config.model.name)(config, spec)
  params = jax.eval_shape(trainer.init, jax.random.PRNGKey(0)).params
  assert set(params) == {"generator", "discriminator"}
