"""Any tensorflow-datasets image dataset, read through `tfds.data_source` (no TensorFlow needed).

`data.name` is one of TFDS_NAMES or 'tfds:NAME' for any other tfds dataset with
an Image feature. The split named by `data.split` (and `data.test_split`, '' for
none; tfds slicing such as 'train[:10%]' works) is read completely into a
float32 array, in chunks of READ_CHUNK records, each chunk scaled to [0, 1] and
(when `data.image_size` > 0) centre-cropped to a square and resized before the
next is read, so peak memory is about the final array: N * S * S * C * 4 bytes
(MNIST 60,000 x 28x28 -> 188 MB; CIFAR-10 -> 614 MB; CelebA train at the
default 64x64 -> 162,770 x 64x64x3 -> 8.0 GB, at 32x32 2.0 GB). Labels come from
a ClassLabel feature named 'label' (zeros and num_classes 0 without one).

Nothing is downloaded (`download=False`): a dataset must be prepared in the
array_record format beforehand (`prepare_instructions` says how).
"""

import numpy as np
import tensorflow_datasets as tfds

from gen_jax.data.images import check_image_options, finish_split, image_dataset, resize_images

TFDS_NAMES = ("mnist", "fashion_mnist", "cifar10", "celeb_a")
TFDS_PREFIX = "tfds:"
DEFAULT_IMAGE_SIZE = {"celeb_a": 64}
READ_CHUNK = 1024


def prepare_instructions(name: str, data_dir: str) -> str:
  """How to prepare tfds dataset `name` in `data_dir` for `tfds.data_source` (array_record files)."""
  where = data_dir or f"{tfds.core.constants.DATA_DIR} (tfds' default; set data.data_dir to change it)"
  return (f"tfds dataset {name!r} is not prepared in data_dir {where}. Prepare it once, on a machine "
          f"with internet (most builders also need `pip install tensorflow` to prepare, not to read), "
          f"in the array_record format that tfds.data_source reads:\n"
          f"  python -c \"import tensorflow_datasets as tfds; tfds.builder({name!r}, "
          f"data_dir={data_dir or None!r}, file_format='array_record').download_and_prepare()\"\n"
          f"or tfds build {name} --file_format=array_record"
          + (f" --data_dir={data_dir}" if data_dir else "")
          + "\nthen point data.data_dir at that directory.")


def open_source(name: str, split: str, data_dir: str, field: str):
  """tfds.data_source(name, split=split, data_dir=data_dir, download=False), with errors that say what to do.

  ValueError naming data.name for an unknown dataset and `field` for an unknown
  split; RuntimeError with the preparation commands when the data is not there.
  """
  try:
    return tfds.data_source(name, split=split, data_dir=data_dir or None, download=False)
  except tfds.core.registered.DatasetNotFoundError as e:
    raise ValueError(f"data.name: tensorflow-datasets has no dataset {name!r}") from e
  except ValueError as e:
    raise ValueError(f"{field}: cannot read split {split!r} of tfds dataset {name!r}: {e}") from e
  except (OSError, RuntimeError, AssertionError, KeyError) as e:
    raise RuntimeError(f"{prepare_instructions(name, data_dir)}\n(tfds said: {e})") from e


def image_key(features, name: str) -> str:
  """The key of the Image feature ('image' when there are several); ValueError naming data.name if none."""
  keys = [k for k, f in features.items() if isinstance(f, tfds.features.Image)]
  if not keys:
    raise ValueError(f"data.name: tfds dataset {name!r} has no Image feature (features: {list(features)})")
  return "image" if "image" in keys else keys[0]


def num_classes(features) -> int:
  """Classes of the ClassLabel feature 'label', 0 without one."""
  label = dict(features.items()).get("label")
  return label.num_classes if isinstance(label, tfds.features.ClassLabel) else 0


def read_split(source, key: str, labelled: bool, image_size: int):
  """(x [N, H, W, C] float32 in [0, 1], y [N] int32) of a whole tfds split, read in chunks."""
  n = len(source)
  x = y = None
  for begin in range(0, n, READ_CHUNK):
    records = [source[i] for i in range(begin, min(n, begin + READ_CHUNK))]
    pixels = np.stack([np.asarray(r[key]) for r in records])  # [chunk, H, W, C]
    if np.issubdtype(pixels.dtype, np.integer):
      pixels = pixels.astype(np.float32) / np.iinfo(pixels.dtype).max
    if pixels.ndim == 3:
      pixels = pixels[..., None]
    if image_size:
      pixels = resize_images(pixels, image_size)
    if x is None:
      x = np.empty((n, *pixels.shape[1:]), np.float32)
      y = np.zeros(n, np.int32)
    x[begin:begin + len(records)] = pixels
    if labelled:
      y[begin:begin + len(records)] = [int(r["label"]) for r in records]
  if x is None:
    raise ValueError("data.split: the split has no examples")
  return x, y


def load_tfds(name: str, data_config):
  """Dataset of tfds `name` ('tfds:' prefix removed): data.split as train, data.test_split as test."""
  options = check_image_options(data_config)
  tfds_name = name.removeprefix(TFDS_PREFIX)
  image_size = options[2] or DEFAULT_IMAGE_SIZE.get(tfds_name, 0)
  options = (*options[:2], image_size)
  splits = {}
  classes = 0
  for split, field in (("train", "data.split"), ("test", "data.test_split")):
    split_name = getattr(data_config, field.removeprefix("data."))
    if split == "test" and not split_name:
      splits[split] = None
      continue
    source = open_source(tfds_name, split_name, data_config.data_dir, field)
    features = source.dataset_info.features
    classes = num_classes(features)
    x, y = read_split(source, image_key(features, tfds_name), classes > 0, image_size)
    splits[split] = finish_split(x, y, split, options)
  return image_dataset(name, splits["train"], splits["test"], classes, options)
