"""Tests for gen_jax.gan.metropolis (MH-GAN's independence sampler), the categorical latent and the
generator's per-category offsets."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from gen_jax.gan import metropolis
from gen_jax.gan.latents import categorical_latent, offsets_from_points
from gen_jax.gan.networks import Generator
from gen_jax.nets.mlp import MLP
from gen_jax.train import parallel
from gen_jax.train.train_step import make_train_step
from tests.helpers.gan import build, tiny_config

DATA_MEAN, DATA_STD = 1.0, 0.5  # p_data = N(1, 0.5^2); the proposal p_g = N(0, 1)


def _log_ratio(x):
  """The exact log p_data(x) / p_g(x) for p_data = N(1, 0.5^2), p_g = N(0, 1)."""
  return -0.5 * ((x - DATA_MEAN) / DATA_STD) ** 2 - math.log(DATA_STD) + 0.5 * x ** 2


def test_acceptance_probability_at_hand_computed_points():
  log_alpha = metropolis.acceptance_log_probability(jnp.array([1.0, 1.0, -2.0]), jnp.array([0.0, 3.0, -2.5]))
  np.testing.assert_allclose(log_alpha, [-1.0, 0.0, -0.5], rtol=1e-6)
  # x = 1 -> x' = 0 for the Gaussians above: c(1) = log 2 + 1/2, c(0) = log 2 - 2, so alpha = e^-2.5
  np.testing.assert_allclose(jnp.exp(metropolis.acceptance_log_probability(_log_ratio(1.0), _log_ratio(0.0))),
                             math.exp(-2.5), rtol=1e-5)


def test_exact_ratio_leaves_the_data_distribution_invariant():
  """Chains started at data samples stay data-distributed after 10 proposals from p_g (stationarity)."""
  start_key, proposal_key, mh_key = jax.random.split(jax.random.key(0), 3)
  start = DATA_MEAN + DATA_STD * jax.random.normal(start_key, (1, 20_000))
  candidates = jnp.concatenate([start, jax.random.normal(proposal_key, (10, 20_000))])     # [11, N]
  result = metropolis.independent_metropolis_hastings(mh_key, candidates, _log_ratio(candidates))
  assert 0.3 < float(result.acceptance_rate) < 0.8  # the chains do move
  assert stats.kstest(np.asarray(result.samples), "norm", args=(DATA_MEAN, DATA_STD)).pvalue > 0.01


def test_chains_started_at_the_generator_converge_to_the_data():
  proposal_key, mh_key = jax.random.split(jax.random.key(1))
  candidates = jax.random.normal(proposal_key, (60, 20_000, 1))                            # [K, N, 1]
  result = metropolis.independent_metropolis_hastings(mh_key, candidates, _log_ratio(candidates[..., 0]))
  assert result.samples.shape == (20_000, 1)
  assert float(result.never_moved) < 0.01
  assert stats.kstest(np.asarray(result.samples[:, 0]), "norm", args=(DATA_MEAN, DATA_STD)).pvalue > 0.01


def test_independent_metropolis_hastings_rejects_mismatched_shapes():
  with pytest.raises(ValueError, match="candidates, log_ratios: expected"):
    metropolis.independent_metropolis_hastings(jax.random.key(0), jnp.zeros((3, 4, 2)), jnp.zeros((3, 5)))


def test_categorical_latent_draws_equally_likely_one_hot_categories_and_gaussian_noise():
  x, codes = categorical_latent(5, 2)(jax.random.split(jax.random.key(2), 5000))
  assert x.shape == (5000, 7) and codes is None
  one_hot = np.asarray(x[:, :5])
  assert np.all(one_hot.sum(axis=1) == 1) and set(np.unique(one_hot)) == {0.0, 1.0}
  assert stats.chisquare(one_hot.sum(axis=0)).pvalue > 0.01
  assert stats.kstest(np.asarray(x[:, 5:]).ravel(), "norm").pvalue > 0.01


def test_generator_adds_the_offset_of_each_category():
  body = MLP(hidden=(8,), out=2, act="relu")
  plain, offset = Generator(body), Generator(body, num_offsets=3, offset_scale=2.0)
  z, _ = categorical_latent(3, 1)(jax.random.split(jax.random.key(3), 6))
  params = offset.init(jax.random.key(4), z)
  offsets = params["params"]["offsets"]                                                    # [3, 2]
  body_only = plain.apply({"params": {k: v for k, v in params["params"].items() if k != "offsets"}}, z)
  np.testing.assert_allclose(offset.apply(params, z), body_only + offsets[jnp.argmax(z[:, :3], axis=1)], rtol=1e-6)


def test_evaluate_adds_mh_metrics_of_a_categorical_generator():
  config = tiny_config(**{"model.latent": "categorical", "model.category_offset_scale": 1.0,
                          "eval.rejection_steps": 20, "eval.rejection_pool": 256, "eval.mh_proposals": 5})
  trainer, dataset = build(config)
  results = trainer.evaluate(trainer.init(jax.random.PRNGKey(0)), dataset, jax.random.key(2))
  assert results["mh/num_samples"] == 64 and results["drs/num_samples"] == 64
  assert {"mh/modes", "mh/high_quality", "mh/reverse_kl"} <= set(results)
  assert 0 < results["mh/acceptance_rate"] <= 1 and 0 <= results["mh/never_moved"] < 1


@pytest.mark.parametrize("fields, message", [
    ({"model.latent": "mixture"}, "model.latent: expected one of"),
    ({"model.name": "infogan", "model.latent": "categorical"}, "model.latent: expected 'gaussian' for model"),
    ({"model.latent": "categorical", "model.num_categories": 0}, "model.num_categories: expected"),
    ({"eval.mh_proposals": 5}, "eval.mh_proposals: expected 0 unless eval.rejection_steps > 0"),
    ({"model.category_offset_scale": 1.0}, "model.category_offset_scale: expected 0 unless model.latent"),
    ({"model.latent": "categorical", "model.category_offset_scale": -1.0}, "model.category_offset_scale: expected a"),
    ({"model.latent": "categorical", "model.category_offset_scale": 1.0, "model.category_offset_init": "kmeans"},
     "model.category_offset_init: expected one of"),
    ({"model.latent": "categorical", "model.category_offset_init": "data"},
     "model.category_offset_init: expected 'normal' unless model.category_offset_scale > 0"),
])
def test_builder_rejects_bad_latent_and_mh_fields(fields, message):
  with pytest.raises(ValueError, match=message):
    build(tiny_config(**fields))


def test_latent_scale_zero_draws_one_point_per_category():
  trainer, _ = build(tiny_config(**{"model.latent": "categorical", "model.category_offset_scale": 1.0,
                                    "eval.latent_scale": 0.0}))
  samples = np.asarray(trainer.sample(trainer.init(jax.random.PRNGKey(0)), jax.random.key(1), 64))
  assert len(np.unique(samples.round(5), axis=0)) <= 3  # tiny_config's 3 categories


def test_offsets_from_data_start_on_the_first_batch_and_are_set_once():
  """category_offset_init='data': at step 0 offset_k = x_(k mod B) of the batch, then Adam moves them by at most
  ~lr per step (tiny_config's lr 1e-4); a later batch does not reset them. (The global gather over devices is
  checked by tests/test_gan_models.py's 1-vs-4-device variant.)"""
  config = tiny_config(**{"model.latent": "categorical", "model.category_offset_scale": 1.0,
                          "model.category_offset_init": "data", "model.num_categories": 20})
  trainer, dataset = build(config)
  mesh = parallel.make_mesh(1)
  step = make_train_step(trainer, mesh)
  state = parallel.put_replicated(trainer.init(jax.random.PRNGKey(0)), mesh)
  first, second = dataset.train["x"][:16], dataset.train["x"][16:32]  # [16, 2] each
  offsets = []
  for x in (first, second):
    state, _ = step(state, parallel.put_batch({"x": x[None]}, mesh, leading_axes=1), np.ones(1, bool))
    offsets.append(np.asarray(jax.device_get(state.params["generator"]["offsets"])))
  np.testing.assert_allclose(offsets[0], first[np.arange(20) % 16], atol=2e-4)
  np.testing.assert_allclose(offsets[1], offsets[0], atol=2e-4)
  assert np.abs(offsets[1] - second[np.arange(20) % 16]).max() > 0.1


def test_offsets_from_points_cycle_the_batch_and_need_one():
  points = jnp.arange(6.0).reshape(3, 2)
  np.testing.assert_array_equal(offsets_from_points(points, 5), np.asarray(points)[[0, 1, 2, 0, 1]])
  with pytest.raises(ValueError, match="points: expected a non-empty batch"):
    offsets_from_points(jnp.zeros((0, 2)), 3)
