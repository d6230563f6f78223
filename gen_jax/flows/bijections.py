"""Parameter-free and elementwise bijections, and their composition.

Every bijection here (and in coupling.py, glow.py, autoregressive.py) maps a batch
x [B, *event] to z [B, *event] in the density direction and back:

  forward(x) -> (z, log |det dz/dx|)   [B, ...], [B]
  inverse(z) -> (x, log |det dx/dz|)   [B, ...], [B]

so that log p(x) = log N(z; 0, I) + log |det dz/dx| (the change of variables), and the
inverse's log-det is minus the forward's at the same point.
"""

import math
from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np


def sum_event(values: jax.Array) -> jax.Array:
  """[B, ...] -> [B]: s_b = sum_i values[b, i...], the sum over all but the batch axis (log-dets of
  elementwise layers).

  Args:
    values: [B, ...] per-element terms.

  Returns:
    [B] one sum per example.

  Example:
    >>> import jax.numpy as jnp
    >>> sum_event(jnp.ones((2, 3, 4))).tolist()
    [12.0, 12.0]
  """
  return jnp.sum(values.reshape(values.shape[0], -1), axis=-1)


def standard_normal_log_prob(z: jax.Array) -> jax.Array:
  """log N(z; 0, I) = -(1/2) sum_i z_i^2 - (D/2) log 2 pi, for z [B, ...] -> [B].

  Example:
    >>> import jax.numpy as jnp
    >>> round(float(standard_normal_log_prob(jnp.zeros((1, 2)))[0]), 4)  # -log 2 pi
    -1.8379
  """
  d = np.prod(z.shape[1:])
  return -0.5 * sum_event(z ** 2) - 0.5 * d * jnp.log(2 * jnp.pi)


class Chain(nn.Module):
  """f = f_L o ... o f_1: forward applies the layers in order, inverse in reverse; log-dets add.

  log |det dz/dx| = sum_l log |det df_l/dh_{l-1}|.

  Attributes:
    layers: bijections with forward/inverse methods.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> flow = Chain((Permutation((1, 0)), DiagonalScaling()))
    >>> x = jnp.array([[1.0, 2.0]])
    >>> params = flow.init(jax.random.PRNGKey(0), x, method="forward")
    >>> z, log_det = flow.apply(params, x, method="forward")
    >>> z.tolist(), log_det.tolist()
    ([[2.0, 1.0]], [0.0])
  """

  layers: Sequence[nn.Module]

  def forward(self, x):
    total = jnp.zeros(x.shape[:1])
    for layer in self.layers:
      x, log_det = layer.forward(x)
      total = total + log_det
    return x, total

  def inverse(self, z):
    total = jnp.zeros(z.shape[:1])
    for layer in reversed(self.layers):
      z, log_det = layer.inverse(z)
      total = total + log_det
    return z, total


class Permutation(nn.Module):
  """z = x[..., perm] along the last axis; log |det| = 0. Inverse: x = z[..., argsort(perm)].

  Attributes:
    perm: a permutation of range(D) (e.g. reversed, between autoregressive layers).

  Example:
    >>> import jax.numpy as jnp
    >>> Permutation((2, 0, 1)).apply({}, jnp.array([[0.0, 1.0, 2.0]]), method="forward")[0].tolist()
    [[2.0, 0.0, 1.0]]
  """

  perm: Sequence[int]

  def forward(self, x):
    return x[..., np.asarray(self.perm)], jnp.zeros(x.shape[:1])

  def inverse(self, z):
    return z[..., np.argsort(np.asarray(self.perm))], jnp.zeros(z.shape[:1])


class DiagonalScaling(nn.Module):
  """NICE's top scaling layer: z = exp(s) * x, log |det| = sum_i s_i (s per event element, init 0).

  Reference: Dinh, Krueger, Bengio, NICE (2015), section 3.3.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> layer = DiagonalScaling()
    >>> x = jnp.ones((2, 3))
    >>> params = layer.init(jax.random.PRNGKey(0), x, method="forward")
    >>> layer.apply(params, x, method="forward")[1].tolist()
    [0.0, 0.0]
  """

  @nn.compact
  def __call__(self, x, inverse: bool = False):
    s = self.param("log_scale", nn.initializers.zeros, x.shape[1:])
    s = -s if inverse else s
    return x * jnp.exp(s), jnp.full(x.shape[:1], jnp.sum(s))

  def forward(self, x):
    return self(x)

  def inverse(self, z):
    return self(z, inverse=True)


