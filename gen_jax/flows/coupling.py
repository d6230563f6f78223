"""Coupling layers (NICE, RealNVP, Glow's coupling), their masks and conditioners, and the multi-scale flow.

A coupling layer keeps the masked part x_a = m * x and transforms the rest elementwise
with parameters computed from x_a only (gen_jax.flows.elementwise):

  z = m * x + (1 - m) * tau(x; theta(m * x)),   log |det dz/dx| = sum_{i: m_i = 0} log |tau'(x_i)|,

a triangular Jacobian, so the log-det is exact and the inverse is one pass:
x = m * z + (1 - m) * tau^{-1}(z; theta(m * z)).

References: Dinh et al., NICE (2015); Dinh et al., Density estimation using Real NVP (2017);
Kingma & Dhariwal, Glow (2018); Durkan et al., Neural Spline Flows (2019).
"""

from typing import Sequence

import flax.linen as nn
import jax.numpy as jnp
import numpy as np

from gen_jax.flows import elementwise
from gen_jax.flows.bijections import squeeze, sum_event, unsqueeze


def half_mask(dim: int, parity: int) -> np.ndarray:
  """[D] mask keeping the first ceil(D/2) entries (parity 0) or the rest (parity 1).

  Example:
    >>> half_mask(4, 0).tolist(), half_mask(4, 1).tolist()
    ([1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0])
  """
  mask = (np.arange(dim) < (dim + 1) // 2).astype(np.float32)
  return mask if parity == 0 else 1 - mask


def checkerboard_mask(height: int, width: int, channels: int, parity: int) -> np.ndarray:
  """[H, W, C] mask, 1 where (row + column + parity) is even (RealNVP's spatial checkerboard).

  Example:
    >>> checkerboard_mask(2, 2, 1, 0)[..., 0].tolist()
    [[1.0, 0.0], [0.0, 1.0]]
  """
  rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
  mask = ((rows + cols + parity) % 2 == 0).astype(np.float32)
  return np.repeat(mask[..., None], channels, axis=-1)


def channel_mask(height: int, width: int, channels: int, parity: int) -> np.ndarray:
  """[H, W, C] mask keeping the first ceil(C/2) channels (parity 0) or the rest (parity 1): RealNVP's
  channel-wise mask, used after a squeeze.

  Args:
    height, width, channels: the mask's shape; parity: 0 or 1, which half is kept.

  Returns:
    float32 [H, W, C] of zeros and ones, the same at every pixel.

  Reference: Dinh, Sohl-Dickstein, Bengio, Density estimation using Real NVP (2017), section 3.4.

  Example:
    >>> channel_mask(1, 2, 4, 1)[0].tolist()
    [[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]]
  """
  return np.broadcast_to(half_mask(channels, parity), (height, width, channels)).astype(np.float32)


class MLPConditioner(nn.Module):
  """theta = W_L relu(... relu(W_1 x)), by default with a zero-initialized output layer (the flow starts as
  the identity).

  x [B, D] -> [B, D, P] parameters for each of the D elements.

  Attributes:
    hidden: the hidden widths; num_params: P, the transform's parameters per element
      (gen_jax.flows.elementwise.num_params); init_scheme: 'identity' (the default) or 'uniform', PyTorch's and
      equinox's dense init in every layer (gen_jax.flows.elementwise.conditioner_init).

  Reference: Dinh, Krueger, Bengio, NICE (2015), section 3.2.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> net = MLPConditioner((8,), 2)
    >>> params = net.init(jax.random.PRNGKey(0), jnp.ones((3, 4)))
    >>> theta = net.apply(params, jnp.ones((3, 4)))
    >>> theta.shape, float(jnp.abs(theta).max())  # zero at initialization
    ((3, 4, 2), 0.0)
  """

  hidden: Sequence[int]
  num_params: int
  init_scheme: str = "identity"

  @nn.compact
  def __call__(self, x):
    h = x
    for width in self.hidden:
      kernel_init, bias_init = elementwise.conditioner_init(self.init_scheme, h.shape[-1], output=False)
      h = nn.relu(nn.Dense(width, kernel_init=kernel_init, bias_init=bias_init)(h))
    kernel_init, bias_init = elementwise.conditioner_init(self.init_scheme, h.shape[-1], output=True)
    out = nn.Dense(x.shape[-1] * self.num_params, kernel_init=kernel_init, bias_init=bias_init)(h)
    return out.reshape(x.shape + (self.num_params,))


class ConvConditioner(nn.Module):
  """A small residual conv net (RealNVP's ResNet, reduced): 3x3 conv, `num_blocks` residual blocks
  h <- relu(h + conv(relu(conv(h)))), a zero-initialized 3x3 output conv. x [B, H, W, C] -> [B, H, W, C, P].

  Attributes:
    channels: hidden channels; num_params: P per element; num_blocks: residual blocks.

  Reference: Dinh, Sohl-Dickstein, Bengio, Density estimation using Real NVP (2017), section 4.1.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> net = ConvConditioner(4, 2)
    >>> params = net.init(jax.random.PRNGKey(0), jnp.ones((1, 4, 4, 3)))
    >>> net.apply(params, jnp.ones((1, 4, 4, 3))).shape
    (1, 4, 4, 3, 2)
  """

  channels: int
  num_params: int
  num_blocks: int = 1

  @nn.compact
  def __call__(self, x):
    h = nn.relu(nn.Conv(self.channels, (3, 3))(x))
    for _ in range(self.num_blocks):
      r = nn.relu(nn.Conv(self.channels, (3, 3))(h))
      h = nn.relu(h + nn.Conv(self.channels, (3, 3))(r))
    out = nn.Conv(x.shape[-1] * self.num_params, (3, 3), kernel_init=nn.initializers.zeros)(h)
    return out.reshape(x.shape + (self.num_params,))


class Coupling(nn.Module):
  """A coupling layer (module doc) with mask m and an additive, affine or spline transform.

  Attributes:
    mask: [*event] array, 1 for the kept (conditioning) elements.
    conditioner: module mapping m * x [B, *event] to parameters [B, *event, P],
      P = elementwise.num_params(transform, num_bins).
    transform: 'additive' (NICE), 'affine' (RealNVP, Glow), 'affine_softplus' or 'spline'.
    bound: the spline's interval [-bound, bound].

  Example:
    >>> import jax, jax.numpy as jnp
    >>> layer = Coupling(half_mask(2, 0), MLPConditioner((8,), 2), "affine")
    >>> x = jnp.array([[0.3, -1.2]])
    >>> params = layer.init(jax.random.PRNGKey(0), x)
    >>> z, log_det = layer.apply(params, x, method="forward")
    >>> x_back, _ = layer.apply(params, z, method="inverse")
    >>> bool(jnp.allclose(x_back, x))
    True
  """

  mask: np.ndarray
  conditioner: nn.Module
  transform: str = "affine"
  bound: float = 3.0

  def __call__(self, x, inverse: bool = False):
    mask = jnp.asarray(self.mask)
    params = self.conditioner(x * mask)  # [B, *event, P]
    y, log_slope = elementwise.apply(self.transform, x, params, inverse, self.bound)
    return mask * x + (1 - mask) * y, sum_event((1 - mask) * log_slope)

  def forward(self, x):
    return self(x)

  def inverse(self, z):
    return self(z, inverse=True)


class MultiScale(nn.Module):
  """RealNVP's / Glow's multi-scale architecture on images [B, H, W, C].

  Level l: h <- pre_l(h); h <- squeeze(h); h <- post_l(h); then (except at the last level)
  half of the channels are factored out as latents z_l and the rest continues. The output
  is all factored-out latents and the final h, flattened: z [B, H W C]. The log-det is the
  sum of the levels' (squeeze and factoring out are permutations).

  Attributes:
    pre: per level, a bijection at the level's input resolution (e.g. checkerboard couplings).
    post: per level, a bijection after the squeeze (e.g. channel couplings or Glow steps).
    event_shape: (H, W, C) of the input, to unflatten z in `inverse`.

  Reference: Dinh, Sohl-Dickstein, Bengio, Density estimation using Real NVP (2017), section 3.6.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.flows.bijections import Chain
    >>> flow = MultiScale((Chain(()), Chain(())), (Chain(()), Chain(())), (4, 4, 1))  # squeezes only
    >>> x = jax.random.normal(jax.random.PRNGKey(0), (2, 4, 4, 1))
    >>> z, log_det = flow.apply({}, x, method="forward")
    >>> x_back, _ = flow.apply({}, z, method="inverse")
    >>> z.shape, bool(jnp.allclose(x_back, x)), log_det.tolist()
    ((2, 16), True, [0.0, 0.0])
  """

  pre: Sequence[nn.Module]
  post: Sequence[nn.Module]
  event_shape: Sequence[int]

  def _shapes(self):
    """Per level: (shape after the squeeze, number of channels factored out)."""
    h, w, c = self.event_shape
    shapes = []
    for level in range(len(self.pre)):
      h, w, c = h // 2, w // 2, 4 * c
      out = c // 2 if level < len(self.pre) - 1 else 0
      shapes.append(((h, w, c), out))
      c -= out
    return shapes

  def forward(self, x):
    total = jnp.zeros(x.shape[:1])
    latents = []
    for pre, post, (_, out) in zip(self.pre, self.post, self._shapes()):
      x, log_det_pre = pre.forward(x)
      x, log_det_post = post.forward(squeeze(x))
      total = total + log_det_pre + log_det_post
      if out:
        latents.append(x[..., :out].reshape(x.shape[0], -1))
        x = x[..., out:]
    latents.append(x.reshape(x.shape[0], -1))
    return jnp.concatenate(latents, axis=-1), total

  def inverse(self, z):
    shapes = self._shapes()
    sizes = [int(np.prod(s[:2])) * out for s, out in shapes[:-1]]
    pieces = jnp.split(z, np.cumsum(sizes), axis=-1)
    (h, w, c), _ = shapes[-1]
    x = pieces[-1].reshape(z.shape[0], h, w, c)
    total = jnp.zeros(z.shape[:1])
    for level in reversed(range(len(shapes))):
      (h, w, c), out = shapes[level]
      if out:
        x = jnp.concatenate([pieces[level].reshape(z.shape[0], h, w, out), x], axis=-1)
      x, log_det_post = self.post[level].inverse(x)
      x, log_det_pre = self.pre[level].inverse(unsqueeze(x))
      total = total + log_det_pre + log_det_post
    return x, total
