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

from gen_jax.checks import check_positive_int, value_check
from gen_jax.sampling import RejectionResult, rejection_sample

METRIC_PREFIX = "drs/"  # evaluation keys of the rejection-sampled samples: 'drs/modes', ...


class LogRatioClassifier(nn.Module):
  """Log density-ratio classifier c(x) = w . body(x) + b: [B, ...] -> logits [B] (float32).

  Attributes:
    body: network from an input to a flat feature vector [B, F], called as body(x, train=...).

  References:
    S. Azadi et al., Discriminator Rejection Sampling (ICLR 2019), section 3.

  Example:
    >>> import flax.linen as nn, jax, jax.numpy as jnp
    >>> from gen_jax.gan import rejection
    >>> class Body(nn.Module):
    ...   @nn.compact
    ...   def __call__(self, x, train):
    ...     return nn.tanh(nn.Dense(4)(x))
    >>> classifier = rejection.LogRatioClassifier(Body())
    >>> params = classifier.init(jax.random.PRNGKey(0), jnp.zeros((1, 2)))
    >>> print(classifier.apply(params, jnp.zeros((3, 2))).shape)
    (3,)
  """

  body: nn.Module

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    return nn.Dense(1)(self.body(x, train=False))[:, 0].astype(jnp.float32)


def logistic_loss(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
  """Logistic loss of a data-vs-generator classifier, minimized by c(x) = log p_data(x) / p_g(x).

    L(c) = mean_x softplus(-c(x_data)) + mean_x softplus(c(x_g))

  Args:
    real_logits: c(x) [N] on data examples.
    fake_logits: c(x) [M] on generator samples.

  Returns:
    the loss, a float scalar.

  References:
    S. Azadi et al., Discriminator Rejection Sampling (ICLR 2019), section 3.1.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import rejection
    >>> print(f"{float(rejection.logistic_loss(jnp.zeros(2), jnp.zeros(3))):.4f}")  # 2 log 2
    1.3863
  """
  return jnp.mean(jax.nn.softplus(-real_logits)) + jnp.mean(jax.nn.softplus(fake_logits))


def fit_log_ratio(key: jax.Array, classifier: nn.Module, real: jax.Array, fake: jax.Array, steps: int,
                  batch_size: int, learning_rate) -> dict:
  """Parameters of `classifier` fitted to log p_data / p_g by Adam on `logistic_loss`.

  Trains `steps` Adam steps (learning rate cosine-decayed to 0), each on batch_size
  examples drawn with replacement from each pool, all inside one jitted `lax.scan`.

  Args:
    key: PRNG key (initialisation and batches).
    classifier: a module mapping [B, ...] to logits [B] (e.g. `LogRatioClassifier`).
    real: [N, ...] data examples.
    fake: [M, ...] generator samples, the same example shape.
    steps: Adam steps (static int >= 1).
    batch_size: examples per pool and step (static int >= 1).
    learning_rate: peak learning rate, a float scalar (may be traced).

  Returns:
    the classifier's variables (as `classifier.init` returns them).

  References:
    S. Azadi et al., Discriminator Rejection Sampling (ICLR 2019), section 3.1 (the classifier's logit
    estimates the log density ratio once it is trained to optimality).

  Example (a linear classifier separating two point masses):
    >>> import jax
    >>> import jax.numpy as jnp
    >>> from flax import linen
    >>> from gen_jax.gan.rejection import fit_log_ratio
    >>> class Linear(linen.Module):
    ...   def setup(self):
    ...     self.dense = linen.Dense(1)
    ...   def __call__(self, x):
    ...     return self.dense(x)[:, 0]
    >>> real, fake = jnp.full((64, 1), 1.0), jnp.full((64, 1), -1.0)
    >>> params = fit_log_ratio(jax.random.PRNGKey(0), Linear(), real, fake, 200, 16, 0.1)
    >>> print(bool(Linear().apply(params, real)[0] > 1.0))
    True
  """
  if real.shape[1:] != fake.shape[1:]:
    raise ValueError(f"real, fake: expected pools of the same example shape, got {real.shape} and {fake.shape}")
  check_positive_int(steps, "steps")
  check_positive_int(batch_size, "batch_size")
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


def log_envelope(log_ratios: jax.Array, quantile) -> jax.Array:
  """log M: the `quantile` of the log ratios c(x) of generator samples (1 = their maximum).

  Args:
    log_ratios: c(x) [N] of generator samples.
    quantile: a float scalar in (0, 1] (value-checked; may be traced).

  Returns:
    log M, a float scalar (NaN for a quantile outside [0, 1]).

  References:
    S. Azadi et al., Discriminator Rejection Sampling (ICLR 2019), section 3.2.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import rejection
    >>> print(rejection.log_envelope(jnp.array([0.0, 1.0, 2.0]), 1.0))
    2.0
  """
  value_check((quantile > 0) & (quantile <= 1), "quantile: expected a number in (0, 1], got {}", quantile)
  return jnp.quantile(log_ratios, quantile)


def rejection_sample_generator(key: jax.Array, sample_fn: Callable, log_ratio_fn: Callable, log_m,
                               num_samples: int, max_rounds: int | None = None) -> RejectionResult:
  """Discriminator rejection sampling: generator draws accepted with probability min(1, exp(c(x) - log M)).

  This is `gen_jax.sampling.rejection_sample` with target exp(c(x) - log M), a flat
  proposal density and bound 1; its `num_envelope_violations` counts the proposals with
  c(x) > log M (always accepted).

  Args:
    key: PRNG key.
    sample_fn: (key, n) -> [n, ...] generator samples.
    log_ratio_fn: x [n, ...] -> c(x) [n].
    log_m: log M, a float scalar (may be traced).
    num_samples: accepted draws wanted (static int >= 1).
    max_rounds: proposal rounds at most (static), see `rejection_sample`.

  Returns:
    a `gen_jax.sampling.RejectionResult`.

  References:
    S. Azadi et al., Discriminator Rejection Sampling (ICLR 2019), algorithm 1.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.gan import rejection
    >>> sample = lambda key, n: jax.random.normal(key, (n, 1))
    >>> result = rejection.rejection_sample_generator(jax.random.PRNGKey(0), sample, lambda x: -x[:, 0] ** 2,
    ...                                               0.0, 1000)
    >>> print(bool(result.complete), f"{float(result.samples.std()):.1f}")  # N(0, 1) * exp(-x^2) = N(0, 1/3)
    True 0.6
  """
  return rejection_sample(key, lambda x: jnp.exp(log_ratio_fn(x) - log_m), sample_fn,
                          lambda x: jnp.ones(x.shape[:1], x.dtype), 1.0, num_samples, max_rounds=max_rounds)
