"""Convolutional encoder and decoder bodies for image VAEs.

The encoder halves the resolution with each strided convolution and ends in a
linear layer; the decoder mirrors it with transposed convolutions. Both map
between images [B, H, W, C] and flat vectors [B, D], so any VAE head (Gaussian,
flow, vector-quantized) can sit on top.
"""

from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.nets.mlp import activation
from gen_jax.nets.upsampling import SubpixelConvTranspose


def _check_resolution(height: int, width: int, num_layers: int) -> tuple[int, int]:
  factor = 2 ** num_layers
  if height % factor or width % factor:
    raise ValueError(f"channels: {num_layers} stride-2 layers need the image size divisible by {factor}, "
                     f"got {height}x{width}")
  return height // factor, width // factor


class ConvEncoder(nn.Module):
  """h = Dense(out)(flatten(act(Conv_s2(... act(Conv_s2(x)))))): [B, H, W, C] -> [B, out].

  Attributes:
    channels: output channels of each 4x4, stride-2 convolution.
    out: width of the final linear layer.
    act: activation name (gen_jax.nets.mlp.ACTIVATIONS).
    dtype: computation dtype (params stay float32).
  """

  channels: Sequence[int]
  out: int
  act: str = "relu"
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    if x.ndim != 4:
      raise ValueError(f"x: expected images [B, H, W, C], got shape {x.shape}")
    _check_resolution(x.shape[1], x.shape[2], len(self.channels))
    act = activation(self.act)
    for ch in self.channels:
      x = act(nn.Conv(ch, (4, 4), strides=(2, 2), padding="SAME", dtype=self.dtype)(x))
    return nn.Dense(self.out, dtype=self.dtype)(x.reshape(x.shape[0], -1))  # [B, out]


class ConvDecoder(nn.Module):
  """x_out = Conv3x3(act(ConvT_s2(... act(ConvT_s2(reshape(Dense(z))))))): [B, D] -> [B, H, W, out_channels].

  The first feature map has size (H, W) / 2^len(channels) and channels[0]
  channels; each transposed convolution doubles the resolution.

  Attributes:
    image_shape: (H, W) of the output.
    channels: channels of each resolution level, coarsest first.
    out_channels: channels of the output (decoder parameters per pixel).
    act: activation name.
    dtype: computation dtype.
  """

  image_shape: Sequence[int]
  channels: Sequence[int]
  out_channels: int
  act: str = "relu"
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, z: jax.Array) -> jax.Array:  # [B, D] -> [B, H, W, out_channels]
    h0, w0 = _check_resolution(self.image_shape[0], self.image_shape[1], len(self.channels))
    act = activation(self.act)
    x = act(nn.Dense(h0 * w0 * self.channels[0], dtype=self.dtype)(z))
    x = x.reshape(z.shape[0], h0, w0, self.channels[0])  # [B, h0, w0, c0]
    for ch in self.channels:
      x = act(SubpixelConvTranspose(ch, (4, 4), strides=(2, 2), dtype=self.dtype)(x))
    return nn.Conv(self.out_channels, (3, 3), padding="SAME", dtype=self.dtype)(x)  # [B, H, W, out]
