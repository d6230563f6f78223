"""Image datasets: scikit-learn's bundled digits (offline default) and the shared image processing.

Processing order for in-memory image datasets (digits; data on disk is
streamed in uint8, see `streaming` and `decode`): pixels in [0, 1] ->
centre crop to a square and bilinear resize when `data.image_size` > 0 ->
static binarization (optional) -> scaling to `data.scale`.

- digits: sklearn.datasets.load_digits, 1,797 images of 8x8 pixels with values
  0..16 (divided by 16), 10 classes. FIXED split: stratified by class with
  sklearn's train_test_split(test_size=360, random_state=0) -> 1,437 train /
  360 test images, the same on every machine and for every run seed.
  `data.image_size` 16, 28 or 32 upsamples them bilinearly (any size >= 1 works).
- scale: '-1_1' maps p -> 2p - 1, '0_1' keeps p.
- binarize: 'static' replaces each pixel once by a Bernoulli(p) draw from a
  fixed numpy Generator (seed 0 for the training split, 1 for the test split),
  as in the statically binarized MNIST of Larochelle & Murray (2011);
  'dynamic' keeps the training split's p and the pipeline draws Bernoulli(p) afresh for every batch
  (`BatchStream(binarize='dynamic')`), while the held-out split is binarized once exactly as 'static'
  does, so held-out likelihoods of either choice are on the same binary images. Both need
  `data.scale='0_1'`.
"""

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.checks import check_choice, check_non_negative_int
from gen_jax.data.spec import DataSpec, Dataset, split_dict

SCALES = ("-1_1", "0_1")
BINARIZATIONS = ("none", "static", "dynamic")
DIGITS_TEST_SIZE = 360
DIGITS_SPLIT_SEED = 0
STATIC_BINARIZATION_SEEDS = {"train": 0, "test": 1}


def check_image_options(data_config):
  """Validated (scale, binarize, image_size) of `data_config`; ValueError naming the field otherwise."""
  scale, binarize, image_size = data_config.scale, data_config.binarize, data_config.image_size
  check_choice(scale, SCALES, "data.scale")
  check_choice(binarize, BINARIZATIONS, "data.binarize")
  if binarize != "none" and scale != "0_1":
    raise ValueError(f"data.scale: data.binarize={binarize!r} needs data.scale='0_1' "
                     f"(pixels are Bernoulli probabilities), got {scale!r}")
  check_non_negative_int(image_size, "data.image_size")
  return scale, binarize, image_size


def center_crop_square(images: np.ndarray) -> np.ndarray:
  """[N, H, W, C] -> [N, S, S, C], S = min(H, W): the central square."""
  h, w = images.shape[1:3]
  s = min(h, w)
  top, left = (h - s) // 2, (w - s) // 2
  return images[:, top:top + s, left:left + s]


def resize_images(images: np.ndarray, size: int) -> np.ndarray:
  """[N, H, W, C] in [0, 1] -> [N, size, size, C] float32: central square crop, then bilinear resize.

  Uses jax.image.resize (antialiased when shrinking) on the CPU device; the
  result is clipped to [0, 1] against rounding.
  """
  square = center_crop_square(images)
  n, s, _, c = square.shape
  if s == size:
    return square.astype(np.float32)
  with jax.default_device(jax.devices("cpu")[0]):
    out = jax.image.resize(jnp.asarray(square, jnp.float32), (n, size, size, c), "bilinear")
  return np.clip(np.asarray(out), 0.0, 1.0)


def binarize_static(images: np.ndarray, seed: int) -> np.ndarray:
  """One fixed Bernoulli(p) draw per pixel: 1 where u < p, u ~ U(0, 1) from a Generator seeded `seed`."""
  u = np.random.default_rng(seed).random(images.shape, dtype=np.float32)
  return (u < images).astype(np.float32)


def scale_images(images: np.ndarray, scale: str) -> np.ndarray:
  """p in [0, 1] -> 2p - 1 for '-1_1', p for '0_1'."""
  return (2 * images - 1 if scale == "-1_1" else images).astype(np.float32)


def binarized_once(binarize: str, split: str) -> bool:
  """Whether `split` gets the one fixed Bernoulli draw (seed STATIC_BINARIZATION_SEEDS[split]): every split
  under 'static', the held-out one under 'dynamic' (whose training batches are drawn afresh)."""
  return binarize == "static" or (binarize == "dynamic" and split == "test")


def finish_split(images: np.ndarray, labels: np.ndarray, split: str, options) -> dict[str, np.ndarray]:
  """Static binarization (of every split, or of the held-out one under 'dynamic') and scaling of one split's
  [0, 1] images (already resized)."""
  scale, binarize, _ = options
  if binarized_once(binarize, split):
    images = binarize_static(images, STATIC_BINARIZATION_SEEDS[split])
  return split_dict(scale_images(images, scale), labels)


def image_dataset(name: str, train: dict, test: dict | None, num_classes: int, options) -> Dataset:
  """Dataset of finished image splits; `options` = check_image_options(data_config)."""
  scale, binarize, _ = options
  spec = DataSpec(
      name=name, kind="images", example_shape=tuple(train["x"].shape[1:]), num_classes=num_classes,
      value_range=(-1.0, 1.0) if scale == "-1_1" else (0.0, 1.0),
      mode_centres=None, mode_std=None, binarized=binarize != "none")
  return Dataset(spec, train, test)


def digits_splits() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
  """((x_train [1437, 8, 8, 1], y_train), (x_test [360, 8, 8, 1], y_test)), pixels in [0, 1]."""
  import sklearn.datasets  # pylint: disable=import-outside-toplevel  (seconds to import: only when used)
  import sklearn.model_selection  # pylint: disable=import-outside-toplevel

  digits = sklearn.datasets.load_digits()
  images = (digits.images / 16.0).astype(np.float32)[..., None]  # [1797, 8, 8, 1]
  x_train, x_test, y_train, y_test = sklearn.model_selection.train_test_split(
      images, digits.target, test_size=DIGITS_TEST_SIZE, stratify=digits.target,
      random_state=DIGITS_SPLIT_SEED)
  return (x_train, y_train), (x_test, y_test)


def load_digits(data_config) -> Dataset:
  """The digits dataset with the fixed split, resized / binarized / scaled as `data_config` says."""
  options = check_image_options(data_config)
  image_size = options[2]
  splits = {}
  for split, (x, y) in zip(("train", "test"), digits_splits()):
    if image_size:
      x = resize_images(x, image_size)
    splits[split] = finish_split(x, y, split, options)
  return image_dataset("digits", splits["train"], splits["test"], 10, options)


def check_image_shape(spec: DataSpec, expected_shape, field: str):
  """ValueError naming `field` unless `spec`'s examples have shape `expected_shape` (H, W, C)."""
  expected = tuple(expected_shape)
  actual = tuple(spec.example_shape)
  if spec.kind != "images":
    raise ValueError(f"{field}: expects images of shape {expected}, but data.name={spec.name!r} "
                     f"holds {spec.kind} of shape {actual}")
  if len(expected) != 3:
    raise ValueError(f"{field}: expected an image shape (H, W, C), got {expected}")
  if actual[2] != expected[2]:
    raise ValueError(f"{field}: the model expects {expected[2]} channel(s) but data.name={spec.name!r} "
                     f"has {actual[2]} (images {actual})")
  if actual != expected:
    raise ValueError(f"{field}: the model expects images of shape {expected} but data.name={spec.name!r} "
                     f"yields {actual}; set data.image_size={expected[0]} or change {field}")
