"""Digit domains for image-to-image translation: printed digits, attribute-edited handwriting, unpaired pairs.

- digits_printed: the digits 0-9 rendered from Pillow's bundled font
  (`ImageFont.load_default(size)`, no download) with a random size, position,
  rotation and stroke width, binarized on a 32x32 canvas and reduced to 8x8 by
  counting the set pixels of each 4x4 block (0..16, divided by 16): the way
  scikit-learn's handwritten digits were made from the NIST bitmaps. 1,437
  training and 360 test images (the sizes of `digits`), balanced over the
  classes, drawn by fixed numpy Generators (seed 0 for train, 1 for test), so
  the data is the same on every machine and for every run seed; y is the digit.
- digits_attributes: every handwritten digit of `digits` (same fixed split) in
  each of the 9 attribute domains (thickness normal / thick / thin) x (slant
  none / left / right), made on a 32x32 bilinear upsampling by grey dilation or
  erosion (3x3) and a horizontal shear x' = x -+ SHEAR (y - centre), then
  averaged back to 8x8 (the normal domain goes through the same resampling).
  y is the domain index d = 3 thickness + slant (thickness 0 normal, 1 thick,
  2 thin; slant 0 none, 1 left, 2 right); `attribute_vectors(d)` gives the 4
  binary attributes [thick, thin, slant_left, slant_right]. The digit of example
  i is `attribute_digit_labels(split)[i]`. Train 9 x 1,437, test 9 x 360.
- digits_unpaired: the two domains of CycleGAN's handwritten <-> printed task
  as one dataset: x [8, 8, 2], channel 0 a handwritten digit (domain A), channel
  1 a printed one (domain B, an independent fixed permutation of the printed
  split, so the pair's digits are unrelated); y = 0 (unlabeled: the digits of
  each domain are in `unpaired_labels(split)`). The translation losses never
  compare the two channels of one example, so the pairing only decides which
  examples share a batch.
"""

import dataclasses
import functools

import numpy as np

from gen_jax.data.images import check_image_options, digits_splits, finish_split, image_dataset
from gen_jax.data.spec import Dataset

CANVAS = 32                  # rendering resolution; 4x4 blocks -> 8x8
BLOCK = 4
PRINTED_SIZES = {"train": 1437, "test": 360}
PRINTED_SEEDS = {"train": 0, "test": 1}
FONT_SIZES = (34, 42)        # font size range (glyphs 26-31 pixels high on the 32x32 canvas), inclusive
MAX_SHIFT = 2                # centre offset range [-2, 2] pixels on the canvas
MAX_ROTATION = 15.0          # degrees, uniform in [-15, 15]
STROKES = (0, 1, 2)          # stroke widths drawn around the glyph
UNPAIRED_SEEDS = {"train": 2, "test": 3}

THICKNESS = ("normal", "thick", "thin")
SLANT = ("none", "left", "right")
ATTRIBUTES = ("thick", "thin", "slant_left", "slant_right")
NUM_DOMAINS = len(THICKNESS) * len(SLANT)
SHEAR = 0.35                 # horizontal shear of the slanted domains


