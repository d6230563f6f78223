"""The flow architectures of the registered models, assembled from the bijections (pure flax modules).

`FlowDensity` = preprocessing (a fixed standardization for points, the logit transform
for dequantized pixels) followed by the body, over a standard normal base:

  log q(x) = log N(f(x); 0, I) + log |det df/dx|,   sampling: x = f^{-1}(z), z ~ N(0, T^2 I).

Bodies ('nice', 'realnvp', 'glow', 'maf') on vectors [B, D]; 'realnvp' and 'glow' on images
use the multi-scale architecture; 'nice' and 'maf' flatten images.
"""

from typing import Sequence

import flax.linen as nn
import jax
import numpy as np

from gen_jax.flows import elementwise
from gen_jax.flows.autoregressive import MAF
from gen_jax.flows.bijections import Chain, DiagonalScaling, ElementwiseAffine, Permutation, standard_normal_log_prob
from gen_jax.flows.coupling import (ConvConditioner, Coupling, MLPConditioner, MultiScale, channel_mask,
                                    checkerboard_mask, half_mask)
from gen_jax.flows.glow import ActNorm, InvConv1x1

FAMILIES = ("nice", "realnvp", "glow", "maf")


class FlowDensity(nn.Module):
  """log q(x) and sampling for pre: x -> y (fixed), body: y (flattened when `flatten`) -> z.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.flows.bijections import FixedAffine
    >>> flow = FlowDensity(FixedAffine(0.0, 1.0), vector_body("maf", 2, 2, (8,), "affine"), (2,))
    >>> params = flow.init(jax.random.PRNGKey(0), jnp.zeros((1, 2)))
    >>> round(float(flow.apply(params, jnp.zeros((1, 2)))[0]), 4)  # identity at init: log N(0; 0, I)
    -1.8379
  """

  pre: nn.Module
  body: nn.Module
  event_shape: Sequence[int]
  flatten: bool = False

  def forward(self, x):
    y, log_det_pre = self.pre.forward(x)
    if self.flatten:
      y = y.reshape(y.shape[0], -1)
    z, log_det_body = self.body.forward(y)
    return z.reshape(z.shape[0], -1), log_det_pre + log_det_body

  def inverse(self, z):
    if not self.flatten and len(self.event_shape) == 1:
      z = z.reshape((z.shape[0],) + tuple(self.event_shape))
    y, log_det_body = self.body.inverse(z)
    x, log_det_pre = self.pre.inverse(y.reshape((z.shape[0],) + tuple(self.event_shape)))
    return x, log_det_body + log_det_pre

  def __call__(self, x):
    """log q(x) [B] for x [B, *event_shape]."""
    z, log_det = self.forward(x)
    return standard_normal_log_prob(z) + log_det

  def sample(self, key, n: int, temperature: float = 1.0):
    """n draws x = f^{-1}(T z), z ~ N(0, I): [n, *event_shape]."""
    z = temperature * jax.random.normal(key, (n, int(np.prod(self.event_shape))))
    return self.inverse(z)[0]


def vector_body(family: str, dim: int, num_layers: int, hidden: Sequence[int], transform: str,
                num_bins: int = 8, bound: float = 3.0, axis_name: str | None = None,
                init_scheme: str = "identity", learned_base: bool = False) -> Chain:
  """A flow on vectors [B, D] of `num_layers` layers:

  'nice':    additive couplings with alternating halves, then a diagonal scaling;
  'realnvp': couplings (affine or spline) with alternating halves;
  'glow':    steps of actnorm, LU 1x1 convolution (a dense LU layer), coupling;
  'maf':     MAF layers (affine or spline) with the order reversed between layers.
  `init_scheme` is the conditioners' (elementwise.CONDITIONER_INITS). `learned_base` appends an
  ElementwiseAffine: the base N(0, I) becomes a learned N(loc, diag(scale^2)), as in flowjax's flows.
  """
  p = elementwise.num_params(transform, num_bins)
  conditioner = lambda outputs: MLPConditioner(tuple(hidden), outputs, init_scheme)
  layers = []
  for layer in range(num_layers):
    if family == "nice":
      layers.append(Coupling(half_mask(dim, layer % 2), conditioner(1), "additive"))
    elif family == "realnvp":
      layers.append(Coupling(half_mask(dim, layer % 2), conditioner(p), transform, bound))
    elif family == "glow":
      layers += [ActNorm(axis_name), InvConv1x1(), Coupling(half_mask(dim, 0), conditioner(p), transform, bound)]
    elif family == "maf":
      if layer:
        layers.append(Permutation(tuple(range(dim - 1, -1, -1))))
      layers.append(MAF(tuple(hidden), transform, num_bins, bound, init_scheme))
    else:
      raise ValueError(f"model.name: expected one of {list(FAMILIES)}, got {family!r}")
  if family == "nice":
    layers.append(DiagonalScaling())
  if learned_base:
    layers.append(ElementwiseAffine())
  return Chain(tuple(layers))


def image_body(family: str, event_shape: Sequence[int], num_scales: int, steps_per_scale: int, channels: int,
               transform: str, num_bins: int = 8, bound: float = 3.0, axis_name: str | None = None) -> MultiScale:
  """The multi-scale flow on images [B, H, W, C] (H, W divisible by 2^num_scales).

  'realnvp': per scale, `steps_per_scale` checkerboard couplings, squeeze, `steps_per_scale`
             channel couplings (alternating parities), then half the channels factored out.
  'glow':    per scale, squeeze then `steps_per_scale` steps of actnorm, 1x1 conv, channel coupling.
  """
  p = elementwise.num_params(transform, num_bins)
  h, w, c = event_shape
  pre, post = [], []
  for scale in range(num_scales):
    conditioner = lambda: ConvConditioner(channels, p)
    squeezed = (h // 2, w // 2, 4 * c)
    if family == "realnvp":
      pre.append(Chain(tuple(Coupling(checkerboard_mask(h, w, c, i % 2), conditioner(), transform, bound)
                             for i in range(steps_per_scale))))
      post.append(Chain(tuple(Coupling(channel_mask(*squeezed, i % 2), conditioner(), transform, bound)
                              for i in range(steps_per_scale))))
    elif family == "glow":
      pre.append(Chain(()))
      steps = []
      for _ in range(steps_per_scale):
        steps += [ActNorm(axis_name), InvConv1x1(), Coupling(channel_mask(*squeezed, 0), conditioner(), transform,
                                                             bound)]
      post.append(Chain(tuple(steps)))
    else:
      raise ValueError(f"model.name: the multi-scale architecture is 'realnvp' or 'glow', got {family!r}")
    h, w, c = squeezed[0], squeezed[1], squeezed[2] - (squeezed[2] // 2 if scale < num_scales - 1 else 0)
  return MultiScale(tuple(pre), tuple(post), tuple(event_shape))
