"""pix2pix's U-Net generator (Isola et al., 2017): an encoder-decoder with skip connections between mirrored layers.

With depth D (pix2pix: D = 8 on 256x256, down to a 1x1 bottleneck; here `unet_depth(size)` =
log2(size), e.g. 5 on 32x32), channels c_i = F min(2^i, 8):

  encoder: e_1 = conv(x), e_i = BN(conv(LeakyReLU_0.2(e_{i-1}))) for i = 2..D (no BN at e_D),
           each conv 4x4 with stride 2;
  decoder: d_D = e_D; d_i = concat(BN(convT(ReLU(d_{i+1}))), e_i) for i = D-1..1,
           each convT 4x4 with stride 2 (computed in the sub-pixel form, gen_jax.nets.upsampling);
  output:  y = out_act(convT_C(ReLU(d_1))), tanh for images in [-1, 1], sigmoid for [0, 1].

The skips carry the input's low-level structure (edges, positions) straight to the output,
which in image-to-image translation is shared by input and output. pix2pix's dropout in
the first decoder layers (its only noise) is left out: the paper notes the generator learns
to ignore it, and a deterministic generator keeps the update a pure function of the batch.
"""

import math

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.nets.upsampling import SubpixelConvTranspose

OUTPUT_ACTIVATIONS = {"tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid}


def unet_depth(size: int) -> int:
  """Stride-2 levels that take a size x size image to 1x1: log2(size) (8 for pix2pix's 256x256).

  Example:
    >>> unet_depth(256), unet_depth(32)
    (8, 5)
  """
  depth = round(math.log2(size))
  if size < 2 or 2 ** depth != size:
    raise ValueError(f"size: expected a power of two >= 2, got {size}")
  return depth


class UNetGenerator(nn.Module):
  """images [B, H, W, C_in] -> [B, H, W, channels] through a U-Net of `depth` levels (module doc).

  Attributes:
    channels: output channels.
    depth: stride-2 levels D (H and W divisible by 2^D); `unet_depth(H)` reaches a 1x1 bottleneck.
    features: channels F of the first level (64 in pix2pix), doubled per level up to 8F.
    output_activation: 'tanh' or 'sigmoid'.
    axis_name: mesh axis of BatchNorm's global-batch statistics in training.
    dtype: computation dtype (outputs are float32).
  """

  channels: int = 3
  depth: int = 5
  features: int = 64
  output_activation: str = "tanh"
  axis_name: str | None = None
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = True) -> jax.Array:
    if self.output_activation not in OUTPUT_ACTIVATIONS:
      raise ValueError(f"output_activation: expected one of {list(OUTPUT_ACTIVATIONS)}, "
                       f"got {self.output_activation!r}")
    if x.shape[1] % 2 ** self.depth or x.shape[2] % 2 ** self.depth:
      raise ValueError(f"x: expected height and width divisible by 2^depth = {2 ** self.depth}, got {x.shape}")
    norm = lambda: nn.BatchNorm(use_running_average=not train, axis_name=self.axis_name if train else None,
                                dtype=self.dtype)
    width = lambda i: self.features * min(2 ** i, 8)
    skips = []
    h = x.astype(self.dtype)
    for i in range(self.depth):                                              # [B, H / 2^(i+1), ., c_i]
      if i > 0:
        h = nn.leaky_relu(h, 0.2)
      h = nn.Conv(width(i), (4, 4), strides=(2, 2), padding="SAME", dtype=self.dtype)(h)
      if 0 < i < self.depth - 1:
        h = norm()(h)
      skips.append(h)
    for i in reversed(range(self.depth - 1)):                                # [B, H / 2^(i+1), ., 2 c_i]
      h = SubpixelConvTranspose(width(i), (4, 4), (2, 2), self.dtype)(nn.relu(h))
      h = jnp.concatenate([norm()(h), skips[i]], axis=-1)
    h = SubpixelConvTranspose(self.channels, (4, 4), (2, 2), self.dtype)(nn.relu(h))  # [B, H, W, channels]
    return OUTPUT_ACTIVATIONS[self.output_activation](h.astype(jnp.float32))
