"""SubpixelConvTranspose equals flax's ConvTranspose(padding='SAME'): parameters, outputs and gradients."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gen_jax.nets import upsampling
from gen_jax.nets.upsampling import SubpixelConvTranspose, phase_taps, subpixel_conv_transpose


@pytest.mark.parametrize("kernel,stride", [(4, 2), (2, 2), (6, 3), (3, 1)])
def test_matches_flax_conv_transpose_outputs_and_gradients(kernel, stride):
  x = jax.random.normal(jax.random.key(1), (3, 5, 4, 6))                   # [B, H, W, C]
  reference = nn.ConvTranspose(7, (kernel, kernel), strides=(stride, stride), padding="SAME")
  ours = SubpixelConvTranspose(7, (kernel, kernel), (stride, stride))
  params = reference.init(jax.random.key(0), x)
  assert jax.tree.structure(params) == jax.tree.structure(ours.init(jax.random.key(0), x))
  np.testing.assert_allclose(ours.apply(params, x), reference.apply(params, x), atol=1e-5)
  assert ours.apply(params, x).shape == (3, 5 * stride, 4 * stride, 7)
  loss = lambda module: lambda p, x: jnp.sum(jnp.sin(module.apply(p, x)))
  for g_ours, g_ref in zip(jax.tree.leaves(jax.grad(loss(ours), argnums=(0, 1))(params, x)),
                           jax.tree.leaves(jax.grad(loss(reference), argnums=(0, 1))(params, x))):
    np.testing.assert_allclose(g_ours, g_ref, atol=1e-4)


@pytest.mark.parametrize("kernel,stride", [(4, 2), (2, 2), (6, 3), (3, 1)])
@pytest.mark.parametrize("merged", [False, True])
def test_both_forms_match_lax_conv_transpose_and_its_gradients(kernel, stride, merged):
  x = jax.random.normal(jax.random.key(1), (2, 4, 5, 3))
  weights = jax.random.normal(jax.random.key(2), (kernel, kernel, 3, 2))
  reference = lambda x, w: jax.lax.conv_transpose(x, w, (stride, stride), "SAME")
  ours = lambda x, w: subpixel_conv_transpose(x, w, stride, merged=merged)
  np.testing.assert_allclose(ours(x, weights), reference(x, weights), atol=1e-5)
  loss = lambda f: lambda x, w: jnp.sum(jnp.sin(f(x, w)))
  for g_ours, g_ref in zip(jax.grad(loss(ours), argnums=(0, 1))(x, weights),
                           jax.grad(loss(reference), argnums=(0, 1))(x, weights)):
    np.testing.assert_allclose(g_ours, g_ref, atol=1e-4)


def test_few_output_channels_take_the_merged_form():
  """F <= MERGED_MAX_FEATURES: one convolution (s^2 F outputs); more channels: s^2 phase convolutions."""
  x = jnp.ones((1, 4, 4, 8))
  count = lambda f: str(jax.make_jaxpr(lambda x, w: subpixel_conv_transpose(x, w, 2))(
      x, jnp.ones((4, 4, 8, f)))).count("conv_general_dilated")
  assert count(upsampling.MERGED_MAX_FEATURES) == 1
  assert count(upsampling.MERGED_MAX_FEATURES + 1) == 4


def test_kernel_gradient_has_no_scatter():
  """The phases' taps are strided slices of the kernel: their gradient pads, it does not scatter-add."""
  grad = jax.grad(lambda w: jnp.sum(subpixel_conv_transpose(jnp.ones((1, 4, 4, 8)), w, 2)))
  for features in (1, 16):
    jaxpr = str(jax.make_jaxpr(grad)(jnp.ones((4, 4, 8, features))))
    assert "scatter" not in jaxpr and "gather" not in jaxpr


def test_phase_taps_of_the_dcgan_kernel():
  # k = 4, s = 2: y[2m] = x[m-1] K[0] + x[m] K[2], y[2m+1] = x[m] K[1] + x[m+1] K[3].
  assert phase_taps(4, 2, 0) == ([0, 2], -1)
  assert phase_taps(4, 2, 1) == ([1, 3], 0)


def test_bfloat16_compute_keeps_float32_params():
  x = jnp.ones((2, 4, 4, 3))
  module = SubpixelConvTranspose(5, (4, 4), (2, 2), dtype=jnp.bfloat16)
  params = module.init(jax.random.key(0), x)
  assert all(p.dtype == jnp.float32 for p in jax.tree.leaves(params))
  assert module.apply(params, x).dtype == jnp.bfloat16


def test_bad_kernel_or_strides_are_named():
  x = jnp.ones((1, 4, 4, 2))
  with pytest.raises(ValueError, match="kernel"):
    subpixel_conv_transpose(x, jnp.ones((3, 3, 2, 1)), 2)
  with pytest.raises(ValueError, match="strides"):
    SubpixelConvTranspose(1, (4, 4), (2, 1)).init(jax.random.key(0), x)
