"""PatchGAN discriminator (Isola et al., 2017, pix2pix; also CycleGAN's): one logit per image patch.

The network is `num_layers` stride-2 4x4 convolutions (f, 2f, 4f, ... channels, capped at 8f),
one stride-1 4x4 convolution (f 2^L channels) and a stride-1 4x4 convolution to one logit per
location, LeakyReLU 0.2 between them, and a normalization after every convolution but the first
and the last. Each output logit sees one receptive-field patch of the input; the loss averages
the logits' losses, so the discriminator judges local texture and leaves global structure to
the generator's reconstruction term. The receptive field (`receptive_field`) is
r = 1 + 3 (2^L - 1) + 2 * 3 * 2^L = 9 * 2^L - 2 for the 4x4 kernels,
so L = 3 gives the paper's 70x70. Small images use fewer layers (L = 1 on 8x8 digits: a 16x16 field, i.e. the whole image;
L = 2 on 32x32: 34x34).
"""

from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp

NORMALIZATIONS = ("instance", "batch", "none")


def receptive_field(num_layers: int) -> int:
  """Side of the input patch that one PatchGAN logit sees (pixels).

  Layer by layer from the input, r <- r + (k - 1) * jump and jump <- jump * stride with k = 4:
  L stride-2 convolutions then two stride-1 ones, r = 9 * 2^L - 2. num_layers = 3 gives 70
  (the "70x70 PatchGAN"), 1 gives 16 and 0 gives 7.

  Example:
    >>> receptive_field(3), receptive_field(1)
    (70, 16)
  """
  field, jump = 1, 1
  for stride in [2] * num_layers + [1, 1]:  # input -> output
    field += 3 * jump
    jump *= stride
  return field


class PatchDiscriminator(nn.Module):
  """images [B, H, W, C] -> patch logits [B, H / 2^L, W / 2^L, 1] (module doc).

  Conditional discriminators (pix2pix) see the condition concatenated on the channel axis:
  D(concat([x, y], -1)).

  Attributes:
    features: channels of the first convolution (64 in the paper), doubled per stride-2 layer up to 8x.
    num_layers: stride-2 convolutions L (3 at 256x256: a 70x70 receptive field).
    normalization: 'instance' (CycleGAN), 'batch' (pix2pix, statistics over the global batch via
      `axis_name` in training) or 'none'.
    conv: convolution factory (e.g. a spectrally normalized nn.Conv).
    axis_name: mesh axis of BatchNorm's global-batch statistics in training.
    dtype: computation dtype (logits are returned in float32).
  """

  features: int = 64
  num_layers: int = 3
  normalization: str = "instance"
  conv: Callable[..., nn.Module] = nn.Conv
  axis_name: str | None = None
  dtype: jnp.dtype = jnp.float32

  def _normalize(self, h: jax.Array, train: bool) -> jax.Array:
    if self.normalization == "instance":
      return nn.InstanceNorm(dtype=self.dtype)(h)
    if self.normalization == "batch":
      return nn.BatchNorm(use_running_average=not train, axis_name=self.axis_name if train else None,
                          dtype=self.dtype)(h)
    return h

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = True) -> jax.Array:
    if self.normalization not in NORMALIZATIONS:
      raise ValueError(f"normalization: expected one of {list(NORMALIZATIONS)}, got {self.normalization!r}")
    h = x.astype(self.dtype)
    # No bias before a normalization: it would be removed, and its gradient (rounding noise) amplified by Adam.
    normalized_bias = self.normalization == "none"
    for i in range(self.num_layers):                                        # [B, H / 2^(i+1), ., f min(2^i, 8)]
      h = self.conv(self.features * min(2 ** i, 8), (4, 4), strides=(2, 2), padding="SAME",
                    use_bias=i == 0 or normalized_bias, dtype=self.dtype)(h)
      h = nn.leaky_relu(h if i == 0 else self._normalize(h, train), 0.2)
    h = self.conv(self.features * min(2 ** self.num_layers, 8), (4, 4), padding="SAME", use_bias=normalized_bias,
                  dtype=self.dtype)(h)
    h = nn.leaky_relu(self._normalize(h, train), 0.2)                       # [B, H / 2^L, W / 2^L, f 2^L]
    logits = self.conv(1, (4, 4), padding="SAME", dtype=self.dtype)(h)       # [B, H / 2^L, W / 2^L, 1]
    return logits.astype(jnp.float32)
