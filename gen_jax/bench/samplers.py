"""Throughput of gen_jax's samplers beside NumPy and jax.random on the same sizes.

`sampler_discrete`: sample_discrete vs numpy.random.Generator.choice(p=...) vs
jax.random.categorical (Gumbel-max: K noise draws per sample, so it is timed on
at most `max_baseline_elements // K` samples to bound its memory; its cost is
linear in the sample count, so samples/s stay comparable).
`sampler_rejection`: rejection_sample of Beta(2, 5) under the uniform envelope
(bound = max density = 2.4576) vs jax.random.beta and numpy Generator.beta.
"""

from typing import Iterator

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax import sampling
from gen_jax.bench import register_workload
from gen_jax.bench.timing import time_call

BETA_BOUND = 30 * 0.2 * 0.8**4  # max of the Beta(2, 5) density 30 x (1 - x)^4, at x = 1/5


def _check_single_device(devices):
  if devices not in (None, 1):
    raise ValueError(f"devices: the sampler workloads run on one device, got {devices}")


def _record(workload: str, impl: str, num_samples: int, seconds: float, **extra) -> dict:
  return dict(workload=workload, impl=impl, backend=jax.default_backend(), num_samples=num_samples,
              seconds=seconds, samples_per_sec=num_samples / seconds, **extra)


@register_workload("sampler_discrete")
def sampler_discrete(steps: int, devices: int | None, *, num_samples: int = 10**6,
                     num_categories: tuple[int, ...] = (10, 1_000, 100_000),
                     max_baseline_elements: int = 2**25) -> Iterator[dict]:
  """Records of samples/s drawing `num_samples` indices from random weights over K categories."""
  _check_single_device(devices)
  key = jax.random.key(0)
  rng = np.random.default_rng(0)
  for k in num_categories:
    weights = jax.random.uniform(jax.random.fold_in(key, k), (k,), minval=0.1, maxval=1.0)  # [K]
    ours = jax.jit(lambda key, w: sampling.sample_discrete(key, w, (num_samples,)))
    yield _record("sampler_discrete", "gen_jax.sample_discrete", num_samples,
                  time_call(ours, key, weights, repeats=steps), num_categories=k)

    p = np.asarray(weights, np.float64)
    p /= p.sum()
    yield _record("sampler_discrete", "numpy.Generator.choice", num_samples,
                  time_call(lambda: rng.choice(k, size=num_samples, p=p), repeats=steps), num_categories=k)

    n = max(1, min(num_samples, max_baseline_elements // k))
    theirs = jax.jit(lambda key, logits: jax.random.categorical(key, logits, shape=(n,)))
    yield _record("sampler_discrete", "jax.random.categorical", n,
                  time_call(theirs, key, jnp.log(weights), repeats=steps), num_categories=k)


def _beta25_pdf(x):
  return 30.0 * x * (1.0 - x) ** 4


@register_workload("sampler_rejection")
def sampler_rejection(steps: int, devices: int | None, *, num_samples: int = 10**6) -> Iterator[dict]:
  """Records of samples/s for Beta(2, 5): rejection under a uniform envelope vs direct samplers."""
  _check_single_device(devices)
  key = jax.random.key(0)

  def ours(key):
    return sampling.rejection_sample(key, _beta25_pdf, lambda k, n: jax.random.uniform(k, (n,)),
                                     lambda x: jnp.ones(x.shape[:1]), BETA_BOUND, num_samples)

  ours = jax.jit(ours)
  result = ours(key)
  yield _record("sampler_rejection", "gen_jax.rejection_sample", num_samples, time_call(ours, key, repeats=steps),
                acceptance_rate=float(result.acceptance_rate), rounds=int(result.rounds),
                complete=bool(result.complete))
  direct = jax.jit(lambda key: jax.random.beta(key, 2.0, 5.0, (num_samples,)))
  yield _record("sampler_rejection", "jax.random.beta", num_samples, time_call(direct, key, repeats=steps))
  rng = np.random.default_rng(0)
  yield _record("sampler_rejection", "numpy.Generator.beta", num_samples,
                time_call(lambda: rng.beta(2.0, 5.0, num_samples), repeats=steps))
