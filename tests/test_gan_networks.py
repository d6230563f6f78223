"""Tests for the GAN networks: DCGAN shapes, maxout and LeakyReLU MLPs, conditioning and the Q head."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gen_jax.gan.networks import CriticMLP, Discriminator, Generator
from gen_jax.nets.dcgan import DCGANEncoder, DCGANGenerator, upsampling_plan
from gen_jax.nets.upsampling import SubpixelConvTranspose


@pytest.mark.parametrize("size, plan", [(8, (4, 1)), (16, (4, 2)), (28, (7, 2)), (32, (4, 3)), (64, (4, 4)),
                                        (12, (3, 2))])
def test_upsampling_plan(size, plan):
  assert upsampling_plan(size) == plan


@pytest.mark.parametrize("size", [7, 9, 4, 0])
def test_upsampling_plan_rejects_sizes_without_a_split(size):
  with pytest.raises(ValueError, match="size"):
    upsampling_plan(size)


@pytest.mark.parametrize("shape, output", [((8, 8, 1), "tanh"), ((16, 16, 3), "sigmoid"), ((28, 28, 1), "none")])
def test_dcgan_generator_and_encoder_shapes(shape, output):
  generator = DCGANGenerator(shape, features=4, output=output)
  z = jax.random.normal(jax.random.key(0), (3, 5))
  variables = generator.init(jax.random.key(1), z, train=False)
  images, _ = generator.apply(variables, z, train=True, mutable=["batch_stats"])
  assert images.shape == (3, *shape)
  if output == "tanh":
    assert float(jnp.max(jnp.abs(images))) <= 1.0
  if output == "sigmoid":
    assert float(jnp.min(images)) >= 0.0 and float(jnp.max(images)) <= 1.0
  encoder = DCGANEncoder(features=4)
  features = encoder.apply(encoder.init(jax.random.key(2), images), images)
  start, ups = upsampling_plan(shape[0])
  assert features.shape == (3, start * start * 4 * 2 ** (ups - 1))


def _shapes(tree):
  return jax.tree.map(lambda a: a.shape, tree)


def test_dcgan32_generator_is_the_canonical_dcgan():
  """z 100 -> 256x4x4 -> 128x8x8 -> 64x16x16 (BatchNorm + ReLU) -> 1x32x32 (no BatchNorm), tanh."""
  generator = DCGANGenerator((32, 32, 1), features=64)
  z = jax.random.normal(jax.random.key(0), (2, 100))
  variables = generator.init(jax.random.key(1), z, train=False)
  is_layer = lambda module, _: isinstance(module, (nn.BatchNorm, SubpixelConvTranspose))
  images, state = generator.apply(variables, z, train=True, mutable=["batch_stats", "intermediates"],
                                  capture_intermediates=is_layer)
  outputs = state["intermediates"]
  normalized = [outputs[f"BatchNorm_{i}"]["__call__"][0].shape[1:] for i in range(3)]
  assert normalized == [(4, 4, 256), (8, 8, 128), (16, 16, 64)]
  assert outputs["SubpixelConvTranspose_2"]["__call__"][0].shape[1:] == (32, 32, 1)
  params = _shapes(variables["params"])
  assert set(params) == {"Dense_0", "BatchNorm_0", "BatchNorm_1", "BatchNorm_2", "SubpixelConvTranspose_0",
                         "SubpixelConvTranspose_1", "SubpixelConvTranspose_2"}
  assert params["Dense_0"]["kernel"] == (100, 4 * 4 * 256)
  assert [params[f"SubpixelConvTranspose_{i}"]["kernel"] for i in range(3)] == [
      (4, 4, 256, 128), (4, 4, 128, 64), (4, 4, 64, 1)]
  assert images.shape == (2, 32, 32, 1)


def test_dcgan_encoder_batch_norm_skips_the_first_convolution():
  encoder = DCGANEncoder(features=8, batch_norm=True)
  x = jax.random.normal(jax.random.key(0), (5, 32, 32, 1))
  variables = encoder.init(jax.random.key(1), x, train=False)
  assert _shapes(variables["batch_stats"]) == {f"BatchNorm_{i}": {"mean": (w,), "var": (w,)}
                                               for i, w in enumerate((16, 32))}
  assert _shapes(variables["params"])["Conv_0"]["kernel"] == (4, 4, 1, 8)
  features, updated = encoder.apply(variables, x, train=True, mutable=["batch_stats"])
  assert features.shape == (5, 4 * 4 * 32)
  assert not np.allclose(updated["batch_stats"]["BatchNorm_1"]["mean"], 0.0)
  assert encoder.apply(variables, x, train=False).shape == (5, 4 * 4 * 32)
  assert "batch_stats" not in DCGANEncoder(features=8).init(jax.random.key(1), x)


def test_dcgan_generator_rejects_bad_attributes():
  z = jnp.zeros((1, 2))
  with pytest.raises(ValueError, match="image_shape"):
    DCGANGenerator((8, 16, 1)).init(jax.random.key(0), z, train=False)
  with pytest.raises(ValueError, match="output"):
    DCGANGenerator((8, 8, 1), output="relu").init(jax.random.key(0), z, train=False)


def test_maxout_takes_the_max_over_pieces():
  model = CriticMLP(hidden=(3,), unit="maxout", pieces=2)
  x = jax.random.normal(jax.random.key(0), (4, 5))
  params = model.init(jax.random.key(1), x)
  kernel, bias = params["params"]["Dense_0"]["kernel"], params["params"]["Dense_0"]["bias"]
  linear = (x @ kernel + bias).reshape(4, 3, 2)
  np.testing.assert_allclose(model.apply(params, x), linear.max(-1), rtol=1e-6)


def test_leaky_relu_mlp_is_dense_then_leaky_relu_per_layer():
  model = CriticMLP(hidden=(3, 4), unit="leaky_relu")
  x = jax.random.normal(jax.random.key(0), (6, 2))
  params = model.init(jax.random.key(1), x)
  p = params["params"]
  assert _shapes(p) == {"Dense_0": {"kernel": (2, 3), "bias": (3,)}, "Dense_1": {"kernel": (3, 4), "bias": (4,)}}
  lrelu = lambda a: np.where(a > 0, a, 0.2 * a)
  h = lrelu(x @ p["Dense_0"]["kernel"] + p["Dense_0"]["bias"])
  np.testing.assert_allclose(model.apply(params, x), lrelu(h @ p["Dense_1"]["kernel"] + p["Dense_1"]["bias"]),
                             rtol=1e-5, atol=1e-6)


class _Identity(nn.Module):
  @nn.compact
  def __call__(self, x, train=True):
    del train
    return x


def test_generator_appends_one_hot_labels():
  generator = Generator(_Identity(), num_classes=3)
  out = generator.apply({}, jnp.zeros((2, 1)), jnp.array([2, 0]))
  np.testing.assert_array_equal(out, [[0, 0, 0, 1], [0, 1, 0, 0]])


def test_projection_discriminator_adds_the_label_embedding_term_and_q_head():
  d = Discriminator(_Identity(), num_classes=4, num_codes=5)
  x = jax.random.normal(jax.random.key(0), (3, 6))
  labels = jnp.array([0, 3, 1])
  variables = d.init(jax.random.key(1), x, labels)
  logits, q = d.apply(variables, x, labels)
  p = variables["params"]
  expected = x @ p["Dense_0"]["kernel"][:, 0] + p["Dense_0"]["bias"][0] + jnp.sum(p["Embed_0"]["embedding"][labels] * x, -1)
  np.testing.assert_allclose(logits, expected, rtol=1e-5, atol=1e-6)
  assert q.shape == (3, 5) and logits.dtype == jnp.float32
  plain_logits, plain_q = Discriminator(_Identity()).apply({"params": {"Dense_0": p["Dense_0"]}}, x)
  assert plain_q is None and plain_logits.shape == (3,)


def test_refined_dcgan_generator_adds_a_full_size_layer_and_a_3x3_conv():
  z = jnp.zeros((2, 16))
  canonical = _shapes(DCGANGenerator((8, 8, 1), features=8).init(jax.random.key(0), z, train=False)["params"])
  refined = _shapes(DCGANGenerator((8, 8, 1), features=8, refine=True).init(jax.random.key(0), z,
                                                                            train=False)["params"])
  assert canonical["Dense_0"]["kernel"] == refined["Dense_0"]["kernel"] == (16, 4 * 4 * 8)
  assert canonical["SubpixelConvTranspose_0"]["kernel"] == (4, 4, 8, 1) and "Conv_0" not in canonical
  assert refined["SubpixelConvTranspose_0"]["kernel"] == (4, 4, 8, 8) and refined["Conv_0"]["kernel"] == (3, 3, 8, 1)
  out = DCGANGenerator((8, 8, 1), features=8, refine=True)
  variables = out.init(jax.random.key(0), z, train=False)
  assert out.apply(variables, z, train=False).shape == (2, 8, 8, 1)


def test_critic_mlp_rejects_an_unknown_unit():
  with pytest.raises(ValueError, match=r"unit: expected one of \('maxout', 'leaky_relu'\), got 'relu'"):
    CriticMLP(hidden=(3,), unit="relu").init(jax.random.key(0), jnp.zeros((2, 2)))


@pytest.mark.parametrize("size", [8, 32])
def test_resnet_generator_and_discriminator_shapes(size):
  from gen_jax.nets.resnet_gan import ResNetDiscriminatorBody, ResNetGenerator
  generator = ResNetGenerator((size, size, 3), features=4)
  z = jax.random.normal(jax.random.key(0), (2, 5))
  variables = generator.init(jax.random.key(1), z)
  images, _ = generator.apply(variables, z, mutable=["batch_stats"])
  assert images.shape == (2, size, size, 3) and float(jnp.max(jnp.abs(images))) <= 1.0
  body = ResNetDiscriminatorBody(features=4)
  features = body.apply(body.init(jax.random.key(2), images), images)
  assert features.shape == (2, 8)


def test_resnet_blocks_shortcuts():
  """An up-block with zero residual convolutions is conv1x1(up(x)); the last down-block (no downsampling,
  equal widths) has an identity shortcut."""
  from gen_jax.nets.resnet_gan import DownBlock, UpBlock, upsample_nearest
  x = jax.random.normal(jax.random.key(0), (2, 4, 4, 3))
  up = UpBlock(5)
  variables = up.init(jax.random.key(1), x)
  params = jax.tree.map(lambda v: v, variables["params"])
  for name in ("Conv_0", "Conv_1"):
    params[name] = jax.tree.map(jnp.zeros_like, params[name])
  out, _ = up.apply({**variables, "params": params}, x, mutable=["batch_stats"])
  shortcut = params["Conv_2"]
  expected = upsample_nearest(x) @ shortcut["kernel"][0, 0] + shortcut["bias"]
  np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
  last = DownBlock(3, downsample=False)
  last_params = last.init(jax.random.key(2), x)["params"]
  assert set(last_params) == {"Conv_0", "Conv_1"}                                   # no shortcut conv
  zeroed = jax.tree.map(jnp.zeros_like, last_params)
  np.testing.assert_allclose(last.apply({"params": zeroed}, x), x)
