"""strided_conv and the conv_general_dilated drop-in equal lax's 'SAME' convolution: outputs, gradients (first
and second order), flax parameters; calls outside their conditions go to lax unchanged."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

from gen_jax.nets import downsampling


def lax_same_conv(x, kernel, stride, padding="SAME"):
  return lax.conv_general_dilated(x, kernel, (stride, stride), padding, dimension_numbers=downsampling.NHWC)


def assert_trees_close(a, b, rtol):
  for u, v in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True):
    np.testing.assert_allclose(u, v, rtol=rtol, atol=rtol * float(jnp.max(jnp.abs(v))))


@pytest.mark.parametrize("size,kernel,stride", [(8, 4, 2), (6, 2, 2), (9, 6, 3), (8, 4, 4), (12, 4, 2)])
def test_outputs_and_gradients_match_lax(size, kernel, stride):
  x = jax.random.normal(jax.random.key(0), (3, size, size + stride, 4))         # H != W
  k = jax.random.normal(jax.random.key(1), (kernel, kernel, 4, 5))
  assert downsampling.applies(x.shape, k.shape, (stride, stride), "SAME", dimension_numbers=downsampling.NHWC)
  np.testing.assert_allclose(downsampling.strided_conv(x, k, stride), lax_same_conv(x, k, stride), rtol=1e-5,
                             atol=1e-5)
  loss = lambda conv: lambda x, k: jnp.sum(jnp.sin(conv(x, k, stride)))
  assert_trees_close(jax.grad(loss(downsampling.strided_conv), (0, 1))(x, k),
                     jax.grad(loss(lax_same_conv), (0, 1))(x, k), 1e-5)


def test_second_order_gradient_of_an_input_gradient_penalty_matches_lax():
  """R1 / gradient-penalty shape: d/dK ||d/dx D(x; K)||^2 through the custom VJP."""
  x = jax.random.normal(jax.random.key(2), (2, 8, 8, 3))
  k = jax.random.normal(jax.random.key(3), (4, 4, 3, 6)) * 0.3

  def penalty(conv):
    d = lambda x, k: jnp.sum(jnp.tanh(conv(x, k, 2)) ** 2)
    return lambda k: jnp.sum(jax.grad(d)(x, k) ** 2)

  assert_trees_close(jax.grad(penalty(downsampling.strided_conv))(k), jax.grad(penalty(lax_same_conv))(k), 1e-4)


def test_flax_drop_in_keeps_parameters_and_matches_nn_conv_under_jit_and_vmap():
  x = jax.random.normal(jax.random.key(4), (2, 16, 16, 3))
  plain = nn.Conv(8, (4, 4), strides=(2, 2), padding="SAME")
  ours = nn.Conv(8, (4, 4), strides=(2, 2), padding="SAME", conv_general_dilated=downsampling.conv_general_dilated)
  params = plain.init(jax.random.key(0), x)
  assert jax.tree.structure(params) == jax.tree.structure(ours.init(jax.random.key(0), x))
  loss = lambda module: jax.jit(lambda p, x: jnp.mean(module.apply(p, x) ** 2))
  assert_trees_close(jax.grad(loss(ours), (0, 1))(params, x), jax.grad(loss(plain), (0, 1))(params, x), 1e-5)
  batched = jax.vmap(lambda x: ours.apply(params, x[None])[0])(x)
  np.testing.assert_allclose(batched, plain.apply(params, x), rtol=1e-5, atol=1e-5)


def test_bfloat16_inputs_stay_bfloat16():
  x, k = jnp.ones((2, 8, 8, 3), jnp.bfloat16), jnp.ones((4, 4, 3, 5), jnp.bfloat16)
  y, vjp = jax.vjp(lambda x, k: downsampling.strided_conv(x, k, 2), x, k)
  assert y.dtype == jnp.bfloat16 and all(g.dtype == jnp.bfloat16 for g in vjp(y))


@pytest.mark.parametrize("x_shape,kernel_shape,strides,padding", [
    ((2, 8, 8, 3), (3, 3, 3, 4), (2, 2), "SAME"),      # k % s != 0
    ((2, 9, 8, 3), (4, 4, 3, 4), (2, 2), "SAME"),      # H % s != 0
    ((2, 8, 8, 3), (4, 4, 3, 4), (1, 1), "SAME"),      # stride 1
    ((2, 8, 8, 3), (4, 4, 3, 4), (2, 2), "VALID"),     # not 'SAME'
    ((2, 8, 8, 3), (4, 4, 3, 4), (2, 1), "SAME"),      # unequal strides
])
def test_calls_outside_the_conditions_go_to_lax(x_shape, kernel_shape, strides, padding):
  x = jax.random.normal(jax.random.key(5), x_shape)
  k = jax.random.normal(jax.random.key(6), kernel_shape)
  assert not downsampling.applies(x.shape, k.shape, strides, padding, dimension_numbers=downsampling.NHWC)
  call = lambda f: f(x, k, strides, padding, dimension_numbers=downsampling.NHWC)
  np.testing.assert_array_equal(call(downsampling.conv_general_dilated), call(lax.conv_general_dilated))


def test_explicit_same_padding_takes_the_fast_path_and_other_pads_do_not():
  assert downsampling.applies((1, 8, 8, 1), (4, 4, 1, 1), (2, 2), [(1, 1), (1, 1)], dimension_numbers=downsampling.NHWC)
  assert not downsampling.applies((1, 8, 8, 1), (4, 4, 1, 1), (2, 2), [(2, 0), (1, 1)],
                                  dimension_numbers=downsampling.NHWC)
  assert not downsampling.applies((1, 8, 8, 1), (4, 4, 1, 1), (2, 2), "SAME", dimension_numbers=None)
