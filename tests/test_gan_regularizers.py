"""Tests for gen_jax.gan.regularizers: clipping, penalties, spectral norm, packing."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from gen_jax import checks
from gen_jax.gan import regularizers


def test_clip_weights_bounds_every_leaf():
  params = {"a": jnp.array([-3.0, 0.005, 2.0]), "b": {"c": jnp.full((2, 2), -0.5)}}
  clipped = regularizers.clip_weights(params, 0.01)
  np.testing.assert_allclose(clipped["a"], [-0.01, 0.005, 0.01])
  np.testing.assert_allclose(clipped["b"]["c"], -0.01)
  traced = jax.jit(regularizers.clip_weights)(params, 0.01)  # a traced bound
  np.testing.assert_allclose(traced["a"], clipped["a"])
  with pytest.raises(ValueError, match="bound: expected a clipping bound > 0, got 0.0"):
    checks.checked(regularizers.clip_weights)(params, 0.0)


def test_interpolates_lie_on_the_segments_with_uniform_weights():
  n = 10_000
  real, fake = jnp.ones((n, 3)), jnp.zeros((n, 3))
  keys = jax.random.split(jax.random.key(0), n)
  x_hat = regularizers.interpolate(real, fake, keys)
  np.testing.assert_allclose(x_hat[:, 0], x_hat[:, 2])            # one eps per example
  assert stats.kstest(np.asarray(x_hat[:, 0]), "uniform").pvalue > 0.01
  with pytest.raises(ValueError, match="real, fake, keys"):
    regularizers.interpolate(real, fake[:5], keys)


@pytest.mark.parametrize("w", [[3.0, 4.0], [0.3, 0.4], [1.0, 0.0]])
def test_gradient_penalty_of_a_linear_critic(w):
  w = jnp.array(w)
  critic = lambda x: x @ w + 0.7  # [B, 2] -> [B]
  key_r, key_f, key_e = jax.random.split(jax.random.key(1), 3)
  real, fake = jax.random.normal(key_r, (16, 2)), jax.random.normal(key_f, (16, 2))
  penalty = regularizers.gradient_penalty(critic, real, fake, jax.random.split(key_e, 16))
  np.testing.assert_allclose(penalty, (np.linalg.norm(w) - 1.0) ** 2, rtol=1e-5, atol=1e-6)


def test_gradient_penalty_of_images_uses_the_norm_over_all_pixels():
  w = jnp.full((4, 4, 1), 0.5)  # ||w|| = 2
  critic = lambda x: jnp.sum(x * w, axis=(1, 2, 3))
  x = jnp.zeros((3, 4, 4, 1))
  penalty = regularizers.gradient_penalty(critic, x, x + 1, jax.random.split(jax.random.key(0), 3))
  np.testing.assert_allclose(penalty, 1.0, rtol=1e-5)


def test_r1_penalty_of_a_quadratic_critic():
  critic = lambda x: 0.5 * jnp.sum(3.0 * x ** 2, axis=1)  # grad = 3x, ||grad||^2 = 9 ||x||^2
  x = jnp.array([[1.0, 2.0], [0.0, 0.0], [-1.0, 1.0]])
  np.testing.assert_allclose(regularizers.r1_penalty(critic, x), [45.0, 0.0, 18.0], rtol=1e-6)


class _SpectralMLP(nn.Module):
  update_stats: bool

  @nn.compact
  def __call__(self, x):
    dense = regularizers.spectral_normalized(nn.Dense, self.update_stats)
    return dense(7)(x)


def test_spectral_norm_drives_the_top_singular_value_to_one():
  model = _SpectralMLP(update_stats=True)
  x = jnp.ones((2, 5))
  variables = model.init(jax.random.key(0), x)
  kernel = 5.0 * jax.random.normal(jax.random.key(3), (5, 7))      # a kernel far from norm 1
  params = jax.tree.map(lambda p: kernel if p.shape == (5, 7) else p, variables["params"])
  stats_ = variables["batch_stats"]
  for _ in range(30):  # power iteration advances once per training call
    _, updated = model.apply({"params": params, "batch_stats": stats_}, x, mutable=["batch_stats"])
    stats_ = updated["batch_stats"]
  sigma = [v for v in jax.tree.leaves(stats_) if v.shape == ()][0]
  np.testing.assert_allclose(sigma, np.linalg.svd(np.asarray(kernel), compute_uv=False)[0], rtol=1e-4)
  # The layer's effective weight W / sigma(W) has top singular value ~1: recover it from the
  # outputs on the identity basis (the bias is zero at init).
  frozen = _SpectralMLP(update_stats=False)
  effective = frozen.apply({"params": params, "batch_stats": stats_}, jnp.eye(5))  # [5, 7]
  np.testing.assert_allclose(np.linalg.svd(np.asarray(effective), compute_uv=False)[0], 1.0, rtol=1e-4)
  with pytest.raises(ValueError, match="n_steps"):
    regularizers.spectral_normalized(nn.Dense, True, n_steps=0)


def test_pack_groups_consecutive_examples_and_unpack_inverts_it():
  x = jnp.arange(12.0).reshape(6, 2)
  packed = regularizers.pack(x, 3)
  np.testing.assert_array_equal(packed, [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]])
  np.testing.assert_array_equal(regularizers.unpack(packed, 3), x)
  images = jnp.arange(4 * 2 * 2 * 3.0).reshape(4, 2, 2, 3)
  packed_images = regularizers.pack(images, 2)                      # [2, 2, 2, 6]
  assert packed_images.shape == (2, 2, 2, 6)
  np.testing.assert_array_equal(packed_images[0, ..., 3:], images[1])
  np.testing.assert_array_equal(regularizers.unpack(packed_images, 2), images)
  with pytest.raises(ValueError, match="m: expected"):
    regularizers.pack(x, 4)
  with pytest.raises(ValueError, match="m: expected"):
    regularizers.unpack(packed, 4)


def test_packing_preserves_the_mixture():
  """Every slot of a pack of mixture samples is still distributed as the mixture (chi-square),
  and packing then unpacking returns the same multiset of samples."""
  n, m, k = 20_000, 4, 8
  key_mode, key_noise = jax.random.split(jax.random.key(2))
  modes = jax.random.randint(key_mode, (n,), 0, k)
  angles = 2 * jnp.pi * modes / k
  x = jnp.stack([jnp.cos(angles), jnp.sin(angles)], 1) + 0.01 * jax.random.normal(key_noise, (n, 2))
  packed = regularizers.pack(x, m)                                   # [n/m, 2m]
  unpacked = np.asarray(regularizers.unpack(packed, m))
  np.testing.assert_array_equal(np.sort(unpacked, axis=0), np.sort(np.asarray(x), axis=0))
  for slot in range(m):
    points = np.asarray(packed[:, 2 * slot:2 * slot + 2])
    assigned = np.round(np.arctan2(points[:, 1], points[:, 0]) / (2 * np.pi / k)).astype(int) % k
    counts = np.bincount(assigned, minlength=k)
    assert stats.chisquare(counts).pvalue > 0.01
  all_counts = np.bincount(np.round(np.arctan2(unpacked[:, 1], unpacked[:, 0]) / (2 * np.pi / k))
                           .astype(int) % k, minlength=k)
  np.testing.assert_array_equal(all_counts, np.bincount(np.asarray(modes), minlength=k))
