"""Tests for gen_jax.gan.losses: hand-computed points and the optimal discriminator."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from scipy import stats

from gen_jax.gan import losses
from tests.helpers.cli import FULL_OPTIMIZATION

REAL = jnp.array([0.0, 2.0, -1.0])
FAKE = jnp.array([0.0, -3.0, 0.5])


def _sig(x):
  return 1.0 / (1.0 + np.exp(-np.asarray(x, np.float64)))


@pytest.mark.parametrize("kind, expected_d, expected_g", [
    ("minimax",
     -np.log(_sig(REAL)) - np.log(1 - _sig(FAKE)), np.log(1 - _sig(FAKE))),
    ("non_saturating",
     -np.log(_sig(REAL)) - np.log(1 - _sig(FAKE)), -np.log(_sig(FAKE))),
    ("least_squares",
     [0.5 * 1 + 0, 0.5 * 1 + 0.5 * 9, 0.5 * 4 + 0.5 * 0.25], [0.5, 0.5 * 16, 0.5 * 0.25]),
    ("wasserstein", [0.0, -5.0, 1.5], [0.0, 3.0, -0.5]),
    ("hinge", [1 + 1, 0 + 0, 2 + 1.5], [0.0, 3.0, -0.5]),
])
def test_losses_at_hand_computed_points(kind, expected_d, expected_g):
  np.testing.assert_allclose(losses.discriminator_loss(REAL, FAKE, kind), expected_d, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(losses.generator_loss(FAKE, kind), expected_g, rtol=1e-5, atol=1e-6)


def test_minimax_at_zero_logits_is_two_log_two():
  # D = 1/2 everywhere: V(D, G) = 2 log(1/2), the value at the global optimum p_g = p_data.
  np.testing.assert_allclose(losses.discriminator_loss(jnp.zeros(4), jnp.zeros(4), "minimax"),
                             2 * np.log(2.0), rtol=1e-6)


def test_bce_losses_are_finite_and_exact_at_extreme_logits():
  big = jnp.array([200.0, -200.0])
  d = losses.discriminator_loss(big, -big, "minimax")
  np.testing.assert_allclose(d, [0.0, 400.0], atol=1e-5)
  np.testing.assert_allclose(losses.generator_loss(big, "non_saturating"), [0.0, 200.0], atol=1e-5)
  np.testing.assert_allclose(losses.generator_loss(big, "minimax"), [-200.0, 0.0], atol=1e-5)
  grads = jax.grad(lambda l: jnp.sum(losses.discriminator_loss(l, -l, "minimax")))(big)
  assert np.all(np.isfinite(grads))


def test_minimax_generator_saturates_and_non_saturating_does_not():
  # When D confidently rejects G(z) (logit -10) the minimax generator's gradient vanishes.
  g_minimax = jax.grad(lambda l: losses.generator_loss(l, "minimax"))(-10.0)
  g_ns = jax.grad(lambda l: losses.generator_loss(l, "non_saturating"))(-10.0)
  assert abs(g_minimax) < 1e-4 and abs(g_ns) > 0.99


def test_unknown_kind_and_shape_mismatch_raise():
  with pytest.raises(ValueError, match=r"kind: expected one of \['minimax', .*\], got 'vanilla'"):
    losses.discriminator_loss(REAL, FAKE, "vanilla")
  with pytest.raises(ValueError, match="objective.loss: expected one of"):
    losses.check_kind("x", field="objective.loss")
  with pytest.raises(ValueError, match="real_logits, fake_logits"):
    losses.discriminator_loss(REAL, FAKE[:2], "hinge")


def test_training_a_discriminator_on_minimax_recovers_the_optimal_discriminator():
  """A free logit per grid cell, trained on the minimax objective over samples, reaches
  D*(x) = p_data(x) / (p_data(x) + p_g(x)) for p_data = N(0, 1), p_g = N(1, 1.5^2)."""
  edges = np.linspace(-3.0, 4.0, 36)
  centres = 0.5 * (edges[1:] + edges[:-1])
  key_real, key_fake = jax.random.split(jax.random.key(0))
  real = jax.random.normal(key_real, (200_000,))
  fake = 1.0 + 1.5 * jax.random.normal(key_fake, (200_000,))
  cell = lambda x: jnp.clip(jnp.searchsorted(jnp.asarray(edges), x) - 1, 0, len(centres) - 1)
  real_cells, fake_cells = cell(real), cell(fake)
  inside = lambda x: (x > edges[0]) & (x < edges[-1])

  def loss(logits):  # the minimax discriminator loss, averaged over the samples inside the grid
    l_real, l_fake = logits[real_cells], logits[fake_cells]
    per_example = losses.discriminator_loss(l_real, l_fake, "minimax")
    return jnp.sum(per_example * inside(real) * inside(fake)) / jnp.sum(inside(real) * inside(fake))

  # Pairs (real_i, fake_i) only count when both are inside: the two terms decouple, so
  # the optimum per cell is still n_real / (n_real + n_fake).
  optimizer = optax.adam(0.1)
  logits = jnp.zeros(len(centres))
  opt_state = optimizer.init(logits)

  @functools.partial(jax.jit, compiler_options=FULL_OPTIMIZATION)  # 1,500 steps over 200,000 samples
  def step(logits, opt_state):
    grads = jax.grad(loss)(logits)
    updates, opt_state = optimizer.update(grads, opt_state)
    return optax.apply_updates(logits, updates), opt_state

  for _ in range(1500):
    logits, opt_state = step(logits, opt_state)
  p_data = stats.norm.pdf(centres)
  p_g = stats.norm.pdf(centres, 1.0, 1.5)
  d_star = p_data / (p_data + p_g)
  np.testing.assert_allclose(jax.nn.sigmoid(logits), d_star, atol=0.05)
