"""Random-access image sources on disk: a folder of PNG/JPEG files, ArrayRecord files, a tfds data source.

Every source has `len(source)`, `source.read(i) -> (pixels [H, W, C] uint8, label)`
(raising on an unreadable record), `source.describe(i)` (what to name in a
warning), `num_classes` (0 = unlabeled) and `channels` (1 or 3). Sources are
pickled into grain's worker processes, so they hold file names, not open files.

- `FolderSource(root)`: every *.png / *.jpg / *.jpeg below `root`, sorted by
  path. When `root` has subfolders holding images, each first-level subfolder
  is a class (labels 0.. in sorted order, like torchvision's ImageFolder; images
  directly in `root` are then ignored); otherwise the images are unlabeled.
- `ArrayRecordSource(paths)`: each record is one encoded PNG/JPEG image, unlabeled.
- `TfdsSource(source, key)`: a `tfds.data_source`'s Image feature `key` and its
  ClassLabel 'label', or with `attributes` (names of boolean features in the dict
  feature 'attributes', as celeb_a's) the label y = sum_k a_k 2^k that packs them.
"""

import os

import numpy as np

from gen_jax.data import decode

# Images whose sizes `probe` reads to find the native size and channels.
PROBE_COUNT = 64


class FolderSource:
  """The images below a folder; class subfolders become labels (see module doc)."""

  def __init__(self, root: str):
    self.root = root
    classes = sorted(e.name for e in os.scandir(root) if e.is_dir() and not e.name.startswith("."))
    labelled = [(c, _images_below(os.path.join(root, c))) for c in classes]
    labelled = [(c, files) for c, files in labelled if files]
    if labelled:
      self.class_names = [c for c, _ in labelled]
      self.paths = [os.path.join(c, f) for c, files in labelled for f in files]
      self.labels = np.concatenate([np.full(len(files), k, np.int32) for k, (_, files) in enumerate(labelled)])
    else:
      self.class_names = []
      self.paths = _images_below(root)
      self.labels = np.zeros(len(self.paths), np.int32)
    self.num_classes = len(self.class_names)
    self.channels = 3

  def __len__(self) -> int:
    return len(self.paths)

  def describe(self, index: int) -> str:
    return os.path.join(self.root, self.paths[index])

  def image(self, index: int, load: bool = True):
    return decode.open_image(os.path.join(self.root, self.paths[index]), load)

  def read(self, index: int) -> tuple[np.ndarray, int]:
    return decode.to_pixels(self.image(index), self.channels), int(self.labels[index])


def _images_below(folder: str) -> list[str]:
  """Sorted paths (relative to `folder`) of the PNG/JPEG files anywhere below it."""
  found = []
  for directory, subdirs, files in os.walk(folder):
    subdirs[:] = [d for d in subdirs if not d.startswith(".")]
    relative = os.path.relpath(directory, folder)
    found += [os.path.normpath(os.path.join(relative, f)) for f in files
              if f.lower().endswith(decode.IMAGE_SUFFIXES) and not f.startswith(".")]
  return sorted(found)


class ArrayRecordSource:
  """Encoded PNG/JPEG images, one per record of ArrayRecord files (unlabeled)."""

  def __init__(self, paths: list[str]):
    import grain  # pylint: disable=import-outside-toplevel

    self.paths = paths
    self.records = grain.sources.ArrayRecordDataSource(paths)
    self.num_classes = 0
    self.channels = 3

  def __len__(self) -> int:
    return len(self.records)

  def describe(self, index: int) -> str:
    return f"record {index} of {self.paths}"

  def image(self, index: int, load: bool = True):
    return decode.open_image(self.records[index], load)

  def read(self, index: int) -> tuple[np.ndarray, int]:
    return decode.to_pixels(self.image(index), self.channels), 0


class TfdsSource:
  """Image feature `key` (and ClassLabel 'label', if `num_classes`) of a `tfds.data_source`; with
  `attributes` (K names) the label packs those boolean 'attributes' as bits, y = sum_k a_k 2^k, and
  num_classes is 2^K."""

  def __init__(self, source, key: str, num_classes: int, description: str, attributes: tuple[str, ...] = ()):
    self.source, self.key, self.description, self.attributes = source, key, description, tuple(attributes)
    self.num_classes = 2 ** len(self.attributes) if self.attributes else num_classes
    shape = source.dataset_info.features[key].shape
    self.channels = shape[-1] if shape[-1] in (1, 3) else 3
    self.feature_shape = shape

  def __len__(self) -> int:
    return len(self.source)

  def describe(self, index: int) -> str:
    return f"example {index} of {self.description}"

  def read(self, index: int) -> tuple[np.ndarray, int]:
    record = self.source[index]
    pixels = np.asarray(record[self.key])
    if pixels.ndim == 2:
      pixels = pixels[..., None]
    if pixels.dtype != np.uint8:  # 16-bit images: keep the top 8 bits
      pixels = (pixels.astype(np.uint32) >> (8 * (pixels.dtype.itemsize - 1))).astype(np.uint8)
    if self.attributes:
      return pixels, sum(int(bool(record["attributes"][name])) << k for k, name in enumerate(self.attributes))
    return pixels, int(record["label"]) if self.num_classes else 0


def probe(source, field: str) -> tuple[tuple[int, int], int]:
  """((H, W), channels) shared by up to PROBE_COUNT images spread evenly over a folder or ArrayRecord source.

  Reads headers only, so it takes milliseconds for any dataset size; an image of
  another size that the probe missed is centre-cropped and resized like the rest.

  ValueError naming `field` when their sizes differ (then data.image_size must
  be set) or none of them can be opened.
  """
  n = len(source)
  sizes, channels = set(), set()
  for index in sorted(set(np.linspace(0, n - 1, min(n, PROBE_COUNT)).astype(int).tolist())):
    try:
      image = source.image(index, load=False)  # the header: size and mode
    except (OSError, ValueError, decode.Image.DecompressionBombError):
      continue
    sizes.add((image.height, image.width))
    channels.add(decode.channels_of(image))
  if not sizes:
    raise ValueError(f"{field}: none of the {len(source)} images checked could be opened")
  if len(sizes) > 1:
    shown = ", ".join(f"{h}x{w}" for h, w in sorted(sizes)[:4])
    raise ValueError(f"data.image_size: the images of {field} have different sizes ({shown}); "
                     "set data.image_size=S to centre-crop and resize them all to S x S")
  return sizes.pop(), 3 if 3 in channels else 1
