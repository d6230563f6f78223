"""Any tensorflow-datasets image dataset, streamed from `tfds.data_source` (no TensorFlow needed).

`data.name` is one of TFDS_NAMES or 'tfds:NAME' for any other tfds dataset with
an Image feature. The split named by `data.split` is the training stream
(`disk.streamed_dataset`: read batch by batch by grain workers, uint8, centre
crop and resize to `data.image_size` when > 0; nothing is read whole into
memory), `data.test_split` ('' for none; tfds slicing such as 'train[:10%]'
works) the held-out reference for evaluation (`data.eval_examples` of its
examples). Labels come from a ClassLabel feature named 'label' (zeros and
num_classes 0 without one).

Nothing is downloaded (`download=False`): a dataset must be prepared in the
array_record format beforehand (`prepare_instructions` says how).
"""

import logging

import tensorflow_datasets as tfds

from gen_jax.data import disk, sources
from gen_jax.data.images import check_image_options

TFDS_NAMES = ("mnist", "fashion_mnist", "cifar10", "celeb_a")
TFDS_PREFIX = "tfds:"
DEFAULT_IMAGE_SIZE = {"celeb_a": 64}


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


def load_tfds(name: str, data_config):
  """Streamed dataset of tfds `name` ('tfds:' prefix optional): data.split to train on, data.test_split held out."""
  image_size = check_image_options(data_config)[2]
  tfds_name = name.removeprefix(TFDS_PREFIX)
  splits = {}
  for split, field in (("train", "data.split"), ("test", "data.test_split")):
    split_name = getattr(data_config, field.removeprefix("data."))
    if split == "test" and not split_name:
      splits[split] = None
      continue
    source = open_source(tfds_name, split_name, data_config.data_dir, field)
    if not len(source):
      raise ValueError(f"{field}: split {split_name!r} of tfds dataset {tfds_name!r} has no examples")
    features = source.dataset_info.features
    key = image_key(features, tfds_name)
    splits[split] = sources.TfdsSource(source, key, num_classes(features), f"tfds {tfds_name} {split_name}")
  size = image_size or DEFAULT_IMAGE_SIZE.get(tfds_name, 0) or native_size(splits["train"].feature_shape, name)
  return disk.streamed_dataset(name, splits["train"], splits, size, data_config)


def native_size(shape, name: str) -> int:
  """The side S of a tfds Image feature of fixed square shape (S, S, C); ValueError naming data.image_size else."""
  h, w = shape[:2]
  if h is None or h != w:
    raise ValueError(f"data.image_size: tfds dataset {name!r} has images of shape {shape}, not one square "
                     "size; set data.image_size=S to centre-crop and resize them to S x S")
  return h
