"""What a GAN's samples are worth: the mode-collapse benchmark on 2-D mixtures, moment errors, and the
same metrics after discriminator rejection sampling (gen_jax.gan.rejection) when eval.rejection_steps > 0
and after MH-GAN (gen_jax.gan.metropolis) when eval.mh_proposals > 0 too."""

from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.eval import modes
from gen_jax.gan import metropolis, rejection
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


def fitted_log_ratio(config, sample: Callable, state, data, fit_key: jax.Array, pool_key: jax.Array) -> Callable:
  """x [n, 2] -> c(x) [n]: a log-ratio classifier log p_data / p_g fitted to the generator `sample`.

  The classifier has the discriminator's MLP body (no spectral norm) and is trained for
  eval.rejection_steps (batches of eval.rejection_batch_size from each pool) on eval.rejection_pool
  fresh data points (seeded by eval.seed; the training split when the data has no sampler) against as
  many generator samples `sample(state, pool_key, n)` (gen_jax.gan.rejection.fit_log_ratio, key fit_key).
  """
  e, m = config.eval, config.model
  real = data.sampler(np.random.default_rng(e.seed), e.rejection_pool)[0] if data.sampler else data.train["x"]
  classifier = rejection.LogRatioClassifier(CriticMLP(tuple(m.discriminator_hidden), m.discriminator_act,
                                                      m.maxout_pieces))
  params = rejection.fit_log_ratio(fit_key, classifier, jnp.asarray(real), sample(state, pool_key, e.rejection_pool),
                                   e.rejection_steps, e.rejection_batch_size, e.rejection_learning_rate)
  return jax.jit(lambda x: classifier.apply(params, x))


def rejection_samples(config, sample: Callable, state, log_ratio: Callable, envelope_key: jax.Array,
                      draw_key: jax.Array) -> rejection.RejectionResult:
  """eval.num_samples draws of discriminator rejection sampling (gen_jax.gan.rejection): generator
  samples accepted with probability min(1, exp(c(x) - log M)), log M the eval.rejection_quantile of the
  log ratio c over eval.rejection_pool generator samples."""
  e = config.eval
  log_m = rejection.log_envelope(log_ratio(sample(state, envelope_key, e.rejection_pool)), e.rejection_quantile)
  return rejection.rejection_sample_generator(draw_key, lambda k, n: sample(state, k, n), log_ratio, log_m,
                                              e.num_samples)


def metropolis_samples(config, sample: Callable, state, log_ratio: Callable, key: jax.Array) -> metropolis.ChainResult:
  """eval.num_samples MH-GAN chains (gen_jax.gan.metropolis), each over eval.mh_proposals generator
  samples (the first is its start) with the fitted log ratio c."""
  n, k = config.eval.num_samples, config.eval.mh_proposals
  candidates = sample(state, jax.random.fold_in(key, 0), k * n)                       # [K N, 2]
  log_ratios = log_ratio(candidates).reshape(k, n)                                    # [K, N]
  return metropolis.independent_metropolis_hastings(jax.random.fold_in(key, 1),
                                                    candidates.reshape(k, n, *candidates.shape[1:]), log_ratios)


def corrected_metrics(config, sample: Callable, state, data, key: jax.Array) -> dict[str, float]:
  """`sample_metrics` after the sampling-time corrections built on a fitted log ratio (`fitted_log_ratio`):

  discriminator rejection sampling (`rejection_samples`, the rows it filled), prefixed 'drs/', with
  'drs/acceptance_rate' and 'drs/envelope_exceeded' (fraction of proposals with c(x) > log M); and,
  when eval.mh_proposals > 0, MH-GAN (`metropolis_samples`), prefixed 'mh/', with 'mh/acceptance_rate'
  and 'mh/never_moved' (fraction of chains still at their first sample).
  """
  fit_key, pool_key, envelope_key, draw_key = jax.random.split(jax.random.fold_in(key, 1), 4)
  log_ratio = fitted_log_ratio(config, sample, state, data, fit_key, pool_key)
  result = rejection_samples(config, sample, state, log_ratio, envelope_key, draw_key)
  samples = np.asarray(result.samples)
  filled = samples[~np.isnan(samples).any(axis=1)]
  results = {rejection.METRIC_PREFIX + k: v for k, v in sample_metrics(filled, data).items()}
  results[rejection.METRIC_PREFIX + "acceptance_rate"] = float(result.acceptance_rate)
  results[rejection.METRIC_PREFIX + "envelope_exceeded"] = float(result.num_envelope_violations / result.num_proposed)
  if config.eval.mh_proposals:
    chains = metropolis_samples(config, sample, state, log_ratio, jax.random.fold_in(key, 2))
    results.update({metropolis.METRIC_PREFIX + k: v for k, v in sample_metrics(chains.samples, data).items()})
    results[metropolis.METRIC_PREFIX + "acceptance_rate"] = float(chains.acceptance_rate)
    results[metropolis.METRIC_PREFIX + "never_moved"] = float(chains.never_moved)
  return results


def evaluation(config, sample: Callable, state, data, key: jax.Array) -> dict[str, float]:
  """`sample_metrics` of eval.num_samples generator samples, plus `corrected_metrics` when
  eval.rejection_steps > 0."""
  results = sample_metrics(np.asarray(sample(state, key, config.eval.num_samples)), data)
  if config.eval.rejection_steps:
    results.update(corrected_metrics(config, sample, state, data, key))
  return results
