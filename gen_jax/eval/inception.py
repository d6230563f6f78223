"""Inception FID features for users who have the FID Inception-v3 weights.

gen_jax cannot download weights, so the standard FID network (`gen_jax.nets.inception.
FIDInceptionV3`, pool3 features, 2048-d) is loaded from a user-supplied .npz file, selected by
the `eval.inception_weights` path ('' = off: metrics then use gen_jax's own classifier).

Accepted .npz layouts (detected from the keys):

1. gen_jax layout: one float32 array per variable, keyed '<collection>/<module path>/<name>':
   'params/Conv2d_1a_3x3/conv/kernel' [3, 3, 3, 32] (HWIO), 'params/Mixed_5b/branch1x1/bn/scale',
   'params/.../bn/bias', 'batch_stats/.../bn/mean', 'batch_stats/.../bn/var' - 94 convolutions,
   470 arrays (`save_inception_variables` writes it).
2. pytorch-fid layout: the state_dict of pytorch-fid's `pt_inception-2015-12-05-6726825d.pth`
   (the TF 2015-12-05 FID graph ported to PyTorch), keys 'Conv2d_1a_3x3.conv.weight' [32, 3, 3, 3]
   (OIHW), '*.bn.weight', '*.bn.bias', '*.bn.running_mean', '*.bn.running_var'; the
   'num_batches_tracked' and 'fc.*' entries are ignored (`convert_pytorch_fid_state_dict`).

To obtain the file, on a machine with internet and PyTorch:

    pip install torch pytorch-fid
    python -c "import numpy as np, torch; from pytorch_fid.inception import FID_WEIGHTS_URL; \
      sd = torch.hub.load_state_dict_from_url(FID_WEIGHTS_URL, map_location='cpu'); \
      np.savez('pt_inception-2015-12-05.npz', **{k: v.numpy() for k, v in sd.items()})"

then pass `--config.eval.inception_weights=/path/pt_inception-2015-12-05.npz`.

Preprocessing matches pytorch-fid: images in [-1, 1] (gen_jax's scale; pytorch-fid's [0, 1]
inputs map to it by 2x - 1), grayscale repeated to 3 channels, resized bilinearly (half-pixel
centres, no antialiasing, as torch's F.interpolate(align_corners=False)) to 299x299.
"""

from typing import Any, Callable, Mapping

import flax
import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.eval.batching import batched_apply
from gen_jax.nets.inception import FIDInceptionV3

INPUT_SIZE = 299
MIN_INPUT_SIZE = 75
FEATURE_DIM = 2048

_TORCH_TO_FLAX = {  # state_dict suffix -> (collection, flax name)
    "conv.weight": ("params", "conv/kernel"),
    "bn.weight": ("params", "bn/scale"),
    "bn.bias": ("params", "bn/bias"),
    "bn.running_mean": ("batch_stats", "bn/mean"),
    "bn.running_var": ("batch_stats", "bn/var"),
}


def _abstract_variables() -> dict:
  """Shapes and dtypes of {'params', 'batch_stats'} (independent of the input size)."""
  x = jax.ShapeDtypeStruct((1, MIN_INPUT_SIZE, MIN_INPUT_SIZE, 3), jnp.float32)
  return jax.eval_shape(FIDInceptionV3().init, jax.random.key(0), x)


def _expected_shapes() -> dict[str, tuple[int, ...]]:
  return {key: value.shape for key, value in flatten_variables(_abstract_variables()).items()}


def init_inception_variables(key: jax.Array) -> dict:
  """Random FIDInceptionV3 variables for tests: kernels ~ N(0, 2 / fan_in) (He), BatchNorm
  scale 1, bias 0, mean 0, var 1. Drawn as one normal vector sliced per kernel, which avoids
  compiling the network's init (minutes on a busy CPU)."""
  flat = flatten_variables(_abstract_variables())
  kernels = [key_ for key_ in flat if key_.endswith("kernel")]
  noise = jax.random.normal(key, (sum(flat[k].size for k in kernels),))
  filled, offset = {}, 0
  for name, leaf in flat.items():
    if name.endswith("kernel"):
      fan_in = int(np.prod(leaf.shape[:-1]))
      filled[name] = noise[offset:offset + leaf.size].reshape(leaf.shape) * np.sqrt(2.0 / fan_in)
      offset += leaf.size
    else:
      filled[name] = jnp.full(leaf.shape, 1.0 if name.endswith(("scale", "var")) else 0.0)
  return flax.traverse_util.unflatten_dict({tuple(k.split("/")): v for k, v in filled.items()})


def flatten_variables(variables: Mapping) -> dict[str, Any]:
  """{'params': {'Mixed_5b': {...}}} -> {'params/Mixed_5b/.../kernel': array}."""
  return {"/".join(path): value
          for path, value in flax.traverse_util.flatten_dict(flax.core.unfreeze(variables)).items()}


