"""Variational dequantization (Flow++, Ho et al. 2019, section 3.1).

Discrete data x (pixel levels j in {0, ..., L-1}^D) get a flow density through continuous
y = (j + u) / L with noise u in (0, 1)^D. Uniform u gives the bound
-log P(x) <= D log L - E_u[log p(y)]; a learned noise density q(u | x) tightens it:

  -log P(x) <= E_{u ~ q(u|x)} [D log L - log p((j + u) / L) + log q(u | x)],

equal to the uniform bound when q is uniform (log q = 0). Here q is a conditional logit-normal:
h = mu(x) + sigma(x) * eps, eps ~ N(0, I), u = sigmoid(h), so

  log q(u | x) = log N(eps; 0, I) - sum_i log sigma_i - sum_i log(u_i (1 - u_i)).
"""

from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.flows.bijections import standard_normal_log_prob, sum_event


class VariationalDequantizer(nn.Module):
  """Noise u (0 < u < 1) [B, D] and log q(u | x) [B] from the levels x [B, D] (any scaling) and the
  standard normal draws eps [B, D] (module doc); mu and log sigma come from an MLP on x whose output
  layer starts at zero (u = sigmoid(eps) at initialization).

  Attributes:
    hidden: the MLP's hidden widths.

  Reference: Ho, Chen, Srinivas, Duan, Abbeel, Flow++ (ICML 2019), section 3.1.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> net = VariationalDequantizer((8,))
    >>> x, eps = jnp.ones((1, 2)), jnp.zeros((1, 2))
    >>> params = net.init(jax.random.PRNGKey(0), x, eps)
    >>> u, log_q = net.apply(params, x, eps)  # u = sigmoid(0) = 1/2, log q = log N(0) + 2 log 4
    >>> u.tolist(), round(float(log_q[0]), 4)
    ([[0.5, 0.5]], 0.9347)
  """

  hidden: Sequence[int]

  @nn.compact
  def __call__(self, x, eps):
    h = x
    for width in self.hidden:
      h = nn.relu(nn.Dense(width)(h))
    out = nn.Dense(2 * x.shape[-1], kernel_init=nn.initializers.zeros)(h)  # [B, 2D]
    mu, log_sigma = jnp.split(out, 2, axis=-1)
    pre = mu + jnp.exp(log_sigma) * eps  # [B, D]
    u = jax.nn.sigmoid(pre)
    log_derivative = jax.nn.log_sigmoid(pre) + jax.nn.log_sigmoid(-pre)  # log u (1 - u)
    return u, standard_normal_log_prob(eps) - sum_event(log_sigma) - sum_event(log_derivative)


def dequantization_bound(log_p_y, log_q_u, dim: int, levels: int):
  """One draw's upper bound on -log P(x) in nats [B]: D log L - log p(y) + log q(u | x) (module doc).

  Args:
    log_p_y: log p(y) [B] of the continuous model at y = (j + u) / L.
    log_q_u: log q(u | x) [B] of the noise (0 for uniform noise).
    dim: D, the number of discrete values per example; levels: L.

  Returns:
    [B] whose mean over u ~ q(u | x) bounds -log P(x) from above.

  Example:
    >>> import jax.numpy as jnp
    >>> round(float(dequantization_bound(jnp.zeros(1), jnp.zeros(1), 4, 2)[0]), 4)  # 4 log 2
    2.7726
  """
  return dim * jnp.log(levels) - log_p_y + log_q_u
