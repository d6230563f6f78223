"""VGG16's convolutional trunk as LPIPS reads it (Simonyan and Zisserman 2015; Zhang et al. 2018).

Five blocks of 3x3 convolutions with ReLU (2, 2, 3, 3, 3 convolutions), 2x2 max pooling between
blocks; the features are the last ReLU of each block (relu1_2, relu2_2, relu3_3, relu4_3, relu5_3).
Inputs in [-1, 1] are shifted and scaled as LPIPS does ((x - shift) / scale per RGB channel);
grayscale images are repeated to 3 channels.

gen_jax cannot download weights: `params_from_torchvision` converts the state_dict of
torchvision's `vgg16(weights='IMAGENET1K_V1')` saved as an .npz, e.g.

    python -c "import numpy as np, torchvision; m = torchvision.models.vgg16(weights='IMAGENET1K_V1'); \
      np.savez('vgg16.npz', **{k: v.numpy() for k, v in m.state_dict().items()})"

keys 'features.{i}.weight' [C_out, C_in, 3, 3] (OIHW) and 'features.{i}.bias' [C_out] for the 13
convolutions i = 0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28 ('classifier.*' is ignored). The
widths are read from the file (64, 128, 256, 512, 512 for VGG16), so a file with the same layout and
smaller widths (tests) loads too.
"""

from typing import Mapping, Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

BLOCK_SIZES = (2, 2, 3, 3, 3)                      # convolutions per block
VGG16_WIDTHS = (64, 128, 256, 512, 512)
TORCHVISION_CONV_INDICES = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)  # features.{i} of each conv
LPIPS_SHIFT = (-0.030, -0.088, -0.188)             # LPIPS ScalingLayer, for inputs in [-1, 1]
LPIPS_SCALE = (0.458, 0.448, 0.450)


class VGG16Features(nn.Module):
  """images [B, H, W, 1 or 3] in [-1, 1] -> the five blocks' last ReLU maps [B, H / 2^b, W / 2^b, widths[b]].

  Parameters are named 'conv{block}_{index}' (1-based, as the paper: conv1_1 ... conv5_3).

  Attributes:
    widths: channels of the five blocks (VGG16: 64, 128, 256, 512, 512).
  """

  widths: Sequence[int] = VGG16_WIDTHS

  @nn.compact
  def __call__(self, x: jax.Array) -> list[jax.Array]:
    if x.shape[-1] == 1:
      x = jnp.repeat(x, 3, axis=-1)
    h = (x - jnp.asarray(LPIPS_SHIFT)) / jnp.asarray(LPIPS_SCALE)
    maps = []
    for block, (size, width) in enumerate(zip(BLOCK_SIZES, self.widths)):
      if block:
        h = nn.max_pool(h, (2, 2), strides=(2, 2), padding="SAME")
      for index in range(size):
        h = nn.relu(nn.Conv(width, (3, 3), padding="SAME", name=f"conv{block + 1}_{index + 1}")(h))
      maps.append(h)
    return maps


def conv_names() -> list[str]:
  """['conv1_1', 'conv1_2', 'conv2_1', ..., 'conv5_3'] in network order.

  Example:
    >>> from gen_jax.nets import vgg16
    >>> names = vgg16.conv_names()
    >>> print(len(names), names[:3], names[-1])
    13 ['conv1_1', 'conv1_2', 'conv2_1'] conv5_3
  """
  return [f"conv{b + 1}_{i + 1}" for b, size in enumerate(BLOCK_SIZES) for i in range(size)]


def params_from_torchvision(arrays: Mapping[str, np.ndarray], field: str = "model.perceptual_weights"
                            ) -> tuple[dict, tuple[int, ...]]:
  """(params of VGG16Features, widths) from torchvision's vgg16 state_dict arrays (module doc).

  ValueError naming `field` when a convolution is missing or the shapes do not chain (3 input
  channels, 3x3 kernels, equal widths within a block).

  Example:
    >>> import numpy as np
    >>> from gen_jax.nets import vgg16
    >>> arrays, c_in = {}, 3
    >>> for name, i in zip(vgg16.conv_names(), vgg16.TORCHVISION_CONV_INDICES):
    ...   c_out = 2 * int(name[4])  # widths 2, 4, 6, 8, 10
    ...   arrays[f"features.{i}.weight"], arrays[f"features.{i}.bias"] = np.ones((c_out, c_in, 3, 3)), np.zeros(c_out)
    ...   c_in = c_out
    >>> params, widths = vgg16.params_from_torchvision(arrays)
    >>> print(widths, params["conv1_1"]["kernel"].shape)
    (2, 4, 6, 8, 10) (3, 3, 3, 2)
  """
  params, in_channels, widths = {}, 3, []
  for name, i in zip(conv_names(), TORCHVISION_CONV_INDICES):
    weight, bias = arrays.get(f"features.{i}.weight"), arrays.get(f"features.{i}.bias")
    if weight is None or bias is None:
      raise ValueError(f"{field}: expected torchvision vgg16 keys 'features.{i}.weight' and 'features.{i}.bias', "
                       f"got keys {sorted(arrays)[:6]}...")
    weight = np.asarray(weight, np.float32)
    out_channels = weight.shape[0]
    if weight.shape != (out_channels, in_channels, 3, 3) or np.shape(bias) != (out_channels,):
      raise ValueError(f"{field}: expected features.{i}.weight of shape [C_out, {in_channels}, 3, 3] and its bias "
                       f"[C_out], got {weight.shape} and {np.shape(bias)}")
    params[name] = {"kernel": jnp.asarray(weight.transpose(2, 3, 1, 0)), "bias": jnp.asarray(bias, jnp.float32)}
    if name.endswith("_1"):
      widths.append(out_channels)
    elif out_channels != widths[-1]:
      raise ValueError(f"{field}: expected {widths[-1]} channels in {name} like its block, got {out_channels}")
    in_channels = out_channels
  return params, tuple(widths)
