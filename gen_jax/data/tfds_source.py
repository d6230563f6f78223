"""Any tensorflow-datasets image dataset, streamed from `tfds.data_source` (no TensorFlow needed).

`data.name` is one of TFDS_NAMES or 'tfds:NAME' for any other tfds dataset with
an Image feature. The split named by `data.split` is the training stream
(`disk.streamed_dataset`: read batch by batch by grain workers, uint8, centre
crop and resize to `data.image_size` when > 0; nothing is read whole into
memory), `data.test_split` ('' for none; tfds slicing such as 'train[:10%]'
works) the held-out reference for evaluation (`data.eval_examples` of its
examples). Labels come from a ClassLabel feature named 'label' (zeros and
num_classes 0 without one).

Two translation datasets are built on the same streamed splits:

- 'tfds_unpaired:NAME' (`load_unpaired`; e.g. NAME = cycle_gan/horse2zebra): CycleGAN's unpaired
  data. Domain A is read from splits data.split / data.test_split, domain B from data.split_b /
  data.test_split_b (cycle_gan's trainA, testA, trainB, testB); each example stacks an A image
  (channels [0, 3)) and a B image ([3, 6)) like digits_unpaired. The training pairs are drawn by
  two independent seeded orders, one per domain, redrawn every epoch (`streaming`), so the pairing is
  random and reshuffled; the held-out pairs take evenly spaced images of each test split. y = 0.
- 'celeb_a_attributes' (`load_attributes`): celeb_a's images (218x178, centre-cropped to 178x178
  and resized to data.image_size, 0 = 128, as StarGAN does) labelled by the K boolean attributes
  named in data.attributes, packed as y = sum_k a_k 2^k (2^K domains; `attribute_table` unpacks y
  into the attribute vector, as digits_attributes' y indexes its attribute table).

Nothing is downloaded (`download=False`): a dataset must be prepared in the
array_record format beforehand (`prepare_instructions` says how).
"""

import dataclasses
import logging

import numpy as np
import tensorflow_datasets as tfds

from gen_jax.data import disk, sources
from gen_jax.data.images import check_image_options

TFDS_NAMES = ("mnist", "fashion_mnist", "cifar10", "celeb_a")
TFDS_PREFIX = "tfds:"
UNPAIRED_PREFIX = "tfds_unpaired:"
DEFAULT_IMAGE_SIZE = {"celeb_a": 64, "celeb_a_attributes": 128}
# The split fields of 'tfds_unpaired:NAME': domain A's training and held-out splits, then domain B's.
UNPAIRED_SPLITS = ("data.split", "data.test_split", "data.split_b", "data.test_split_b")


def prepare_instructions(name: str, data_dir: str) -> str:
  """One line: tfds dataset `name` is not prepared in `data_dir`, and the command that prepares it."""
  where = data_dir or f"{tfds.core.constants.DATA_DIR} (tfds' default)"
  return (f"data.data_dir: tfds dataset {name!r} is not prepared in {where}; prepare it once on a machine with "
          f"internet (most builders also need `pip install tensorflow` to prepare, not to read): "
          f"tfds build {name} --file_format=array_record" + (f" --data_dir={data_dir}" if data_dir else "")
          + " (or tfds.builder(...).download_and_prepare(file_format='array_record')), then set data.data_dir "
          "to that directory")


def open_source(name: str, split: str, data_dir: str, field: str):
  """tfds.data_source(name, split=split, data_dir=data_dir, download=False), with errors that say what to do.

  ValueError naming data.name for an unknown dataset, `field` for an unknown
  split, and data.data_dir with the preparation command when the data is not there.
  """
  absl_logger = logging.getLogger("absl")  # tfds warns about a missing dataset before raising: say it once, below
  level = absl_logger.level
  absl_logger.setLevel(logging.ERROR)
  try:
    return tfds.data_source(name, split=split, data_dir=data_dir or None, download=False)
  except tfds.core.registered.DatasetNotFoundError as e:
    raise ValueError(f"data.name: tensorflow-datasets has no dataset {name!r}") from e
  except ValueError as e:
    raise ValueError(f"{field}: cannot read split {split!r} of tfds dataset {name!r}: {' '.join(str(e).split())}") from e
  except (OSError, RuntimeError, AssertionError, KeyError) as e:
    said = " ".join(str(e).split())[:200]
    raise ValueError(f"{prepare_instructions(name, data_dir)} (tfds said: {said})") from e
  finally:
    absl_logger.setLevel(level)


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


