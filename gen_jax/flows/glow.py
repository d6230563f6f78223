"""Glow's layers (Kingma & Dhariwal 2018): activation normalization and the invertible 1x1 convolution.

Both act on the channel (last) axis of x [B, ..., C] identically at every position; with
N = the number of positions (H W for images, 1 for vectors):

  actnorm:   z = (x + b) * exp(s),        log |det| = N sum_c s_c
  1x1 conv:  z = x W^T, W = P L (U + diag(sign * exp(log_s))),   log |det| = N sum_c log_s_c

(L unit lower triangular, U strictly upper, P a fixed permutation: the LU form makes the
log-det O(C)). A Glow step is actnorm -> 1x1 conv -> affine coupling (gen_jax.flows.coupling).
"""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np


# parameter names, unique to ActNorm so that its data-dependent values can be picked out of a flow's params
ACTNORM_BIAS, ACTNORM_LOG_SCALE = "actnorm_bias", "actnorm_log_scale"


def _positions(x) -> int:
  return int(np.prod(x.shape[1:-1]))


class ActNorm(nn.Module):
  """z = (x + b) * exp(s) per channel; data-dependent initialization b = -mean, s = -log std.

  At `init` the parameters are set from the batch given (over the batch and spatial axes,
  and over the mesh axis `axis_name` when given) so that z has zero mean and unit variance
  per channel; later calls use the stored parameters.

  Reference: Kingma & Dhariwal, Glow (2018), section 3.1.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> x = jnp.array([[1.0, 10.0], [3.0, 30.0]])
    >>> params = ActNorm().init(jax.random.PRNGKey(0), x)
    >>> z, _ = ActNorm().apply(params, x, method="forward")
    >>> [round(v, 3) for v in z[:, 1].tolist()]
    [-1.0, 1.0]
  """

  axis_name: str | None = None
  eps: float = 1e-6

  def _init_stats(self, x):
    axes = tuple(range(x.ndim - 1))
    mean, mean_sq = jnp.mean(x, axis=axes), jnp.mean(x ** 2, axis=axes)
    if self.axis_name is not None:
      mean, mean_sq = jax.lax.pmean((mean, mean_sq), self.axis_name)
    return mean, jnp.sqrt(jnp.maximum(mean_sq - mean ** 2, 0.0) + self.eps)

  @nn.compact
  def __call__(self, x, inverse: bool = False):
    bias = self.param(ACTNORM_BIAS, lambda _: -self._init_stats(x)[0])
    log_scale = self.param(ACTNORM_LOG_SCALE, lambda _: -jnp.log(self._init_stats(x)[1]))
    log_det = _positions(x) * jnp.sum(log_scale)
    if inverse:
      return x * jnp.exp(-log_scale) - bias, jnp.full(x.shape[:1], -log_det)
    return (x + bias) * jnp.exp(log_scale), jnp.full(x.shape[:1], log_det)

  def forward(self, x):
    return self(x)

  def inverse(self, z):
    return self(z, inverse=True)


def _random_lu(key, channels: int):
  """P, L, U and the diagonal's signs and log-magnitudes of a random rotation's LU decomposition."""
  rotation, _ = jnp.linalg.qr(jax.random.normal(key, (channels, channels)))
  p, lower, upper = jax.scipy.linalg.lu(rotation)
  diag = jnp.diag(upper)
  return p, lower, jnp.triu(upper, 1), jnp.sign(diag), jnp.log(jnp.abs(diag))


class InvConv1x1(nn.Module):
  """Invertible 1x1 convolution in LU form (module doc), initialized as a random rotation.

  P and the signs of the diagonal are constants (stored with the parameters under
  stop_gradient, so an optimizer leaves them unchanged).

  Reference: Kingma & Dhariwal, Glow (2018), section 3.2.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> x = jax.random.normal(jax.random.PRNGKey(1), (2, 4, 4, 3))
    >>> layer = InvConv1x1()
    >>> params = layer.init(jax.random.PRNGKey(0), x)
    >>> z, log_det = layer.apply(params, x, method="forward")
    >>> bool(jnp.allclose(layer.apply(params, z, method="inverse")[0], x, atol=1e-5))
    True
  """

  @nn.compact
  def __call__(self, x, inverse: bool = False):
    c = x.shape[-1]
    init = lambda key: dict(zip(("p", "lower", "upper", "sign", "log_s"), _random_lu(key, c)))
    lu = self.param("lu", init)
    p, sign = jax.lax.stop_gradient(lu["p"]), jax.lax.stop_gradient(lu["sign"])
    lower = jnp.tril(lu["lower"], -1) + jnp.eye(c)
    upper = jnp.triu(lu["upper"], 1) + jnp.diag(sign * jnp.exp(lu["log_s"]))
    weight = p @ lower @ upper  # [C, C]
    log_det = _positions(x) * jnp.sum(lu["log_s"])
    if inverse:
      return x @ jnp.linalg.inv(weight).T, jnp.full(x.shape[:1], -log_det)
    return x @ weight.T, jnp.full(x.shape[:1], log_det)

  def forward(self, x):
    return self(x)

  def inverse(self, z):
    return self(z, inverse=True)
