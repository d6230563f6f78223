"""The GAN table's building blocks (ProGAN, StyleGAN2, BigGAN, DiffAugment): hand-computed values and the
invariances their docstrings promise."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gen_jax.gan import augment, latents, regularizers
from gen_jax.nets import conditional_norm, equalized, style


def test_equalized_dense_scales_unit_weights_by_he_constant_at_run_time():
  layer = equalized.EqualizedDense(3, lr_multiplier=0.01, bias_init=1.0)
  x = jax.random.normal(jax.random.key(0), (5, 8))
  params = layer.init(jax.random.key(1), x)["params"]
  assert abs(float(jnp.std(params["kernel"])) * 0.01 - 1.0) < 0.3        # stored ~ N(0, 1) / lr_multiplier
  expected = x @ (params["kernel"] * 0.01 * math.sqrt(2.0) / math.sqrt(8)) + 0.01 * params["bias"]
  np.testing.assert_allclose(layer.apply({"params": params}, x), expected, rtol=1e-5)
  np.testing.assert_allclose(0.01 * params["bias"], 1.0)                 # the effective bias starts at 1


def test_equalized_conv_is_a_conv_with_the_scaled_kernel():
  layer = equalized.EqualizedConv(4, (3, 3), gain=1.0)
  x = jax.random.normal(jax.random.key(0), (2, 5, 5, 3))
  params = layer.init(jax.random.key(1), x)["params"]
  expected = jax.lax.conv_general_dilated(x, params["kernel"] / math.sqrt(27), (1, 1), "SAME",
                                          dimension_numbers=("NHWC", "HWIO", "NHWC"))
  np.testing.assert_allclose(layer.apply({"params": params}, x), expected, rtol=1e-5, atol=1e-6)


def test_pixel_norm_gives_unit_rms_per_pixel():
  x = 5.0 * jax.random.normal(jax.random.key(0), (2, 3, 3, 8))
  np.testing.assert_allclose(jnp.mean(equalized.pixel_norm(x) ** 2, axis=-1), 1.0, rtol=1e-5)


def test_minibatch_stddev_is_the_groups_mean_std():
  x = jax.random.normal(jax.random.key(0), (8, 2, 2, 3))
  out = equalized.minibatch_stddev(x, group_size=4, eps=0.0)
  assert out.shape == (8, 2, 2, 4)
  np.testing.assert_allclose(out[..., :3], x)
  for g in range(2):
    expected = np.mean(np.std(np.asarray(x[4 * g:4 * g + 4]), axis=0))
    np.testing.assert_allclose(out[4 * g:4 * g + 4, :, :, 3], expected, rtol=1e-5)
  with pytest.raises(ValueError, match="x: expected a batch divisible by group_size=4, got 6"):
    equalized.minibatch_stddev(jnp.zeros((6, 2, 2, 1)), 4)


def test_fade_in_schedule():
  assert [float(equalized.fade_alpha(s, 100, 50)) for s in (0, 100, 125, 150, 400)] == [0.0, 0.0, 0.5, 1.0, 1.0]
  np.testing.assert_allclose(equalized.fade_in(0.0, jnp.ones(2), jnp.zeros(2)), 1.0)


def test_modulated_conv_without_demodulation_is_the_per_example_scaled_kernel():
  x = jax.random.normal(jax.random.key(0), (2, 4, 4, 3))
  kernel = jax.random.normal(jax.random.key(1), (3, 3, 3, 5))
  s = jnp.array([[1.0, 2.0, 0.5], [0.1, 1.0, 3.0]])
  y = style.modulated_conv(x, kernel, s, demodulate=False)
  for b in range(2):  # conv of x_b with w'_ijk = s_i w_ijk
    expected = jax.lax.conv_general_dilated(x[b:b + 1], kernel * s[b][None, None, :, None], (1, 1), "SAME",
                                            dimension_numbers=("NHWC", "HWIO", "NHWC"))
    np.testing.assert_allclose(y[b:b + 1], expected, rtol=1e-4, atol=1e-5)


def test_demodulation_gives_unit_output_variance_for_unit_input_whatever_the_style():
  x = jax.random.normal(jax.random.key(0), (512, 6, 6, 8))
  kernel = jax.random.normal(jax.random.key(1), (3, 3, 8, 4))
  s = jnp.exp(jax.random.normal(jax.random.key(2), (512, 8)))             # styles of very different scales
  y = style.modulated_conv(x, kernel, s)[:, 1:-1, 1:-1]                  # interior: every tap sees data
  np.testing.assert_allclose(jnp.var(y, axis=(0, 1, 2)), 1.0, atol=0.06)


def test_styled_conv_and_mapping_network_shapes_and_noise():
  w = style.MappingNetwork(width=16, depth=2)
  z = jax.random.normal(jax.random.key(0), (3, 8))
  w_params = w.init(jax.random.key(1), z)
  ws = w.apply(w_params, z)
  assert ws.shape == (3, 16)
  layer = style.StyledConv(6)
  x = jnp.ones((3, 4, 4, 5))
  params = layer.init({"params": jax.random.key(2), "noise": jax.random.key(3)}, x, ws)
  quiet = layer.apply(params, x, ws, deterministic=True)
  assert quiet.shape == (3, 4, 4, 6)
  # noise strength starts at 0; with strength 1 a fixed noise map shifts every channel's pre-activation
  loud = jax.tree.map(lambda v: v, params)
  loud["params"]["noise_strength"] = jnp.array(1.0)
  noisy = layer.apply(loud, x, ws, noise=jnp.ones((3, 4, 4, 1)))
  assert not np.allclose(noisy, quiet)
  np.testing.assert_allclose(layer.apply(params, x, ws, noise=jnp.ones((3, 4, 4, 1))), quiet, rtol=1e-6)


def test_style_mixing_switches_at_the_crossover():
  mixed = style.mix_styles(jnp.zeros((2, 3)), jnp.ones((2, 3)), jnp.array([0, 2]), 4)
  assert mixed[0, :, 0].tolist() == [1.0, 1.0, 1.0, 1.0] and mixed[1, :, 0].tolist() == [0.0, 0.0, 1.0, 1.0]
  crossover = style.mixing_crossover(jax.random.key(0), 1000, 4, 0.9)
  assert set(np.unique(crossover).tolist()) == {1, 2, 3, 4}
  assert 0.05 < float(jnp.mean(crossover == 4)) < 0.15


def test_truncation_tricks():
  w, w_mean = jax.random.normal(jax.random.key(0), (4, 3)), jnp.array([1.0, -1.0, 0.5])
  np.testing.assert_allclose(latents.truncate_toward_mean(w, w_mean, 0.0), jnp.broadcast_to(w_mean, (4, 3)))
  np.testing.assert_allclose(latents.truncate_toward_mean(w, w_mean, 1.0), w, rtol=1e-6)
  mean = jnp.zeros(3)
  for _ in range(400):
    mean = latents.update_mean(mean, w_mean + jnp.zeros((2, 3)), 0.98)
  np.testing.assert_allclose(mean, w_mean, atol=1e-3)
  z = latents.truncated_normal_latent(jax.random.key(1), (20000,), 1.0)
  assert float(jnp.max(jnp.abs(z))) <= 1.0
  # the variance of N(0, 1) truncated to [-1, 1]: 1 - 2 phi(1) / (2 Phi(1) - 1) = 0.2911
  assert abs(float(jnp.var(z)) - 0.2911) < 0.01
  with pytest.raises(ValueError, match="z: expected a latent width divisible by num_chunks=4, got 6"):
    latents.split_latent(jnp.zeros((1, 6)), 4)


def test_orthogonal_penalty_is_zero_for_orthogonal_kernels_and_ignores_biases():
  q, _ = jnp.linalg.qr(jax.random.normal(jax.random.key(0), (6, 6)))
  conv = q[:, :4].reshape(1, 2, 3, 4)                                      # orthonormal columns, conv-shaped
  assert abs(float(regularizers.orthogonal_penalty({"k": conv, "b": jnp.ones(4)}))) < 1e-10
  scaled = {"k": 3.0 * q}                                                 # norms are not penalized
  assert abs(float(regularizers.orthogonal_penalty(scaled, beta=1.0))) < 1e-6
  w = jnp.array([[1.0, 2.0], [0.0, 1.0]])                                 # W^T W off-diagonal: 2 (twice)
  assert float(regularizers.orthogonal_penalty({"w": w}, beta=0.5)) == 4.0


def test_path_length_penalty_for_a_linear_generator():
  a = jax.random.normal(jax.random.key(0), (3, 4))                        # g(w) = w A as a 2x2 image
  synthesis = lambda w: (w @ a).reshape(-1, 2, 2, 1)
  w, key = jax.random.normal(jax.random.key(1), (5, 3)), jax.random.key(2)
  penalty, new_mean = regularizers.path_length_penalty(synthesis, w, key, 1.0, 0.5)
  y = jax.random.normal(key, (5, 2, 2, 1)) / 2.0                          # what the function draws
  lengths = jnp.linalg.norm(y.reshape(5, 4) @ a.T, axis=1)                # ||J^T y|| = ||A y||
  np.testing.assert_allclose(new_mean, 1.0 + 0.5 * (jnp.mean(lengths) - 1.0), rtol=1e-5)
  np.testing.assert_allclose(penalty, (lengths - new_mean) ** 2, rtol=1e-4)


def test_lazy_penalty_costs_nothing_between_intervals():
  calls = []
  penalty = lambda: (calls.append(1), jnp.array(3.0))[1]
  assert float(regularizers.lazy_penalty(5, 4, penalty)) == 0.0
  assert float(regularizers.lazy_penalty(8, 4, penalty)) == 12.0
  with pytest.raises(ValueError, match="interval"):
    regularizers.lazy_penalty(0, 0, penalty)


def test_conditional_batch_norm_starts_as_batch_norm_and_conditions_per_example():
  x = jax.random.normal(jax.random.key(0), (4, 3, 3, 2)) * 3 + 1
  c = jax.random.normal(jax.random.key(1), (4, 5))
  layer = conditional_norm.ConditionalBatchNorm()
  variables = layer.init(jax.random.key(2), x, c)
  out, _ = layer.apply(variables, x, c, mutable=["batch_stats"])
  mean, var = jnp.mean(x, axis=(0, 1, 2)), jnp.var(x, axis=(0, 1, 2))
  np.testing.assert_allclose(out, (x - mean) / jnp.sqrt(var + 1e-5), rtol=1e-4, atol=1e-5)
  params = jax.tree.map(lambda v: v, variables["params"])
  params["gain"]["bias"] = jnp.array([1.0, 0.0])                          # gamma = 1 on channel 0: doubled
  doubled, _ = layer.apply({**variables, "params": params}, x, c, mutable=["batch_stats"])
  np.testing.assert_allclose(doubled[..., 0], 2 * out[..., 0], rtol=1e-5)


def test_diff_augment_is_per_example_differentiable_and_checks_the_policy():
  x = jax.random.uniform(jax.random.key(0), (4, 8, 8, 3), minval=-1, maxval=1)
  keys = jax.random.split(jax.random.key(1), 4)
  y = augment.diff_augment(x, keys)
  assert y.shape == x.shape
  np.testing.assert_array_equal(y, augment.diff_augment(x, keys))          # a function of (x, keys)
  again = augment.diff_augment(x, keys.at[1].set(jax.random.key(9)))
  assert [bool(np.array_equal(y[i], again[i])) for i in range(4)] == [True, False, True, True]
  grad = jax.grad(lambda v: jnp.sum(augment.diff_augment(v, keys) ** 2))(x)
  assert np.all(np.isfinite(grad)) and np.any(grad != 0)
  with pytest.raises(ValueError, match="policy: expected one of"):
    augment.diff_augment(x, keys, policy=("rotate",))


def test_translation_moves_the_image_with_zero_padding():
  x = jnp.zeros((64, 8, 8, 1)).at[:, 3, 4, 0].set(1.0)
  y = augment.diff_augment(x, jax.random.split(jax.random.key(0), 64), policy=("translation",))
  rows, cols = np.nonzero(np.asarray(y[..., 0]).sum(axis=0))
  assert np.asarray(y).sum() == 64                                         # the dot never leaves the image
  assert set(rows.tolist()) == {2, 3, 4} and set(cols.tolist()) == {3, 4, 5}  # shifts of at most round(8 / 8)


def test_cutout_cuts_one_square_of_half_the_side():
  y = augment.diff_augment(jnp.ones((64, 8, 8, 1)), jax.random.split(jax.random.key(0), 64), policy=("cutout",))
  cut = np.asarray(y[..., 0] == 0)
  assert cut.sum(axis=(1, 2)).max() == 16 and cut.sum(axis=(1, 2)).min() >= 4
  for image in cut:                                                        # each cut is one rectangle
    rows, cols = np.nonzero(image.any(axis=1))[0], np.nonzero(image.any(axis=0))[0]
    assert image.sum() == len(rows) * len(cols) and np.all(np.diff(rows) == 1) and np.all(np.diff(cols) == 1)


def test_color_changes_brightness_saturation_and_contrast_only():
  x = jnp.full((2, 4, 4, 3), 0.25)                                         # flat grey: only brightness acts
  y = augment.diff_augment(x, jax.random.split(jax.random.key(0), 2), policy=("color",))
  for image in np.asarray(y):
    np.testing.assert_allclose(image, image[0, 0, 0], rtol=1e-6)
    assert -0.5 - 1e-6 <= image[0, 0, 0] - 0.25 <= 0.5 + 1e-6                # brightness: + U(-1/2, 1/2)
