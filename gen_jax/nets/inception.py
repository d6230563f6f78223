"""Inception-v3 as used by FID (pytorch-fid's `FIDInceptionV3`, ported from TF's 2015-12-05
graph), up to the 2048-d pool3 features, in Flax.

Module and parameter names follow torchvision's `Inception3` (Conv2d_1a_3x3, Mixed_5b,
branch1x1, ... each a `conv` + `bn` pair), so pytorch-fid state_dict keys map one to one:
'Mixed_5b.branch1x1.conv.weight' <-> params['Mixed_5b']['branch1x1']['conv']['kernel'].
The FID variant differs from torchvision's in its pooling branches: average pools exclude
the padding (count_include_pad=False), and Mixed_7c pools by max instead of average.
Inputs are NHWC in [-1, 1], at least 75x75 (299x299 for the reference features).
"""

from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp


class BasicConv(nn.Module):
  """relu(BatchNorm_eps=1e-3(conv(x))), conv without bias, symmetric zero padding."""

  features: int
  kernel: Sequence[int]
  strides: int = 1
  padding: Sequence[int] = (0, 0)

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    pad_h, pad_w = self.padding
    x = nn.Conv(self.features, tuple(self.kernel), strides=(self.strides, self.strides),
                padding=((pad_h, pad_h), (pad_w, pad_w)), use_bias=False, name="conv")(x)
    x = nn.BatchNorm(use_running_average=True, epsilon=1e-3, name="bn")(x)
    return nn.relu(x)


def _avg_pool_3x3(x: jax.Array) -> jax.Array:  # stride 1, pad 1, padding excluded from means
  return nn.avg_pool(x, (3, 3), strides=(1, 1), padding=((1, 1), (1, 1)), count_include_pad=False)


def _max_pool_3x3(x: jax.Array, stride: int) -> jax.Array:
  padding = ((1, 1), (1, 1)) if stride == 1 else "VALID"
  return nn.max_pool(x, (3, 3), strides=(stride, stride), padding=padding)


class InceptionA(nn.Module):
  """Mixed_5b-d: [1x1 | 1x1-5x5 | 1x1-3x3-3x3 | avgpool-1x1] concatenated."""

  pool_features: int

  @nn.compact
  def __call__(self, x):
    b1 = BasicConv(64, (1, 1), name="branch1x1")(x)
    b5 = BasicConv(48, (1, 1), name="branch5x5_1")(x)
    b5 = BasicConv(64, (5, 5), padding=(2, 2), name="branch5x5_2")(b5)
    b3 = BasicConv(64, (1, 1), name="branch3x3dbl_1")(x)
    b3 = BasicConv(96, (3, 3), padding=(1, 1), name="branch3x3dbl_2")(b3)
    b3 = BasicConv(96, (3, 3), padding=(1, 1), name="branch3x3dbl_3")(b3)
    bp = BasicConv(self.pool_features, (1, 1), name="branch_pool")(_avg_pool_3x3(x))
    return jnp.concatenate([b1, b5, b3, bp], axis=-1)


class InceptionB(nn.Module):
  """Mixed_6a (grid reduction): [3x3/2 | 1x1-3x3-3x3/2 | maxpool/2]."""

  @nn.compact
  def __call__(self, x):
    b3 = BasicConv(384, (3, 3), strides=2, name="branch3x3")(x)
    bd = BasicConv(64, (1, 1), name="branch3x3dbl_1")(x)
    bd = BasicConv(96, (3, 3), padding=(1, 1), name="branch3x3dbl_2")(bd)
    bd = BasicConv(96, (3, 3), strides=2, name="branch3x3dbl_3")(bd)
    return jnp.concatenate([b3, bd, _max_pool_3x3(x, 2)], axis=-1)


class InceptionC(nn.Module):
  """Mixed_6b-e: [1x1 | 1x1-1x7-7x1 | 1x1-7x1-1x7-7x1-1x7 | avgpool-1x1], 192 channels each."""

  channels_7x7: int

  @nn.compact
  def __call__(self, x):
    c7 = self.channels_7x7
    row, col = ((1, 7), (0, 3)), ((7, 1), (3, 0))  # (kernel, padding) pairs
    b1 = BasicConv(192, (1, 1), name="branch1x1")(x)
    b7 = BasicConv(c7, (1, 1), name="branch7x7_1")(x)
    b7 = BasicConv(c7, row[0], padding=row[1], name="branch7x7_2")(b7)
    b7 = BasicConv(192, col[0], padding=col[1], name="branch7x7_3")(b7)
    bd = BasicConv(c7, (1, 1), name="branch7x7dbl_1")(x)
    for index, (width, (kernel, padding)) in enumerate(
        [(c7, col), (c7, row), (c7, col), (192, row)], start=2):
      bd = BasicConv(width, kernel, padding=padding, name=f"branch7x7dbl_{index}")(bd)
    bp = BasicConv(192, (1, 1), name="branch_pool")(_avg_pool_3x3(x))
    return jnp.concatenate([b1, b7, bd, bp], axis=-1)