def render_digit(digit: int, font_size: int, shift: tuple[int, int], rotation: float, stroke: int) -> np.ndarray:
  """One printed digit: [8, 8] float32 in [0, 1] (module doc)."""
  from PIL import Image, ImageDraw, ImageFont  # pylint: disable=import-outside-toplevel

  canvas = Image.new("L", (CANVAS, CANVAS), 0)
  centre = (CANVAS / 2 + shift[0], CANVAS / 2 + shift[1])
  ImageDraw.Draw(canvas).text(centre, str(digit), fill=255, font=ImageFont.load_default(size=font_size),
                              anchor="mm", stroke_width=stroke, stroke_fill=255)
  canvas = canvas.rotate(rotation, resample=Image.BILINEAR, center=centre)
  bitmap = np.asarray(canvas) >= 128                                            # [32, 32]
  counts = bitmap.reshape(CANVAS // BLOCK, BLOCK, CANVAS // BLOCK, BLOCK).sum(axis=(1, 3))
  return (counts / BLOCK ** 2).astype(np.float32)                              # [8, 8]


@functools.lru_cache(maxsize=2)
def printed_split(split: str) -> tuple[np.ndarray, np.ndarray]:
  """(x [N, 8, 8, 1] in [0, 1], y [N]) of the printed digits' `split` ('train' or 'test')."""
  n, rng = PRINTED_SIZES[split], np.random.default_rng(PRINTED_SEEDS[split])
  labels = rng.permutation(np.arange(n) % 10)
  images = [render_digit(int(d), int(rng.integers(FONT_SIZES[0], FONT_SIZES[1] + 1)),
                         tuple(int(s) for s in rng.integers(-MAX_SHIFT, MAX_SHIFT + 1, 2)),
                         float(rng.uniform(-MAX_ROTATION, MAX_ROTATION)), int(rng.choice(STROKES)))
            for d in labels]
  return np.stack(images)[..., None], labels.astype(np.int32)


def load_printed(data_config) -> Dataset:
  """The digits_printed dataset, binarized / scaled as `data_config` says (data.image_size must be 0)."""
  options = _options(data_config)
  splits = {split: finish_split(*printed_split(split), split, options) for split in ("train", "test")}
  return image_dataset("digits_printed", splits["train"], splits["test"], 10, options)


def attribute_vectors(domains) -> np.ndarray:
  """Domain indices [N] -> binary attributes [N, 4] = [thick, thin, slant_left, slant_right]."""
  domains = np.asarray(domains)
  thickness, slant = domains // len(SLANT), domains % len(SLANT)
  return np.stack([thickness == 1, thickness == 2, slant == 1, slant == 2], axis=-1).astype(np.float32)


def edit_attributes(images: np.ndarray, thickness: int, slant: int) -> np.ndarray:
  """[N, 8, 8, 1] in [0, 1] -> the same digits with the given thickness and slant (module doc)."""
  import scipy.ndimage as ndi  # pylint: disable=import-outside-toplevel

  scale = CANVAS // images.shape[1]
  out = []
  for image in images[..., 0]:
    big = np.clip(ndi.zoom(image, scale, order=1), 0.0, 1.0)                  # [32, 32]
    if THICKNESS[thickness] == "thick":
      big = ndi.grey_dilation(big, size=(3, 3))
    elif THICKNESS[thickness] == "thin":
      big = ndi.grey_erosion(big, size=(3, 3))
    if SLANT[slant] != "none":
      shear = SHEAR if SLANT[slant] == "right" else -SHEAR
      centre = (CANVAS - 1) / 2
      # output (r, c) reads input (r, c + shear (r - centre)): rows above the centre move right for shear > 0
      big = ndi.affine_transform(big, np.array([[1.0, 0.0], [shear, 1.0]]), offset=(0.0, -shear * centre), order=1)
    small = big.reshape(CANVAS // scale, scale, CANVAS // scale, scale).mean(axis=(1, 3))
    out.append(small)
  return np.clip(np.stack(out), 0.0, 1.0)[..., None].astype(np.float32)


@functools.lru_cache(maxsize=2)
def attribute_split(split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
  """(x [9 N, 8, 8, 1] in [0, 1], domain [9 N], digit [9 N]) of digits_attributes' `split`; domain-major."""
  x, digits = digits_splits()[0 if split == "train" else 1]
  edited = [edit_attributes(x, d // len(SLANT), d % len(SLANT)) for d in range(NUM_DOMAINS)]
  n = len(x)
  return (np.concatenate(edited), np.repeat(np.arange(NUM_DOMAINS), n).astype(np.int32),
          np.tile(digits, NUM_DOMAINS).astype(np.int32))


def attribute_digit_labels(split: str) -> np.ndarray:
  """[9 N]: the digit (0-9) of each example of digits_attributes' `split`."""
  return attribute_split(split)[2]


def load_attributes(data_config) -> Dataset:
  """The digits_attributes dataset (y = domain index), binarized / scaled as `data_config` says."""
  options = _options(data_config)
  splits = {split: finish_split(*attribute_split(split)[:2], split, options) for split in ("train", "test")}
  dataset = image_dataset("digits_attributes", splits["train"], splits["test"], NUM_DOMAINS, options)
  spec = dataclasses.replace(dataset.spec, attribute_table=attribute_vectors(np.arange(NUM_DOMAINS)),
                             attribute_names=ATTRIBUTES)
  return dataclasses.replace(dataset, spec=spec)


def _unpaired_order(split: str) -> np.ndarray:
  return np.random.default_rng(UNPAIRED_SEEDS[split]).permutation(PRINTED_SIZES[split])


def unpaired_labels(split: str) -> tuple[np.ndarray, np.ndarray]:
  """(digits of channel 0 [N], digits of channel 1 [N]) of digits_unpaired's `split`."""
  handwritten = digits_splits()[0 if split == "train" else 1][1]
  return handwritten.astype(np.int32), printed_split(split)[1][_unpaired_order(split)]


def load_unpaired(data_config) -> Dataset:
  """The digits_unpaired dataset (x [N, 8, 8, 2]: handwritten | printed; y = 0), scaled as `data_config` says."""
  options = _options(data_config)
  splits = {}
  for split, (x, _) in zip(("train", "test"), digits_splits()):
    printed = printed_split(split)[0][_unpaired_order(split)]
    both = np.concatenate([x, printed], axis=-1)                                 # [N, 8, 8, 2]
    splits[split] = finish_split(both, np.zeros(len(both), np.int32), split, options)
  dataset = image_dataset("digits_unpaired", splits["train"], splits["test"], 0, options)
  return dataclasses.replace(dataset, spec=dataclasses.replace(dataset.spec, unpaired=True))


def _options(data_config):
  options = check_image_options(data_config)
  if options[2]:
    raise ValueError(f"data.image_size: expected 0 for data.name={data_config.name!r} (made at 8x8), "
                     f"got {options[2]}")
  return options
