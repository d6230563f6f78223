"""The PyTorch eager twins of the training workloads (skipped when torch is not installed)."""

import importlib.util
import json
import os

import jax
import numpy as np
import pytest

from gen_jax import data as gdata
from gen_jax.bench import training
from gen_jax.train import registry

torch = pytest.importorskip("torch")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = importlib.util.spec_from_file_location("benchmark_torch", os.path.join(REPO, "scripts", "benchmark_torch.py"))
benchmark_torch = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(benchmark_torch)


@pytest.mark.parametrize("name", benchmark_torch.WORKLOADS)
def test_torch_record_has_the_benchmark_fields(name):
  record, step = benchmark_torch.measure(name, 1, 1, 1, "fused")
  json.dumps(record)
  assert record["workload"] == name and record["implementation"] == "torch" and record["threads"] == 1
  for key in ("batch", "steps", "seconds", "steps_per_sec", "flops_per_step", "achieved_flops", "peak_flops", "mfu"):
    assert record[key] > 0, key


def test_torch_profile_records_cover_the_step():
  record, step = benchmark_torch.measure("vae_mlp", 1, 1, 1, "fused")
  records = benchmark_torch.profile_records("vae_mlp", step, steps=2, top=3)
  categories = {r["name"]: r for r in records if r["profile"] == "category"}
  assert sum(r["share"] for r in categories.values()) == pytest.approx(1.0)
  assert categories["matmul"]["share"] > 0.1 and "optimizer" in categories
  assert len([r for r in records if r["profile"] == "op"]) == 3


@pytest.mark.parametrize("name, category", [("aten::addmm", "matmul"), ("aten::mm", "matmul"),
                                            ("aten::convolution_backward", "convolution"),
                                            ("aten::_fused_adam_", "optimizer"), ("aten::relu", "elementwise")])
def test_torch_op_category(name, category):
  assert benchmark_torch.torch_op_category(name) == category


def test_networks_have_the_gen_jax_shapes():
  assert benchmark_torch.dcgan_generator()(torch.zeros(2, 100)).shape == (2, 1, 32, 32)
  assert benchmark_torch.dcgan_discriminator()(torch.zeros(2, 1, 32, 32)).shape == (2, 1)
  assert benchmark_torch.mlp_discriminator()(torch.zeros(3, 2)).shape == (3, 1)
  assert benchmark_torch.mlp_generator()(torch.zeros(3, 2)).shape == (3, 2)
  n_params = lambda m: sum(p.numel() for p in m.parameters())
  assert n_params(benchmark_torch.VAE()) == 784 * 400 + 400 + 400 * 40 + 40 + 20 * 400 + 400 + 400 * 784 + 784


def _gen_jax_parameter_counts(name: str) -> dict[str, int]:
  """Parameters per network of the gen_jax model that workload `name` trains."""
  config = training.workload_config(name)
  trainer = registry.get_model(config.model.name)(config, gdata.load(config.data).spec)
  params = jax.eval_shape(trainer.init, jax.random.PRNGKey(0)).params
  return {net: sum(int(np.prod(leaf.shape)) for leaf in jax.tree.leaves(tree)) for net, tree in params.items()}


TWINS = {"gan2d_mlp": (benchmark_torch.mlp_generator, benchmark_torch.mlp_discriminator),
         "dcgan32": (benchmark_torch.dcgan_generator, benchmark_torch.dcgan_discriminator)}


@pytest.mark.parametrize("name", sorted(TWINS))
def test_twins_have_the_gen_jax_parameter_counts(name):
  n_params = lambda m: sum(p.numel() for p in m.parameters())
  generator, discriminator = (make() for make in TWINS[name])
  assert _gen_jax_parameter_counts(name) == {"generator": n_params(generator), "discriminator": n_params(discriminator)}


def test_dcgan_twins_are_the_canonical_networks():
  """G: 256x4x4 -> 128x8x8 -> 64x16x16 (BN, ReLU) -> 1x32x32; D: BN after its second and third convs."""
  generator, discriminator = benchmark_torch.dcgan_generator(), benchmark_torch.dcgan_discriminator()
  assert [m.num_features for m in generator if isinstance(m, torch.nn.BatchNorm2d)] == [256, 128, 64]
  assert [m.out_channels for m in generator if isinstance(m, torch.nn.ConvTranspose2d)] == [128, 64, 1]
  assert [type(m).__name__ for m in discriminator] == [
      "Conv2d", "LeakyReLU", "Conv2d", "BatchNorm2d", "LeakyReLU", "Conv2d", "BatchNorm2d", "LeakyReLU", "Conv2d",
      "Flatten"]


def test_generator_step_leaves_the_discriminator_trainable_and_updates_both():
  generator, discriminator = benchmark_torch.mlp_generator(), benchmark_torch.mlp_discriminator()
  before = [p.detach().clone() for p in (*generator.parameters(), *discriminator.parameters())]
  step, batch = benchmark_torch.gan_setup(generator, discriminator, torch.randn(8, 2), 2, "loop")
  step()
  after = list(generator.parameters()) + list(discriminator.parameters())
  assert batch == 8 and all(p.requires_grad for p in after)
  assert all(not torch.equal(a, b) for a, b in zip(before, after))


def test_bad_arguments_exit_with_usage():
  with pytest.raises(SystemExit):
    benchmark_torch.parse_args(["--workload", "vae_mlp", "--steps", "0"])
  with pytest.raises(SystemExit):
    benchmark_torch.parse_args(["--workload", "nope"])
