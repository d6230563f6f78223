"""MADE (Germain et al. 2015) and the masked autoregressive flow MAF (Papamakarios et al. 2017).

MADE masks its dense layers so that output i depends on inputs x_{<i} only. A MAF layer
uses it to parameterize each dimension's transform by the preceding ones:

  z_i = tau(x_i; theta_i(x_{<i})),   log |det dz/dx| = sum_i log |tau'(x_i)|,

(tau affine: z_i = x_i exp(s_i) + t_i; or a rational-quadratic spline, Durkan et al. 2019).
The density direction x -> z is ONE network pass; sampling inverts one dimension per
pass, so z -> x takes D passes.
"""

from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.flows import elementwise
from gen_jax.flows.bijections import sum_event


def made_masks(dim: int, hidden: Sequence[int]) -> list[np.ndarray]:
  """MADE masks (Germain et al. 2015) for inputs with degrees 1..D in order.

  Hidden unit degrees cycle through 1..D-1; a connection from degree a to a hidden
  unit of degree b exists iff b >= a, to an output of degree d iff d > b. So
  output d depends only on inputs 1..d-1 (the Jacobian is strictly triangular).
  Returns [in -> h_1, ..., h_L -> out] masks of shapes [fan_in, fan_out].

  Example:
    >>> [m.shape for m in made_masks(3, (4,))]
    [(3, 4), (4, 3)]
  """
  degrees = [np.arange(1, dim + 1)]
  for width in hidden:
    degrees.append(np.arange(width) % max(dim - 1, 1) + 1)
  masks = [(d_out[None, :] >= d_in[:, None]).astype(np.float32) for d_in, d_out in zip(degrees[:-1], degrees[1:])]
  masks.append((np.arange(1, dim + 1)[None, :] > degrees[-1][:, None]).astype(np.float32))
  return masks


class MaskedDense(nn.Module):
  """y = x (W * M) + b with a fixed binary mask M [fan_in, fan_out]: MADE's masked layer (output j sees
  input i only where M[i, j] = 1).

  Attributes:
    features: fan_out; mask: [fan_in, fan_out] of zeros and ones; dtype: the compute dtype;
    kernel_init, bias_init: the parameters' initializers.

  Reference: Germain, Gregor, Murray, Larochelle, MADE (ICML 2015).

  Example:
    >>> import jax, jax.numpy as jnp, numpy as np
    >>> layer = MaskedDense(2, np.array([[1.0, 1.0], [0.0, 1.0]]))  # output 0 ignores input 1
    >>> params = layer.init(jax.random.PRNGKey(0), jnp.zeros((1, 2)))
    >>> dy = jax.jacfwd(lambda v: layer.apply(params, v[None])[0])(jnp.ones(2))  # [out, in]
    >>> float(dy[0, 1])
    0.0
  """

  features: int
  mask: np.ndarray
  dtype: jnp.dtype = jnp.float32
  kernel_init: nn.initializers.Initializer = nn.initializers.lecun_normal()
  bias_init: nn.initializers.Initializer = nn.initializers.zeros

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    kernel = self.param("kernel", self.kernel_init, (x.shape[-1], self.features))
    bias = self.param("bias", self.bias_init, (self.features,))
    return (x.astype(self.dtype) @ (kernel * self.mask).astype(self.dtype) + bias.astype(self.dtype)).astype(jnp.float32)


class MADE(nn.Module):
  """x [B, D] -> theta [B, D, P], theta_i a function of x_{<i} only (theta_1 is a learned constant).

  Hidden layers are masked dense + relu; the output layer's mask is repeated for the P outputs
  of each dimension. With init_scheme 'identity' the output layer is zero-initialized (the flow starts as
  the identity); 'uniform' draws every layer as PyTorch / equinox do (elementwise.conditioner_init).

  Example:
    >>> import jax, jax.numpy as jnp
    >>> made = MADE((8,), num_params=2)
    >>> x = jnp.ones((1, 3))
    >>> params = made.init(jax.random.PRNGKey(0), x)
    >>> made.apply(params, x).shape
    (1, 3, 2)
  """

  hidden: Sequence[int]
  num_params: int
  init_scheme: str = "identity"

  @nn.compact
  def __call__(self, x):
    d = x.shape[-1]
    masks = made_masks(d, self.hidden)
    h = x
    for width, mask in zip(self.hidden, masks[:-1]):
      kernel_init, bias_init = elementwise.conditioner_init(self.init_scheme, h.shape[-1], output=False)
      h = nn.relu(MaskedDense(width, mask, kernel_init=kernel_init, bias_init=bias_init)(h))
    out_mask = np.repeat(masks[-1], self.num_params, axis=1)  # [H, D P], column i P + p
    kernel_init, bias_init = elementwise.conditioner_init(self.init_scheme, h.shape[-1], output=True)
    out = MaskedDense(d * self.num_params, out_mask, kernel_init=kernel_init, bias_init=bias_init)(h)
    return out.reshape(x.shape + (self.num_params,))


class MAF(nn.Module):
  """One masked autoregressive flow layer on x [B, D] (module doc).

  forward (density): z = tau(x; MADE(x)), one pass. inverse (sampling): D passes, the
  i-th fixing x_i = tau^{-1}(z_i; theta_i(x_{<i})); the log-det is then minus the forward's.

  Attributes:
    hidden: MADE widths; transform: one of elementwise.TRANSFORMS;
    num_bins, bound: the spline's K and interval; init_scheme: the MADE's (elementwise.CONDITIONER_INITS).

  Reference: Papamakarios, Pavlakou, Murray, Masked Autoregressive Flow for Density Estimation (2017).

  Example:
    >>> import jax, jax.numpy as jnp
    >>> layer = MAF((16,), "spline", num_bins=4)
    >>> x = jax.random.normal(jax.random.PRNGKey(1), (5, 3))
    >>> params = layer.init(jax.random.PRNGKey(0), x)
    >>> params = jax.tree.map(lambda p: p + 0.1, params)  # leave the identity
    >>> z, _ = layer.apply(params, x, method="forward")
    >>> bool(jnp.allclose(layer.apply(params, z, method="inverse")[0], x, atol=1e-5))
    True
  """

  hidden: Sequence[int]
  transform: str = "affine"
  num_bins: int = 8
  bound: float = 3.0
  init_scheme: str = "identity"

  def setup(self):
    self.made = MADE(tuple(self.hidden), elementwise.num_params(self.transform, self.num_bins), self.init_scheme)

  def forward(self, x):
    z, log_slope = elementwise.apply(self.transform, x, self.made(x), False, self.bound)
    return z, sum_event(log_slope)

  def inverse(self, z):
    def one_pass(_, x):
      return elementwise.apply(self.transform, z, self.made(x), True, self.bound)[0]

    x = jax.lax.fori_loop(0, z.shape[-1], one_pass, jnp.zeros_like(z)) if not self.is_initializing() \
        else elementwise.apply(self.transform, z, self.made(z), True, self.bound)[0]
    _, log_det = self.forward(x)
    return x, -log_det

  def __call__(self, x):
    return self.forward(x)
