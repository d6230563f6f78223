"""A small convolutional classifier whose penultimate layer defines gen_jax's metric features."""

from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp


class ConvClassifier(nn.Module):
  """Per width w: h <- relu(conv3x3_w(h)); h <- relu(conv3x3_w,stride2(h)); then
  f = relu(W_f mean_{spatial}(h) + b_f) (the features) and logits = W_o f + b_o.

  Global average pooling makes the parameter shapes independent of the image size, so the
  same module serves 8x8 digits and 32x32 images (one trained network per image shape).

  Attributes:
    num_classes: number of output logits.
    widths: channel count of each stage (each stage halves the spatial size).
    feature_dim: width of the penultimate (feature) layer.
  """

  num_classes: int
  widths: Sequence[int] = (32, 64, 128)
  feature_dim: int = 128

  @nn.compact
  def __call__(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:  # [B, H, W, C]
    for width in self.widths:
      x = nn.relu(nn.Conv(width, (3, 3), padding="SAME")(x))
      x = nn.relu(nn.Conv(width, (3, 3), strides=(2, 2), padding="SAME")(x))
    x = jnp.mean(x, axis=(1, 2))  # [B, widths[-1]]
    features = nn.relu(nn.Dense(self.feature_dim)(x))  # [B, F]
    logits = nn.Dense(self.num_classes)(features)  # [B, K]
    return logits, features