class InceptionD(nn.Module):
  """Mixed_7a (grid reduction): [1x1-3x3/2 | 1x1-1x7-7x1-3x3/2 | maxpool/2]."""

  @nn.compact
  def __call__(self, x):
    b3 = BasicConv(192, (1, 1), name="branch3x3_1")(x)
    b3 = BasicConv(320, (3, 3), strides=2, name="branch3x3_2")(b3)
    b7 = BasicConv(192, (1, 1), name="branch7x7x3_1")(x)
    b7 = BasicConv(192, (1, 7), padding=(0, 3), name="branch7x7x3_2")(b7)
    b7 = BasicConv(192, (7, 1), padding=(3, 0), name="branch7x7x3_3")(b7)
    b7 = BasicConv(192, (3, 3), strides=2, name="branch7x7x3_4")(b7)
    return jnp.concatenate([b3, b7, _max_pool_3x3(x, 2)], axis=-1)


class InceptionE(nn.Module):
  """Mixed_7b/c: [1x1 | 1x1-(1x3, 3x1) | 1x1-3x3-(1x3, 3x1) | pool-1x1]; the pool is an
  average (padding excluded) in Mixed_7b and a max in Mixed_7c (`max_pool`), as in FID."""

  max_pool: bool = False

  @nn.compact
  def __call__(self, x):
    def split(y, prefix):  # parallel 1x3 and 3x1 convolutions, concatenated
      a = BasicConv(384, (1, 3), padding=(0, 1), name=f"{prefix}a")(y)
      b = BasicConv(384, (3, 1), padding=(1, 0), name=f"{prefix}b")(y)
      return jnp.concatenate([a, b], axis=-1)

    b1 = BasicConv(320, (1, 1), name="branch1x1")(x)
    b3 = split(BasicConv(384, (1, 1), name="branch3x3_1")(x), "branch3x3_2")
    bd = BasicConv(448, (1, 1), name="branch3x3dbl_1")(x)
    bd = split(BasicConv(384, (3, 3), padding=(1, 1), name="branch3x3dbl_2")(bd), "branch3x3dbl_3")
    pooled = _max_pool_3x3(x, 1) if self.max_pool else _avg_pool_3x3(x)
    bp = BasicConv(192, (1, 1), name="branch_pool")(pooled)
    return jnp.concatenate([b1, b3, bd, bp], axis=-1)


class FIDInceptionV3(nn.Module):
  """x [B, H, W, 3] in [-1, 1], H, W >= 75 -> pool3 features [B, 2048] (spatial mean of Mixed_7c)."""

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    x = BasicConv(32, (3, 3), strides=2, name="Conv2d_1a_3x3")(x)  # 299 -> 149
    x = BasicConv(32, (3, 3), name="Conv2d_2a_3x3")(x)  # 147
    x = BasicConv(64, (3, 3), padding=(1, 1), name="Conv2d_2b_3x3")(x)
    x = _max_pool_3x3(x, 2)  # 73
    x = BasicConv(80, (1, 1), name="Conv2d_3b_1x1")(x)
    x = BasicConv(192, (3, 3), name="Conv2d_4a_3x3")(x)  # 71
    x = _max_pool_3x3(x, 2)  # 35
    x = InceptionA(32, name="Mixed_5b")(x)  # 256 channels
    x = InceptionA(64, name="Mixed_5c")(x)  # 288
    x = InceptionA(64, name="Mixed_5d")(x)  # 288
    x = InceptionB(name="Mixed_6a")(x)  # 768 x 17 x 17
    for name, c7 in [("Mixed_6b", 128), ("Mixed_6c", 160), ("Mixed_6d", 160), ("Mixed_6e", 192)]:
      x = InceptionC(c7, name=name)(x)
    x = InceptionD(name="Mixed_7a")(x)  # 1280 x 8 x 8
    x = InceptionE(name="Mixed_7b")(x)  # 2048
    x = InceptionE(max_pool=True, name="Mixed_7c")(x)  # 2048 x 8 x 8
    return jnp.mean(x, axis=(1, 2))  # [B, 2048]
