"""Metropolis-Hastings GAN (Turner et al., 2019): an independence sampler with the generator as the
proposal and a classifier's density ratio as the target.

With c(x) = log p_data(x) / p_g(x) (the logit of a classifier trained to optimality, as for
discriminator rejection sampling, gen_jax.gan.rejection) and proposals x' ~ p_g drawn independently
of the chain's state x, the Metropolis-Hastings acceptance probability for the target p_data is

  alpha(x, x') = min(1, p_data(x') p_g(x) / (p_data(x) p_g(x'))) = min(1, exp(c(x') - c(x))),

which needs no envelope M: unlike rejection sampling, every chain returns a sample after K steps, and
the chain's law tends to p_data wherever p_g > 0. Each chain starts at a generator sample (not at a
data point), so that no data example is ever returned.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp

METRIC_PREFIX = "mh/"  # evaluation keys of the MH-GAN samples: 'mh/modes', ...


class ChainResult(NamedTuple):
  """The chains' final states and how often they moved."""

  samples: jax.Array          # [N, ...] the state of each chain after its last proposal
  acceptance_rate: jax.Array  # scalar, accepted proposals / proposals
  never_moved: jax.Array      # scalar, fraction of chains still at their first sample


def acceptance_log_probability(log_ratio_state: jax.Array, log_ratio_proposal: jax.Array) -> jax.Array:
  """log alpha = min(0, c(x') - c(x)): the independence sampler's log acceptance probability.

  Args:
    log_ratio_state: c(x) [...] of the chains' current states, c = log p_data / p_g.
    log_ratio_proposal: c(x') of the proposals, the same shape.

  Returns:
    log alpha, the same shape (<= 0).

  References:
    R. Turner et al., Metropolis-Hastings Generative Adversarial Networks (ICML 2019), equation 3.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan.metropolis import acceptance_log_probability
    >>> print(acceptance_log_probability(jnp.array([1.0, 1.0]), jnp.array([0.0, 2.0])).tolist())
    [-1.0, 0.0]
  """
  return jnp.minimum(0.0, log_ratio_proposal - log_ratio_state)


def independent_metropolis_hastings(key: jax.Array, candidates: jax.Array, log_ratios: jax.Array) -> ChainResult:
  """N independence-sampler chains over K candidates each: chain n starts at candidates[0, n] and
  proposes candidates[1, n], ..., candidates[K - 1, n] in turn, accepting with `acceptance_log_probability`.

  Args:
    key: PRNG key (the acceptance draws).
    candidates: [K, N, ...] independent generator samples (K >= 1 per chain).
    log_ratios: [K, N] their log density ratios c = log p_data / p_g.

  Returns:
    a `ChainResult`; samples [N, ...].

  References:
    R. Turner et al., Metropolis-Hastings Generative Adversarial Networks (ICML 2019), algorithm 1.

  Example (the exact ratio of p_data = N(1, 1) to p_g = N(0, 1) is c(x) = x - 1/2):
    >>> import jax
    >>> from gen_jax.gan.metropolis import independent_metropolis_hastings
    >>> x = jax.random.normal(jax.random.PRNGKey(0), (40, 20000))
    >>> result = independent_metropolis_hastings(jax.random.PRNGKey(1), x, x - 0.5)
    >>> print(f"{float(result.samples.mean()):.1f}")
    1.0
  """
  if candidates.ndim < 2 or log_ratios.shape != candidates.shape[:2]:
    raise ValueError(f"candidates, log_ratios: expected [K, N, ...] and [K, N] arrays, got {candidates.shape} "
                     f"and {log_ratios.shape}")
  num_steps, num_chains = log_ratios.shape
  uniforms = jax.random.uniform(key, (max(num_steps - 1, 0), num_chains))            # [K-1, N]

  def step(carry, inputs):
    state, log_ratio, accepted = carry
    proposal, proposal_log_ratio, u = inputs
    accept = jnp.log(u) < acceptance_log_probability(log_ratio, proposal_log_ratio)  # [N]
    mask = accept.reshape(accept.shape + (1,) * (state.ndim - 1))
    return (jnp.where(mask, proposal, state), jnp.where(accept, proposal_log_ratio, log_ratio),
            accepted + accept.astype(jnp.int32)), None

  carry = (candidates[0], log_ratios[0], jnp.zeros((num_chains,), jnp.int32))
  (samples, _, accepted), _ = jax.lax.scan(step, carry, (candidates[1:], log_ratios[1:], uniforms))
  proposals = max(num_steps - 1, 1) * num_chains
  return ChainResult(samples, jnp.sum(accepted) / proposals, jnp.mean(accepted == 0))
