"""Paired image datasets cut from real photographs: super-resolution and colourisation patches.

The photographs are the ones bundled with scikit-learn (`load_sample_images`: china, flower)
and scikit-image (`skimage.data`: astronaut, coffee, rocket, chelsea); all load offline.
Whole photographs are held out, so test patches come from scenes the model never saw:

- train: china (427x640), astronaut (512x512), coffee (400x600), rocket (427x640);
- test: flower (427x640, scikit-learn) and chelsea (300x451, the cat, scikit-image).

`data.train_photos` (comma-separated, '' = those four) may also name scikit-image's other bundled
photographs (EXTRA_PHOTOS): stereo_motorcycle (its left view, 500x741), immunohistochemistry
(512x512), and the grayscale camera, brick, grass, gravel, moon (512x512) and coins (303x384), each
repeated over the three channels; the test photographs are never among them.

Patches of `data.image_size` pixels (0 = 32) are cut on a regular grid, with stride
`data.patch_stride` (0 = half a patch) in the training photographs and a whole patch (no
overlap) in the test ones: no randomness, so the dataset is the same on every machine; the
pipeline shuffles it by the run seed. Each dataset is a 'paired' DataSpec whose splits hold
'x' (the target), 'condition' (the input) and 'y' (the photograph's index):

- photos_sr: 'x' the high-resolution patch [S, S, 3]; 'condition' its bicubic downsampling by
  `data.sr_factor` (default 4) [S / f, S / f, 3] (`bicubic_downsample`: Keys' cubic,
  a = -0.5, antialiased like MATLAB's imresize), the degradation SRGAN and ESRGAN train on.
  With the defaults: 3,775 train and 386 test patches, HR 32x32, LR 8x8.
- photos_color: 'x' the colour patch [S, S, 3]; 'condition' its luminance
  Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601) [S, S, 1].

`data.dihedral` = True adds the 7 other rotations and reflections of every training pair (8x the
training patches, `dihedral_copies`; EDSR's augmentation): bicubic downsampling commutes with them,
so each copy is still a photograph's patch and its input. The test split is never augmented.

Values are scaled by `data.scale` ('-1_1' or '0_1') like every image dataset (both 'x' and
'condition'). `load_div2k` cuts photos_sr patches from DIV2K's high-resolution images
(tensorflow-datasets 'div2k', prepared by the user).

`load_single_photo` ('photo', SinGAN's data): ONE photograph, `data.photo` (any of the above),
resized (antialiased bilinear) so that its longer side is `data.image_size` pixels (0 = 48);
the training split holds `data.num_examples` copies of it (a batch is several noise draws against
the same image), the test split the image once.
"""

from typing import Iterable

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.checks import check_choice, check_non_negative_int, check_positive_int
from gen_jax.data.images import SCALES, scale_images
from gen_jax.data.spec import DataSpec, Dataset

TRAIN_PHOTOS = ("sklearn:china", "skimage:astronaut", "skimage:coffee", "skimage:rocket")
TEST_PHOTOS = ("sklearn:flower", "skimage:chelsea")
EXTRA_PHOTOS = ("skimage:stereo_motorcycle", "skimage:immunohistochemistry",       # colour
                "skimage:camera", "skimage:brick", "skimage:grass", "skimage:gravel", "skimage:moon",
                "skimage:coins")                                                     # grayscale
DEFAULT_PATCH = 32
DEFAULT_SR_FACTOR = 4
LUMINANCE = (0.299, 0.587, 0.114)
TASKS = ("sr", "color")
PHOTOS = TRAIN_PHOTOS + TEST_PHOTOS
DEFAULT_MAX_SIDE = 48


def photo(name: str) -> np.ndarray:
  """The bundled photograph 'sklearn:NAME' or 'skimage:NAME' as [H, W, 3] float32 in [0, 1]: a stereo pair's
  left view, a grayscale image's value in all three channels."""
  library, _, image = name.partition(":")
  check_choice(library, ("sklearn", "skimage"), "photo library")
  if library == "sklearn":
    import sklearn.datasets  # pylint: disable=import-outside-toplevel  (seconds to import: only when used)

    bundle = sklearn.datasets.load_sample_images()
    pixels = bundle.images[[f.rsplit("/", 1)[-1] for f in bundle.filenames].index(f"{image}.jpg")]
  else:
    import skimage.data  # pylint: disable=import-outside-toplevel

    pixels = getattr(skimage.data, image)()
    pixels = pixels[0] if isinstance(pixels, tuple) else pixels
  pixels = np.asarray(pixels, np.float32) / 255.0
  return np.repeat(pixels[..., None], 3, axis=-1) if pixels.ndim == 2 else pixels[..., :3]


def train_photo_names(data_config) -> tuple[str, ...]:
  """The training photographs `data.train_photos` names (comma-separated; '' = TRAIN_PHOTOS), validated:
  each one of TRAIN_PHOTOS + EXTRA_PHOTOS, none repeated, so the held-out TEST_PHOTOS stay unseen."""
  names = tuple(n.strip() for n in data_config.get("train_photos", "").split(",") if n.strip()) or TRAIN_PHOTOS
  for name in names:
    check_choice(name, TRAIN_PHOTOS + EXTRA_PHOTOS, "data.train_photos")
  if len(set(names)) < len(names):
    raise ValueError(f"data.train_photos: expected distinct photographs, got {', '.join(names)}")
  return names