def convert_pytorch_fid_state_dict(state_dict: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
  """pytorch-fid state_dict (numpy arrays) -> gen_jax layout (flat keys, see module docstring).

  'A.B.conv.weight' [O, I, kh, kw] -> 'params/A/B/conv/kernel' [kh, kw, I, O];
  'A.B.bn.weight' / '.bias' -> 'params/A/B/bn/scale' / 'bias';
  'A.B.bn.running_mean' / '.running_var' -> 'batch_stats/A/B/bn/mean' / 'var';
  'num_batches_tracked' and the 1008-way 'fc.*' classifier are dropped.
  """
  converted = {}
  for name, value in state_dict.items():
    if name.endswith("num_batches_tracked") or name.startswith("fc."):
      continue
    parts = name.split(".")
    suffix = ".".join(parts[-2:])
    if suffix not in _TORCH_TO_FLAX:
      raise ValueError(f"state_dict: unexpected key {name!r}; expected '<module>.conv.weight' or "
                       f"'<module>.bn.(weight|bias|running_mean|running_var)'")
    collection, leaf = _TORCH_TO_FLAX[suffix]
    value = np.asarray(value, np.float32)
    converted["/".join([collection, *parts[:-2], leaf])] = (
        value.transpose(2, 3, 1, 0) if suffix == "conv.weight" else value)
  return converted


def save_inception_variables(path, variables: Mapping) -> None:
  """Write variables to an .npz in the gen_jax layout."""
  np.savez(path, **{key: np.asarray(value) for key, value in flatten_variables(variables).items()})


def load_inception_variables(path) -> dict:
  """{'params', 'batch_stats'} from an .npz in either accepted layout, checked key by key and
  shape by shape against FIDInceptionV3 (ValueError naming what is missing or wrong)."""
  with np.load(path) as archive:
    flat = {key: archive[key] for key in archive.files}
  if any("." in key for key in flat):
    flat = convert_pytorch_fid_state_dict(flat)
  expected = _expected_shapes()
  missing, unexpected = sorted(set(expected) - set(flat)), sorted(set(flat) - set(expected))
  if missing or unexpected:
    raise ValueError(f"path: {path} does not hold FID Inception-v3 weights; missing "
                     f"{missing[:5]} ({len(missing)} in all), unexpected {unexpected[:5]} "
                     f"({len(unexpected)} in all)")
  wrong = [f"{key}: {flat[key].shape} != {shape}" for key, shape in expected.items()
           if flat[key].shape != shape]
  if wrong:
    raise ValueError(f"path: {path} has arrays of the wrong shape: {wrong[:5]}")
  return flax.traverse_util.unflatten_dict(
      {tuple(key.split("/")): jnp.asarray(value, jnp.float32) for key, value in flat.items()})


def preprocess(images: jax.Array, size: int = INPUT_SIZE) -> jax.Array:
  """images [B, H, W, C in {1, 3}] in [-1, 1] -> [B, size, size, 3], bilinear, no antialias."""
  if images.shape[-1] == 1:
    images = jnp.repeat(images, 3, axis=-1)
  return jax.image.resize(images, (images.shape[0], size, size, 3), "linear", antialias=False)


@jax.jit
def _pool3(variables, images):  # jitted once per input shape, shared by all weights
  return FIDInceptionV3().apply(variables, images)


def inception_feature_fn(variables: Mapping, batch_size: int = 50, size: int = INPUT_SIZE,
                         progress: bool = False) -> Callable[[Any], np.ndarray]:
  """images [N, H, W, C] in [-1, 1] -> pool3 features [N, 2048] (host float32), in batches.

  size: side the images are resized to; 299 for FID, smaller (>= 75) only for fast tests.
  """
  if size < MIN_INPUT_SIZE:
    raise ValueError(f"size: expected >= {MIN_INPUT_SIZE} (Inception-v3's minimum), got {size}")

  def features(images) -> np.ndarray:
    images = np.asarray(images, np.float32)
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
      raise ValueError(f"images: expected [N, H, W, 1 or 3], got shape {images.shape}")
    return batched_apply(lambda batch: _pool3(variables, preprocess(jnp.asarray(batch), size)),
                         images, batch_size, progress, desc="inception")

  return features


def inception_weights_feature_fn(weights_path: str, batch_size: int = 50,
                                 progress: bool = False) -> Callable[[Any], np.ndarray] | None:
  """The pool3 feature function for `eval.inception_weights` (an .npz path), or None when the
  path is '' (Inception FID off)."""
  if not weights_path:
    return None
  return inception_feature_fn(load_inception_variables(weights_path), batch_size, progress=progress)
