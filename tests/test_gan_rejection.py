"""Tests for gen_jax.gan.rejection (discriminator rejection sampling) and its 'drs/' evaluation."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from gen_jax import checks
from gen_jax.gan import rejection
from gen_jax.gan.networks import CriticMLP
from tests.helpers.gan import build, tiny_config


def _normal_log_ratio(x, scale):
  """log N(x; 0, 1) - log N(x; 0, scale^2) for x [n, 1] -> [n]."""
  return math.log(scale) - 0.5 * x[:, 0] ** 2 * (1.0 - 1.0 / scale ** 2)


def test_logistic_loss_at_hand_computed_logits():
  np.testing.assert_allclose(rejection.logistic_loss(jnp.zeros(3), jnp.zeros(5)), 2 * math.log(2), rtol=1e-6)
  # softplus(-2) + softplus(-1) = log(1 + e^-2) + log(1 + e^-1)
  np.testing.assert_allclose(rejection.logistic_loss(jnp.array([2.0]), jnp.array([-1.0])),
                             math.log1p(math.exp(-2)) + math.log1p(math.exp(-1)), rtol=1e-6)


def test_fitted_classifier_recovers_the_log_density_ratio_of_two_gaussians():
  """p_data = N(0, 1), p_g = N(0, 2^2): c*(x) = log 2 - 3 x^2 / 8."""
  key_real, key_fake, key_fit = jax.random.split(jax.random.key(0), 3)
  real, fake = jax.random.normal(key_real, (20_000, 1)), 2.0 * jax.random.normal(key_fake, (20_000, 1))
  classifier = rejection.LogRatioClassifier(CriticMLP((32, 32), "leaky_relu"))
  params = rejection.fit_log_ratio(key_fit, classifier, real, fake, steps=1500, batch_size=256, learning_rate=3e-3)
  x = jnp.linspace(-2.0, 2.0, 41)[:, None]
  np.testing.assert_allclose(classifier.apply(params, x), _normal_log_ratio(x, 2.0), atol=0.15)


def test_rejection_with_the_exact_ratio_returns_data_samples():
  """Proposal N(0, 2^2), exact log ratio, M = max ratio = 2: the accepted draws are N(0, 1), half accepted."""
  result = rejection.rejection_sample_generator(
      jax.random.key(1), lambda k, n: 2.0 * jax.random.normal(k, (n, 1)), lambda x: _normal_log_ratio(x, 2.0),
      math.log(2.0), 20_000)
  assert bool(result.complete) and int(result.num_envelope_violations) == 0
  assert stats.kstest(np.asarray(result.samples[:, 0]), "norm").pvalue > 0.01
  assert abs(float(result.acceptance_rate) - 0.5) < 0.02


def test_rejection_removes_samples_off_the_data_with_a_fitted_classifier():
  """A generator that puts 30% of its mass on U(-6, 6) around the data N(0, 1): after DRS almost no
  sample lies beyond 3 standard deviations (0.27% for N(0, 1), ~16% before)."""
  keys = jax.random.split(jax.random.key(2), 4)

  def generator(key, n):
    normal_key, uniform_key, pick_key = jax.random.split(key, 3)
    normal = jax.random.normal(normal_key, (n, 1))
    uniform = jax.random.uniform(uniform_key, (n, 1), minval=-6.0, maxval=6.0)
    return jnp.where(jax.random.uniform(pick_key, (n, 1)) < 0.3, uniform, normal)

  classifier = rejection.LogRatioClassifier(CriticMLP((32, 32), "leaky_relu"))
  params = rejection.fit_log_ratio(keys[0], classifier, jax.random.normal(keys[1], (20_000, 1)),
                                   generator(keys[2], 20_000), steps=1500, batch_size=256, learning_rate=3e-3)
  log_ratio = lambda x: classifier.apply(params, x)
  log_m = rejection.log_envelope(log_ratio(generator(keys[3], 20_000)), 0.99)
  before = np.asarray(generator(keys[3], 5000))
  after = np.asarray(rejection.rejection_sample_generator(keys[3], generator, log_ratio, log_m, 5000).samples)
  assert np.mean(np.abs(before) > 3) > 0.1
  assert np.mean(np.abs(after) > 3) < 0.02
  assert abs(float(np.std(after)) - 1.0) < 0.1


def test_log_envelope_quantiles_and_bad_quantile():
  values = jnp.arange(101.0)
  assert float(rejection.log_envelope(values, 1.0)) == 100.0
  assert float(rejection.log_envelope(values, 0.5)) == 50.0
  assert float(jax.jit(rejection.log_envelope)(values, 0.5)) == 50.0  # a traced quantile
  for bad in (0.0, 1.5):
    with pytest.raises(ValueError, match="quantile: expected a number in"):
      checks.checked(rejection.log_envelope)(values, bad)


def test_fit_rejects_pools_of_different_shapes():
  classifier = rejection.LogRatioClassifier(CriticMLP((4,), "leaky_relu"))
  with pytest.raises(ValueError, match="real, fake: expected pools of the same example shape"):
    rejection.fit_log_ratio(jax.random.key(0), classifier, jnp.zeros((4, 2)), jnp.zeros((4, 3)), 1, 2, 1e-3)


@pytest.mark.parametrize("model", ["gan", "aae"])
def test_evaluate_adds_drs_metrics_when_enabled(model):
  config = tiny_config(model, **{"eval.rejection_steps": 20, "eval.rejection_pool": 256})
  trainer, dataset = build(config)
  results = trainer.evaluate(trainer.init(jax.random.PRNGKey(0)), dataset, jax.random.key(2))
  assert results["drs/num_samples"] == 64 and results["num_samples"] == 64
  assert {"drs/modes", "drs/high_quality", "drs/reverse_kl", "drs/envelope_exceeded"} <= set(results)
  assert 0 < results["drs/acceptance_rate"] <= 1
  plain, _ = build(tiny_config(model))
  assert not any(k.startswith("drs/") for k in plain.evaluate(plain.init(jax.random.PRNGKey(0)), dataset,
                                                               jax.random.key(2)))


def test_builder_rejects_rejection_sampling_on_images():
  with pytest.raises(ValueError, match="eval.rejection_steps: expected 0 for image data"):
    build(tiny_config("gan", "digits", **{"eval.rejection_steps": 5}))
