"""Convolutional encoder and decoder of a spatial code grid (the VQGAN first stage's shape, scaled down).

`CodeEncoder`: images [B, H, W, C] -> code vectors [B, H / 2^(n-1), W / 2^(n-1), D] for n = len(widths):
a 3x3 convolution to widths[0], then per further width a stride-2 4x4 convolution and a 3x3 one,
SiLU after each (the reference's nonlinearity), and a 1x1 convolution to D.
`CodeDecoder` mirrors it with stride-2 4x4 transposed convolutions and ends in a 3x3 convolution
named OUTPUT_LAYER, the "last layer" of VQGAN's adaptive weight.
"""

from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

OUTPUT_LAYER = "output"


def grid_shape(image_shape: Sequence[int], widths: Sequence[int]) -> tuple[int, int]:
  """(h, w) of the code grid of `CodeEncoder(widths)` on images of shape (H, W, C).

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.nets.vq_conv import CodeDecoder, CodeEncoder, grid_shape
    >>> encoder, decoder = CodeEncoder((4, 8), code_dim=2), CodeDecoder((4, 8), channels=1)
    >>> z = encoder.init_with_output(jax.random.PRNGKey(0), jnp.zeros((1, 8, 8, 1)))[0]
    >>> x = decoder.init_with_output(jax.random.PRNGKey(1), z)[0]
    >>> print(grid_shape((8, 8, 1), (4, 8)), z.shape, x.shape)
    (4, 4) (1, 4, 4, 2) (1, 8, 8, 1)
  """
  factor = 2 ** (len(widths) - 1)
  return image_shape[0] // factor, image_shape[1] // factor


class CodeEncoder(nn.Module):
  """images [B, H, W, C] -> z_e [B, h, w, code_dim] (module doc).

  Attributes:
    widths: channels per resolution (the first at full size; each further one halves H and W).
    code_dim: D.
    dtype: computation dtype (the codes are returned in float32).
  """

  widths: Sequence[int]
  code_dim: int
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    h = nn.silu(nn.Conv(self.widths[0], (3, 3), padding="SAME", dtype=self.dtype)(x.astype(self.dtype)))
    for width in self.widths[1:]:                                      # [B, H / 2^i, W / 2^i, width]
      h = nn.silu(nn.Conv(width, (4, 4), strides=(2, 2), padding="SAME", dtype=self.dtype)(h))
      h = nn.silu(nn.Conv(width, (3, 3), padding="SAME", dtype=self.dtype)(h))
    return nn.Conv(self.code_dim, (1, 1), dtype=self.dtype)(h).astype(jnp.float32)


class CodeDecoder(nn.Module):
  """z_q [B, h, w, D] -> images [B, h 2^(n-1), w 2^(n-1), channels] (module doc; linear output).

  Attributes:
    widths: the encoder's widths (the decoder runs them in reverse).
    channels: output channels C.
    dtype: computation dtype (the images are returned in float32).
  """

  widths: Sequence[int]
  channels: int
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, z: jax.Array) -> jax.Array:
    h = nn.silu(nn.Conv(self.widths[-1], (3, 3), padding="SAME", dtype=self.dtype)(z.astype(self.dtype)))
    for width in reversed(self.widths[:-1]):                           # doubles H and W
      h = nn.silu(nn.ConvTranspose(width, (4, 4), strides=(2, 2), padding="SAME", dtype=self.dtype)(h))
      h = nn.silu(nn.Conv(width, (3, 3), padding="SAME", dtype=self.dtype)(h))
    out = nn.Conv(self.channels, (3, 3), padding="SAME", dtype=self.dtype, name=OUTPUT_LAYER)(h)
    return out.astype(jnp.float32)
