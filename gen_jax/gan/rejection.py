"""Discriminator rejection sampling (DRS; Azadi et al., 2019): the lecture's rejection sampling with
the generator as the proposal and a classifier's density ratio as the target.

A classifier c(x) trained with the logistic loss on equal numbers of data and generator samples,

  L(c) = E_{x ~ p_data}[softplus(-c(x))] + E_{x ~ p_g}[softplus(c(x))],

is optimal at the log density ratio c*(x) = log p_data(x) / p_g(x) (the optimal discriminator
D* = p_data / (p_data + p_g) of the slides, as a logit). With an envelope M >= p_data(x) / p_g(x),
rejection sampling keeps a proposal x ~ p_g with probability

  p_data(x) / (M p_g(x)) = exp(c(x) - log M)

and its accepted samples follow p_data: generator samples where the data has no mass (the bridges
between modes of a 2-D mixture) are rejected, and under-weighted modes are accepted more often.
`log M` is a quantile of c over generator samples: quantile 1 is their maximum (the exact envelope,
up to the pool), a lower quantile accepts every sample above it (Azadi et al.'s shift) and trades
exactness for a higher acceptance rate. The classifier is trained after the GAN, with the generator
frozen, so that it estimates the ratio of the final generator rather than the moving target the
GAN's discriminator saw.
"""

from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

from gen_jax.sampling import RejectionResult, rejection_sample

METRIC_PREFIX = "drs/"  # evaluation keys of the rejection-sampled samples: 'drs/modes', ...


class LogRatioClassifier(nn.Module):
  """c(x) = w . body(x) + b: [B, ...] -> log-ratio logits [B] (float32).

  Attributes:
    body: network from an input to a flat feature vector [B, F], called as body(x, train=...).
  """

  body: nn.Module

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    return nn.Dense(1)(self.body(x, train=False))[:, 0].astype(jnp.float32)


def logistic_loss(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
  """mean softplus(-c(x_data)) + mean softplus(c(x_g)): minimized by c = log p_data / p_g."""
  return jnp.mean(jax.nn.softplus(-real_logits)) + jnp.mean(jax.nn.softplus(fake_logits))


def fit_log_ratio(key: jax.Array, classifier: nn.Module, real: jax.Array, fake: jax.Array, steps: int,
                  batch_size: int, learning_rate: float) -> dict:
  """Parameters of `classifier` ([B, ...] -> logits [B]) fitted to log p_data / p_g.

  Trains `steps` Adam steps (learning rate cosine-decayed to 0) on `logistic_loss`, each on
  batch_size examples drawn with replacement from each pool (real [N, ...] data, fake [M, ...]
  generator samples), all inside one jitted `lax.scan`.
  """
  if real.shape[1:] != fake.shape[1:]:
    raise ValueError(f"real, fake: expected pools of the same example shape, got {real.shape} and {fake.shape}")
  init_key, train_key = jax.random.split(key)
  params = classifier.init(init_key, real[:1])
  optimizer = optax.adam(optax.cosine_decay_schedule(learning_rate, steps))

  def loss(p, real_batch, fake_batch):
    return logistic_loss(classifier.apply(p, real_batch), classifier.apply(p, fake_batch))

  def train_step(carry, step_key):
    p, opt_state = carry
    real_key, fake_key = jax.random.split(step_key)
    real_batch = real[jax.random.randint(real_key, (batch_size,), 0, real.shape[0])]
    fake_batch = fake[jax.random.randint(fake_key, (batch_size,), 0, fake.shape[0])]
    grads = jax.grad(loss)(p, real_batch, fake_batch)
    updates, opt_state = optimizer.update(grads, opt_state, p)
    return (optax.apply_updates(p, updates), opt_state), None

  @jax.jit
  def train(p, step_keys):
    return jax.lax.scan(train_step, (p, optimizer.init(p)), step_keys)[0][0]

  return train(params, jax.random.split(train_key, steps))


def log_envelope(log_ratios: jax.Array, quantile: float) -> jax.Array:
  """log M = the `quantile` of the log ratios c(x) of generator samples (1 = their maximum)."""
  if not 0 < quantile <= 1:
    raise ValueError(f"quantile: expected a number in (0, 1], got {quantile!r}")
  return jnp.quantile(log_ratios, quantile)


def rejection_sample_generator(key: jax.Array, sample_fn: Callable, log_ratio_fn: Callable, log_m,
                               num_samples: int, max_rounds: int | None = None) -> RejectionResult:
  """num_samples draws of p_g accepted with probability min(1, exp(c(x) - log M)).

  sample_fn(key, n) -> [n, ...] generator samples; log_ratio_fn(x) -> c(x) [n]. This is
  gen_jax.sampling.rejection_sample with target exp(c(x) - log M), a flat proposal density and
  bound 1; its `num_envelope_violations` counts the proposals with c(x) > log M (always accepted).
  """
  return rejection_sample(key, lambda x: jnp.exp(log_ratio_fn(x) - log_m), sample_fn,
                          lambda x: jnp.ones(x.shape[:1], x.dtype), 1.0, num_samples, max_rounds=max_rounds)
