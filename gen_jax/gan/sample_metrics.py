"""What a GAN's samples are worth: the mode-collapse benchmark on 2-D mixtures, moment errors, and the
same metrics after discriminator rejection sampling (gen_jax.gan.rejection) when eval.rejection_steps > 0."""

from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.eval import modes
from gen_jax.gan import rejection
from gen_jax.gan.networks import CriticMLP


def sample_metrics(samples: np.ndarray, data) -> dict[str, float]:
  """The mode-collapse benchmark for mixtures with known centres; moment errors for every dataset."""
  real = np.asarray(data.test["x"] if data.test is not None else data.train["x"], np.float64)
  samples = np.asarray(samples, np.float64)
  results = {
      "mean_abs_error": float(np.mean(np.abs(samples.mean(0) - real.mean(0)))),
      "std_ratio": float(np.mean(samples.std(0)) / max(np.mean(real.std(0)), 1e-12)),
      "num_samples": int(len(samples)),
  }
  if data.spec.mode_centres is not None:
    results.update(modes.mode_metrics(samples.reshape(len(samples), -1), data.spec.mode_centres,
                                      data.spec.mode_std))
  return results


def rejection_samples(config, sample: Callable, state, data, key: jax.Array) -> rejection.RejectionResult:
  """eval.num_samples draws of discriminator rejection sampling (gen_jax.gan.rejection).

  A log-ratio classifier with the discriminator's MLP body (no spectral norm) is trained for
  eval.rejection_steps (batches of eval.rejection_batch_size from each pool) on eval.rejection_pool
  fresh data points (seeded by eval.seed; the training split when the data has no sampler) against
  as many generator samples `sample(state, key, n)`; generator samples are then accepted with
  probability min(1, exp(c(x) - log M)), log M the eval.rejection_quantile of c over another pool.
  """
  e, m = config.eval, config.model
  fit_key, pool_key, envelope_key, draw_key = jax.random.split(jax.random.fold_in(key, 1), 4)
  real = data.sampler(np.random.default_rng(e.seed), e.rejection_pool)[0] if data.sampler else data.train["x"]
  classifier = rejection.LogRatioClassifier(CriticMLP(tuple(m.discriminator_hidden), m.discriminator_act,
                                                      m.maxout_pieces))
  params = rejection.fit_log_ratio(fit_key, classifier, jnp.asarray(real), sample(state, pool_key, e.rejection_pool),
                                   e.rejection_steps, e.rejection_batch_size, e.rejection_learning_rate)
  log_ratio = jax.jit(lambda x: classifier.apply(params, x))
  log_m = rejection.log_envelope(log_ratio(sample(state, envelope_key, e.rejection_pool)), e.rejection_quantile)
  return rejection.rejection_sample_generator(draw_key, lambda k, n: sample(state, k, n), log_ratio, log_m,
                                              e.num_samples)


def rejection_metrics(config, sample: Callable, state, data, key: jax.Array) -> dict[str, float]:
  """`sample_metrics` of `rejection_samples` (the rows it filled), prefixed 'drs/', with
  'drs/acceptance_rate' and 'drs/envelope_exceeded' (fraction of proposals with c(x) > log M)."""
  result = rejection_samples(config, sample, state, data, key)
  samples = np.asarray(result.samples)
  filled = samples[~np.isnan(samples).any(axis=1)]
  results = {rejection.METRIC_PREFIX + k: v for k, v in sample_metrics(filled, data).items()}
  results[rejection.METRIC_PREFIX + "acceptance_rate"] = float(result.acceptance_rate)
  results[rejection.METRIC_PREFIX + "envelope_exceeded"] = float(result.num_envelope_violations / result.num_proposed)
  return results


def evaluation(config, sample: Callable, state, data, key: jax.Array) -> dict[str, float]:
  """`sample_metrics` of eval.num_samples generator samples, plus `rejection_metrics` when
  eval.rejection_steps > 0."""
  results = sample_metrics(np.asarray(sample(state, key, config.eval.num_samples)), data)
  if config.eval.rejection_steps:
    results.update(rejection_metrics(config, sample, state, data, key))
  return results