class ElementwiseAffine(nn.Module):
  """A learned diagonal affine map: z = (x - loc) / scale, scale = softplus(r) > 0 elementwise,
  log |det dz/dx| = -sum_i log scale_i; loc = 0 and scale = 1 at initialization (r = log(e - 1)).

  As a flow's last layer in the density direction it turns the fixed N(0, I) base into a learned
  N(loc, diag(scale^2)): the trainable base distribution of flowjax's flows (its `Normal(loc, scale)`,
  the same parameterization, so scripts/benchmark_flowjax.py's twins can match it exactly).

  Example:
    >>> import jax, jax.numpy as jnp
    >>> layer = ElementwiseAffine()
    >>> x = jnp.ones((2, 3))
    >>> params = layer.init(jax.random.PRNGKey(0), x, method="forward")
    >>> z, log_det = layer.apply(params, x, method="forward")
    >>> bool(jnp.allclose(z, x)), bool(jnp.all(jnp.abs(log_det) < 1e-6))  # the identity at initialization
    (True, True)
  """

  @nn.compact
  def __call__(self, x, inverse: bool = False):
    loc = self.param("loc", nn.initializers.zeros, x.shape[1:])
    raw = self.param("scale_raw", nn.initializers.constant(math.log(math.e - 1)), x.shape[1:])
    scale = jax.nn.softplus(raw)
    log_det = jnp.full(x.shape[:1], -jnp.sum(jnp.log(scale)))
    if inverse:
      return x * scale + loc, -log_det
    return (x - loc) / scale, log_det

  def forward(self, x):
    return self(x)

  def inverse(self, z):
    return self(z, inverse=True)


class FixedAffine(nn.Module):
  """z = (x - shift) * scale with constants (e.g. a standardization of the data); log |det| = D log scale.

  Example:
    >>> import jax.numpy as jnp
    >>> z, log_det = FixedAffine(1.0, 2.0).apply({}, jnp.array([[2.0, 3.0]]), method="forward")
    >>> z.tolist(), round(float(log_det[0]), 4)
    ([[2.0, 4.0]], 1.3863)
  """

  shift: float
  scale: float

  def forward(self, x):
    d = np.prod(x.shape[1:])
    return (x - self.shift) * self.scale, jnp.full(x.shape[:1], d * jnp.log(self.scale))

  def inverse(self, z):
    d = np.prod(z.shape[1:])
    return z / self.scale + self.shift, jnp.full(z.shape[:1], -d * jnp.log(self.scale))


class LogitTransform(nn.Module):
  """RealNVP's pre-processing of pixels y in [0, 1]: z = logit(a + (1 - 2a) y).

  log |det dz/dy| = sum_i [log(1 - 2a) - log p_i - log(1 - p_i)], p = a + (1 - 2a) y.

  Reference: Dinh, Sohl-Dickstein, Bengio, Density estimation using Real NVP (2017), section 4.1.

  Example:
    >>> import jax.numpy as jnp
    >>> z, _ = LogitTransform(0.05).apply({}, jnp.array([[0.5]]), method="forward")
    >>> z.tolist()
    [[0.0]]
  """

  alpha: float = 0.05

  def forward(self, y):
    p = self.alpha + (1 - 2 * self.alpha) * y
    log_det = jnp.log(1 - 2 * self.alpha) - jnp.log(p) - jnp.log1p(-p)
    return jnp.log(p) - jnp.log1p(-p), sum_event(log_det)

  def inverse(self, z):
    y = (jax.nn.sigmoid(z) - self.alpha) / (1 - 2 * self.alpha)
    log_det = jax.nn.log_sigmoid(z) + jax.nn.log_sigmoid(-z) - jnp.log(1 - 2 * self.alpha)
    return y, sum_event(log_det)


