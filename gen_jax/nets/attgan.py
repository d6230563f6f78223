"""AttGAN's encoder-decoder generator with attribute injection (He et al., 2019).

    z = G_enc(x):   L stride-2 4x4 convolutions (f, 2f, 4f, ...), instance norm, LeakyReLU 0.2
    x' = G_dec(z, b): concat(z, tile(b)) -> L stride-2 4x4 transposed convolutions (..., 2f, f, C),
                      instance norm, ReLU, tanh at the end

The target attribute vector b [B, K] is tiled over the latent map and
concatenated to it (and, with `inject_all`, to the input of every decoder layer:
the paper's "attribute injection"); with `shortcut` the first decoder layers also
see the encoder's feature map of the same size (the paper's one shortcut layer),
which keeps details that the bottleneck would lose. Reconstruction G_dec(z, a)
and editing G_dec(z, b) share z = G_enc(x).
"""

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.nets.resnet_generator import tile_condition


class AttributeEditor(nn.Module):
  """(images [B, H, W, C], attributes [B, K]) -> edited images [B, H, W, C] in [-1, 1] (module doc).

  Attributes:
    features: f, the first encoder layer's width (64 in the paper), doubled per layer.
    num_layers: L stride-2 layers in the encoder and in the decoder (H, W divisible by 2^L).
    shortcut: concatenate the encoder's second-to-last feature map to the decoder's matching layer.
    inject_all: tile the attributes into every decoder layer's input, not only the latent's.
    dtype: computation dtype (the output is float32).
  """

  features: int = 64
  num_layers: int = 5
  shortcut: bool = True
  inject_all: bool = True
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array, attributes: jax.Array, train: bool = True) -> jax.Array:
    del train  # instance norm: no batch statistics
    maps, h = [], x.astype(self.dtype)
    for i in range(self.num_layers):                                            # [B, H / 2^(i+1), ., f 2^i]
      h = nn.Conv(self.features * 2 ** i, (4, 4), strides=(2, 2), padding="SAME", use_bias=False,
                  dtype=self.dtype)(h)  # no bias before instance norm (it would be removed)
      h = nn.leaky_relu(nn.InstanceNorm(dtype=self.dtype)(h), 0.2)
      maps.append(h)
    for i in reversed(range(self.num_layers)):                                  # [B, H / 2^i, ., f 2^(i-1) or C]
      if i == self.num_layers - 1 or self.inject_all:
        h = tile_condition(h, attributes)
      if self.shortcut and i == self.num_layers - 2:
        h = jnp.concatenate([h, maps[i]], axis=-1)
      width = x.shape[-1] if i == 0 else self.features * 2 ** (i - 1)
      h = nn.ConvTranspose(width, (4, 4), strides=(2, 2), padding="SAME", use_bias=i == 0, dtype=self.dtype)(h)
      if i > 0:
        h = nn.relu(nn.InstanceNorm(dtype=self.dtype)(h))
    return jnp.tanh(h).astype(jnp.float32)                                      # [B, H, W, C]
