"""A discriminator with an auxiliary domain / attribute classifier (StarGAN's D_src and D_cls; AttGAN's D and C).

    h = LeakyReLU(conv4x4,s2(...LeakyReLU(conv4x4,s2(x))))      L layers, f, 2f, 4f, ... channels
    D_src(x) = conv3x3(h)                   [B, H / 2^L, W / 2^L, 1]  real/fake score per patch
    D_cls(x) = conv_{(H / 2^L) x (W / 2^L)}(h)  [B, K]           domain or attribute logits

StarGAN (Choi et al., 2018) uses no normalization and LeakyReLU 0.01 with L = 6
at 128x128 (so the class head's kernel is 2x2); AttGAN (He et al., 2019) uses
instance or layer norm and LeakyReLU 0.2 with fully connected heads, which the
full-map class convolution is. The class head is one convolution covering the
whole final map, so D_cls sees the whole image.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp

NORMALIZATIONS = ("none", "instance")


class AuxiliaryDiscriminator(nn.Module):
  """images [B, H, W, C] -> (patch scores [B, H / 2^L, W / 2^L, 1], class logits [B, num_classes]).

  Attributes:
    num_classes: K, domains (StarGAN, softmax or sigmoid) or binary attributes (AttGAN).
    features: f, the first convolution's width (64 in both papers), doubled per layer.
    num_layers: L stride-2 convolutions; H and W must be divisible by 2^L.
    normalization: 'none' (StarGAN; WGAN-GP wants examples scored independently) or 'instance'.
    negative_slope: LeakyReLU slope (0.01 StarGAN, 0.2 AttGAN).
    dtype: computation dtype (outputs are float32).
  """

  num_classes: int
  features: int = 64
  num_layers: int = 6
  normalization: str = "none"
  negative_slope: float = 0.01
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = True) -> tuple[jax.Array, jax.Array]:
    del train  # no batch statistics
    if self.normalization not in NORMALIZATIONS:
      raise ValueError(f"normalization: expected one of {list(NORMALIZATIONS)}, got {self.normalization!r}")
    h = x.astype(self.dtype)
    for i in range(self.num_layers):                                            # [B, H / 2^(i+1), ., f 2^i]
      h = nn.Conv(self.features * 2 ** i, (4, 4), strides=(2, 2), padding="SAME",
                  use_bias=self.normalization == "none", dtype=self.dtype)(h)  # a norm would remove the bias
      if self.normalization == "instance":
        h = nn.InstanceNorm(dtype=self.dtype)(h)
      h = nn.leaky_relu(h, self.negative_slope)
    patch_scores = nn.Conv(1, (3, 3), padding="SAME", dtype=self.dtype)(h)      # [B, h, w, 1]
    class_logits = nn.Conv(self.num_classes, h.shape[1:3], padding="VALID", dtype=self.dtype)(h)  # [B, 1, 1, K]
    return patch_scores.astype(jnp.float32), class_logits.reshape(x.shape[0], -1).astype(jnp.float32)