def squeeze(x: jax.Array) -> jax.Array:
  """[B, H, W, C] -> [B, H/2, W/2, 4C]: each 2x2 spatial block becomes channels (RealNVP's squeeze).

  Example:
    >>> import jax.numpy as jnp
    >>> squeeze(jnp.zeros((1, 4, 4, 3))).shape
    (1, 2, 2, 12)
  """
  b, h, w, c = x.shape
  if h % 2 or w % 2:
    raise ValueError(f"x: expected even height and width to squeeze, got {x.shape}")
  x = x.reshape(b, h // 2, 2, w // 2, 2, c).transpose(0, 1, 3, 2, 4, 5)
  return x.reshape(b, h // 2, w // 2, 4 * c)


def unsqueeze(z: jax.Array) -> jax.Array:
  """The inverse of `squeeze`: [B, H, W, 4C] -> [B, 2H, 2W, C], channels back into 2x2 spatial blocks.

  Args:
    z: [B, H, W, 4C], the channel count divisible by 4.

  Returns:
    [B, 2H, 2W, C] with unsqueeze(squeeze(x)) = x.

  Reference: Dinh, Sohl-Dickstein, Bengio, Density estimation using Real NVP (2017), section 3.6.

  Example:
    >>> import jax.numpy as jnp
    >>> x = jnp.arange(16.0).reshape(1, 4, 4, 1)
    >>> bool(jnp.all(unsqueeze(squeeze(x)) == x)), unsqueeze(jnp.zeros((1, 2, 2, 12))).shape
    (True, (1, 4, 4, 3))
  """
  b, h, w, c = z.shape
  z = z.reshape(b, h, w, 2, 2, c // 4).transpose(0, 1, 3, 2, 4, 5)
  return z.reshape(b, 2 * h, 2 * w, c // 4)


class Squeeze(nn.Module):
  """`squeeze` as a bijection: z = squeeze(x) [B, H/2, W/2, 4C] for x [B, H, W, C]; a permutation of the
  elements, so log |det dz/dx| = 0.

  Reference: Dinh, Sohl-Dickstein, Bengio, Density estimation using Real NVP (2017), section 3.6.

  Example:
    >>> import jax.numpy as jnp
    >>> z, log_det = Squeeze().apply({}, jnp.ones((2, 4, 4, 1)), method="forward")
    >>> z.shape, log_det.tolist()
    ((2, 2, 2, 4), [0.0, 0.0])
  """

  def forward(self, x):
    return squeeze(x), jnp.zeros(x.shape[:1])

  def inverse(self, z):
    return unsqueeze(z), jnp.zeros(z.shape[:1])


class BatchNormBijection(nn.Module):
  """Batch normalization as a bijection (RealNVP section 3.7; MAF section 3.4):

  z = (x - m) / sqrt(v + eps) * exp(log_gamma) + beta,
  log |det dz/dx| = sum_i [log_gamma_i - (1/2) log(v_i + eps)],

  with (m, v) the batch mean and variance over the batch axis in training (and the running
  averages updated in the 'batch_stats' collection), or the running averages when
  `use_running_average` (evaluation, and always in `inverse`).

  Attributes:
    use_running_average: use the running averages instead of the batch statistics.
    momentum: running-average decay; eps: variance floor.
    axis_name: mesh axis to average the batch statistics over (data parallelism), or None.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> layer = BatchNormBijection(use_running_average=False)
    >>> x = jnp.array([[0.0], [2.0]])
    >>> variables = layer.init(jax.random.PRNGKey(0), x, method="forward")
    >>> (z, log_det), _ = layer.apply(variables, x, method="forward", mutable=["batch_stats"])
    >>> [round(v, 3) for v in z[:, 0].tolist()]
    [-1.0, 1.0]
  """

  use_running_average: bool = True
  momentum: float = 0.9
  eps: float = 1e-5
  axis_name: str | None = None

  @nn.compact
  def __call__(self, x, inverse: bool = False):
    log_gamma = self.param("log_gamma", nn.initializers.zeros, x.shape[1:])
    beta = self.param("beta", nn.initializers.zeros, x.shape[1:])
    running_mean = self.variable("batch_stats", "mean", jnp.zeros, x.shape[1:])
    running_var = self.variable("batch_stats", "var", jnp.ones, x.shape[1:])
    if inverse:
      var = running_var.value
      x = (x - beta) * jnp.exp(-log_gamma) * jnp.sqrt(var + self.eps) + running_mean.value
      return x, jnp.full(x.shape[:1], jnp.sum(0.5 * jnp.log(var + self.eps) - log_gamma))
    if self.use_running_average:
      mean, var = running_mean.value, running_var.value
    else:
      mean, mean_sq = jnp.mean(x, axis=0), jnp.mean(x ** 2, axis=0)
      if self.axis_name is not None:
        mean, mean_sq = jax.lax.pmean((mean, mean_sq), self.axis_name)
      var = mean_sq - mean ** 2
      if not self.is_initializing():
        running_mean.value = self.momentum * running_mean.value + (1 - self.momentum) * mean
        running_var.value = self.momentum * running_var.value + (1 - self.momentum) * var
    z = (x - mean) / jnp.sqrt(var + self.eps) * jnp.exp(log_gamma) + beta
    log_det = jnp.sum(log_gamma - 0.5 * jnp.log(var + self.eps))
    return z, jnp.full(x.shape[:1], log_det)

  def forward(self, x):
    return self(x)

  def inverse(self, z):
    return self(z, inverse=True)