def open_split(tfds_name: str, field: str, data_config, labelled: bool = True) -> sources.TfdsSource:
  """The TfdsSource of the split that config field `field` ('data.split', ...) names (its ClassLabel
  'label' read when `labelled`); ValueError naming the field when the split is missing or empty."""
  split_name = data_config[field.removeprefix("data.")]
  source = open_source(tfds_name, split_name, data_config.data_dir, field)
  if not len(source):
    raise ValueError(f"{field}: split {split_name!r} of tfds dataset {tfds_name!r} has no examples")
  features = source.dataset_info.features
  return sources.TfdsSource(source, image_key(features, tfds_name), num_classes(features) if labelled else 0,
                            f"tfds {tfds_name} {split_name}")


def load_tfds(name: str, data_config):
  """Streamed dataset of tfds `name` ('tfds:' prefix optional): data.split to train on, data.test_split held out."""
  image_size = check_image_options(data_config)[2]
  tfds_name = name.removeprefix(TFDS_PREFIX)
  splits = {"train": open_split(tfds_name, "data.split", data_config),
            "test": open_split(tfds_name, "data.test_split", data_config) if data_config.test_split else None}
  size = image_size or DEFAULT_IMAGE_SIZE.get(tfds_name, 0) or native_size(splits["train"].feature_shape, name)
  return disk.streamed_dataset(name, splits["train"], splits, size, data_config)


def load_unpaired(name: str, data_config):
  """'tfds_unpaired:NAME': two domains of tfds NAME, stacked on the channels (module doc)."""
  image_size = check_image_options(data_config)[2]
  tfds_name = name.removeprefix(UNPAIRED_PREFIX)
  for field in UNPAIRED_SPLITS:
    value = data_config.get(field.removeprefix("data."), "")
    if not isinstance(value, str) or not value:
      domain = "B" if field.endswith("_b") else "A"
      raise ValueError(f"{field}: expected the tfds split of domain {domain}'s "
                       f"{'training' if 'test' not in field else 'held-out'} images of {tfds_name!r} "
                       f"(cycle_gan: trainA, testA, trainB, testB), got {value!r}")
  # Unlabeled, like digits_unpaired (cycle_gan's 'label' only names the domain).
  opened = [open_split(tfds_name, field, data_config, labelled=False) for field in UNPAIRED_SPLITS]
  a, b = dict(zip(("train", "test"), opened[:2])), dict(zip(("train", "test"), opened[2:]))
  size = image_size or native_size(a["train"].feature_shape, name)
  dataset = disk.streamed_dataset(name, a["train"], a, size, data_config, partners=b)
  return dataclasses.replace(dataset, spec=dataclasses.replace(dataset.spec, unpaired=True))


def attribute_table(num_attributes: int) -> np.ndarray:
  """[2^K, K] float32: row y holds the bits of y, a_k = (y >> k) & 1 (the attribute vector of label y).

  Example:
    >>> attribute_table(2)
    array([[0., 0.],
           [1., 0.],
           [0., 1.],
           [1., 1.]], dtype=float32)
  """
  labels = np.arange(2 ** num_attributes)[:, None]
  return ((labels >> np.arange(num_attributes)) & 1).astype(np.float32)


def check_attributes(value, known) -> tuple[str, ...]:
  """data.attributes as a tuple of distinct names among `known`; ValueError naming the field otherwise."""
  names = (value,) if isinstance(value, str) else tuple(value) if isinstance(value, (list, tuple)) else None
  if not names or len(set(names)) != len(names) or not set(names) <= set(known):
    raise ValueError(f"data.attributes: expected distinct names among celeb_a's attributes ({', '.join(known)}), "
                     f"got {value!r}")
  return names


def load_attributes(data_config):
  """'celeb_a_attributes': celeb_a's images with the data.attributes bits as labels (module doc)."""
  image_size = check_image_options(data_config)[2]
  plain = {"train": open_split("celeb_a", "data.split", data_config),
           "test": open_split("celeb_a", "data.test_split", data_config) if data_config.test_split else None}
  known = list(plain["train"].source.dataset_info.features["attributes"].keys())
  attributes = check_attributes(data_config.get("attributes", ()), known)
  splits = {split: s and sources.TfdsSource(s.source, s.key, 0, s.description, attributes)
            for split, s in plain.items()}
  size = image_size or DEFAULT_IMAGE_SIZE["celeb_a_attributes"]
  dataset = disk.streamed_dataset("celeb_a_attributes", splits["train"], splits, size, data_config)
  spec = dataclasses.replace(dataset.spec, attribute_table=attribute_table(len(attributes)),
                             attribute_names=attributes)
  return dataclasses.replace(dataset, spec=spec)


def native_size(shape, name: str) -> int:
  """The side S of a tfds Image feature of fixed square shape (S, S, C); ValueError naming data.image_size else."""
  h, w = shape[:2]
  if h is None or h != w:
    raise ValueError(f"data.image_size: tfds dataset {name!r} has images of shape {shape}, not one square "
                     "size; set data.image_size=S to centre-crop and resize them to S x S")
  return h