def grid_patches(image: np.ndarray, size: int, stride: int) -> np.ndarray:
  """[N, size, size, C]: the patches of image [H, W, C] whose top-left corners lie on a grid of `stride`."""
  h, w = image.shape[:2]
  return np.stack([image[i:i + size, j:j + size] for i in range(0, h - size + 1, stride)
                   for j in range(0, w - size + 1, stride)])


def bicubic_downsample(images: np.ndarray, factor: int) -> np.ndarray:
  """[N, H, W, C] in [0, 1] -> [N, H / f, W / f, C]: antialiased bicubic resize (jax.image.resize), clipped."""
  n, h, w, c = images.shape
  with jax.default_device(jax.devices("cpu")[0]):
    small = jax.image.resize(jnp.asarray(images), (n, h // factor, w // factor, c), "bicubic", antialias=True)
  return np.clip(np.asarray(small), 0.0, 1.0)


def luminance(images: np.ndarray) -> np.ndarray:
  """[N, H, W, 3] RGB -> [N, H, W, 1]: Y = 0.299 R + 0.587 G + 0.114 B."""
  return (np.asarray(images, np.float32) @ np.asarray(LUMINANCE, np.float32))[..., None]


def patch_options(data_config) -> tuple[int, int, int, str]:
  """Validated (patch size, training stride, sr factor, scale) of `data_config` (defaults for 0 / absent)."""
  size = check_non_negative_int(data_config.image_size, "data.image_size") or DEFAULT_PATCH
  stride = check_non_negative_int(data_config.get("patch_stride", 0), "data.patch_stride") or max(size // 2, 1)
  factor = check_positive_int(data_config.get("sr_factor", DEFAULT_SR_FACTOR), "data.sr_factor")
  if size % factor or stride % factor:
    raise ValueError(f"data.sr_factor: expected a divisor of the patch size {size} (data.image_size) and of "
                     f"the stride {stride} (data.patch_stride), got {factor}")
  check_choice(data_config.binarize, ("none",), "data.binarize")
  return size, stride, factor, check_choice(data_config.scale, SCALES, "data.scale")


def crop_to_multiple(image: np.ndarray, factor: int) -> np.ndarray:
  """image [H, W, C] cropped at the bottom and right to sides that are multiples of `factor`."""
  h, w = (d - d % factor for d in image.shape[:2])
  return image[:h, :w]


def whole_sr_pair(image: np.ndarray, factor: int) -> tuple[np.ndarray, np.ndarray]:
  """(target [H, W, 3], input [H / f, W / f, 3]) of a whole photograph: the photograph cropped to a
  multiple of f, and its bicubic downsampling by f."""
  image = crop_to_multiple(image, factor)
  return image, bicubic_downsample(image[None], factor)[0]


def photo_pairs(image: np.ndarray, task: str, size: int, stride: int, factor: int) -> tuple[np.ndarray, np.ndarray]:
  """(targets [N, S, S, 3], inputs) of one photograph's grid patches: for 'sr' the LR patches
  [N, S / f, S / f, 3] are cut at the same places from the whole photograph's bicubic downsampling
  (`whole_sr_pair`), so no patch border is resampled; for 'color' their luminance."""
  if task == "color":
    x = grid_patches(crop_to_multiple(image, factor), size, stride)
    return x, luminance(x)
  image, small = whole_sr_pair(image, factor)
  return grid_patches(image, size, stride), grid_patches(small, size // factor, stride // factor)


def held_out_sr_photos(data_config) -> list[tuple[np.ndarray, np.ndarray]]:
  """[(target [H, W, 3], input [H / f, W / f, 3])] of each held-out photograph of photos_sr, whole
  (`whole_sr_pair`), scaled by data.scale: the images whose patches make the test split."""
  _, _, factor, scale = patch_options(data_config)
  pairs = [whole_sr_pair(photo(name), factor) for name in TEST_PHOTOS]
  return [(scale_images(x, scale), scale_images(c, scale)) for x, c in pairs]


def paired_split(photos: Iterable[np.ndarray], task: str, size: int, stride: int, factor: int, scale: str,
                 per_photo: int = 0) -> dict[str, np.ndarray]:
  """{'x': targets, 'condition': inputs, 'y': photo index} of the grid patches of `photos` (module doc);
  `per_photo` > 0 keeps that many patches of each photograph, evenly spaced over its grid (photographs
  are read one at a time, so an iterator of large ones never sits in memory at once)."""
  pairs = []
  for image in photos:
    x, condition = photo_pairs(image, task, size, stride, factor)
    keep = np.linspace(0, len(x) - 1, min(per_photo, len(x))).astype(int) if per_photo else slice(None)
    pairs.append((x[keep], condition[keep]))
  y = np.concatenate([np.full(len(x), i, np.int32) for i, (x, _) in enumerate(pairs)])
  return {"x": scale_images(np.concatenate([x for x, _ in pairs]), scale),
          "condition": scale_images(np.concatenate([c for _, c in pairs]), scale), "y": y}


def dihedral_copies(split: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
  """The 8 rotations and reflections of every pair: 'x' and 'condition' [N, H, W, C] rotated by k 90-degree
  turns, k = 0..3, then each also mirrored left-right; 'y' repeated. [8N, ...], the originals first."""
  def transforms(images):
    turned = [np.rot90(images, k, axes=(1, 2)) for k in range(4)]
    return np.concatenate(turned + [t[:, :, ::-1] for t in turned])
  return {"x": transforms(split["x"]), "condition": transforms(split["condition"]), "y": np.tile(split["y"], 8)}


def with_dihedral_copies(train: dict[str, np.ndarray], data_config) -> dict[str, np.ndarray]:
  """The training split with its `dihedral_copies` when data.dihedral (validated: True or False), else as given."""
  dihedral = data_config.get("dihedral", False)
  if not isinstance(dihedral, bool):
    raise ValueError(f"data.dihedral: expected True or False, got {dihedral!r}")
  return dihedral_copies(train) if dihedral else train


def paired_dataset(name: str, train: dict, test: dict, scale: str) -> Dataset:
  """A Dataset of kind 'paired' (example_shape: the targets'; condition_shape: the inputs')."""
  spec = DataSpec(name=name, kind="paired", example_shape=tuple(train["x"].shape[1:]), num_classes=0,
                  value_range=(-1.0, 1.0) if scale == "-1_1" else (0.0, 1.0), mode_centres=None,
                  mode_std=None, binarized=False, condition_shape=tuple(train["condition"].shape[1:]))
  return Dataset(spec, train, test)


def load_photos(task: str, data_config) -> Dataset:
  """photos_sr (task 'sr') or photos_color (task 'color') as `data_config` says (module doc)."""
  check_choice(task, TASKS, "task")
  size, stride, factor, scale = patch_options(data_config)
  train_photos = (photo(n) for n in train_photo_names(data_config))             # read one at a time
  train = with_dihedral_copies(paired_split(train_photos, task, size, stride, factor, scale), data_config)
  test = paired_split([photo(n) for n in TEST_PHOTOS], task, size, size, factor, scale)
  return paired_dataset(f"photos_{task}", train, test, scale)


def load_div2k(data_config) -> Dataset:
  """'div2k_sr': photos_sr patches cut from DIV2K's HR images (tfds 'div2k', data.data_dir; no download here).

  Train: data.num_examples patches from the 'train' split (each image contributes equally,
  evenly spaced over its grid; x 8 with data.dihedral); test: the 'validation' split's patches, at most as many.
  """
  import tensorflow_datasets as tfds  # pylint: disable=import-outside-toplevel

  size, stride, factor, scale = patch_options(data_config)
  limit = check_positive_int(data_config.num_examples, "data.num_examples")
  splits = {}
  for split, step in (("train", stride), ("validation", size)):
    source = tfds.data_source("div2k", split=split, data_dir=data_config.data_dir or None)
    per_image = max(limit // len(source), 1)
    photos = (np.asarray(source[i]["hr"], np.float32) / 255.0 for i in range(len(source)))
    splits[split] = paired_split(photos, "sr", size, step, factor, scale, per_image)
  return paired_dataset("div2k_sr", with_dihedral_copies(splits["train"], data_config), splits["validation"], scale)


def resize_max_side(image: np.ndarray, max_side: int) -> np.ndarray:
  """image [H, W, C] resized (bilinear, antialiased) so that max(H', W') = max_side, the aspect ratio kept."""
  h, w = image.shape[:2]
  ratio = max_side / max(h, w)
  shape = (max(round(h * ratio), 1), max(round(w * ratio), 1), image.shape[-1])
  with jax.default_device(jax.devices("cpu")[0]):
    small = jax.image.resize(jnp.asarray(image), shape, "bilinear", antialias=True)
  return np.clip(np.asarray(small), 0.0, 1.0)


def load_single_photo(data_config) -> Dataset:
  """'photo': one photograph (data.photo) at data.image_size on its longer side (module doc)."""
  name = check_choice(data_config.photo, PHOTOS, "data.photo")
  max_side = check_non_negative_int(data_config.image_size, "data.image_size") or DEFAULT_MAX_SIDE
  copies = check_positive_int(data_config.num_examples, "data.num_examples")
  check_choice(data_config.binarize, ("none",), "data.binarize")
  scale = check_choice(data_config.scale, SCALES, "data.scale")
  image = scale_images(resize_max_side(photo(name), max_side)[None], scale)            # [1, H, W, 3]
  spec = DataSpec(name="photo", kind="images", example_shape=tuple(image.shape[1:]), num_classes=0,
                  value_range=(-1.0, 1.0) if scale == "-1_1" else (0.0, 1.0), mode_centres=None,
                  mode_std=None, binarized=False)
  zeros = lambda n: np.zeros(n, np.int32)
  return Dataset(spec, {"x": np.repeat(image, copies, axis=0), "y": zeros(copies)}, {"x": image, "y": zeros(1)})
