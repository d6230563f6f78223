"""Disk-backed image datasets, streamed: a folder of images ('folder:PATH') and ArrayRecord files ('arrayrecord:PATH').

Their `Dataset.train_stream` is read batch by batch by
`streaming.StreamedBatchStream` (grain workers, uint8); `Dataset.train` /
`Dataset.test` are `ReferenceSplit`s, `data.eval_examples` examples spread
evenly over the split, decoded on first use (evaluation and pictures only). tfds datasets are built
the same way by `tfds_source`.

- 'folder:PATH': the PNG/JPEG files below PATH (class subfolders become labels,
  see `sources.FolderSource`); no test split.
- 'arrayrecord:PATH': PATH is an .array_record file, a directory of them, or a
  glob; each record is one encoded PNG/JPEG image; unlabeled; no test split.

Images are centre-cropped to a square and resized to data.image_size; with
data.image_size=0 they must all share one square size (checked on a sample of
`sources.PROBE_COUNT` headers) and channels are RGB unless all sampled images
are grey. Errors name the field and what to do, and come before any training
starts.
"""

import collections.abc
import dataclasses
import glob
import os

import numpy as np

from gen_jax.checks import check_non_negative_int, check_positive_int
from gen_jax.data import sources
from gen_jax.data.images import check_image_options, image_dataset, scale_images
from gen_jax.data.streaming import StreamedSplit, read_examples

FOLDER_PREFIX = "folder:"
ARRAY_RECORD_PREFIX = "arrayrecord:"


def check_stream_options(data_config) -> tuple[int, int, bool, int]:
  """Validated (num_workers, worker_buffer, random_flip, eval_examples); ValueError naming the field."""
  num_workers = check_non_negative_int(data_config.num_workers, "data.num_workers")
  worker_buffer = check_positive_int(data_config.worker_buffer, "data.worker_buffer")
  if not isinstance(data_config.random_flip, bool):
    raise ValueError(f"data.random_flip: expected True or False, got {data_config.random_flip!r}")
  eval_examples = check_positive_int(data_config.eval_examples, "data.eval_examples")
  return num_workers, worker_buffer, data_config.random_flip, eval_examples


class ReferenceSplit(collections.abc.Mapping):
  """{'x': [n, S, S, C] float32 in the value range, 'y': [n] int32}: n examples of a split, read lazily.

  For evaluation and pictures: `streaming.read_examples` (evenly spaced), decoded
  in this process on first access, n = min(data.eval_examples, split size), so
  its memory does not grow with the dataset.
  """

  def __init__(self, split: StreamedSplit, count: int, scale: str):
    self.split, self.count, self.scale = split, count, scale
    self._arrays = None

  def _load(self) -> dict[str, np.ndarray]:
    if self._arrays is None:
      x, y = read_examples(self.split, self.count)
      self._arrays = {"x": scale_images(x.astype(np.float32) / 255, self.scale), "y": y}
    return self._arrays

  def __getitem__(self, key):
    return self._load()[key]

  def __iter__(self):
    return iter(("x", "y"))

  def __len__(self) -> int:
    return 2


def streamed_dataset(name: str, source, splits: dict, image_size: int, data_config, partners: dict | None = None):
  """Dataset of disk-backed `splits` ({'train': source, 'test': source or None}) in the uint8 pipeline;
  `partners` (same keys): unpaired data's domain-B sources, stacked after each split's channels."""
  scale, binarize, _ = options = check_image_options(data_config)
  eval_examples = check_stream_options(data_config)[3]
  partners = partners or {}
  prepare = lambda s, split, partner=None: StreamedSplit(s, image_size, s.channels, binarize, split, partner)
  streamed = {split: None if s is None else prepare(s, split, prepare(partners[split], split) if partners else None)
              for split, s in splits.items()}
  references = {split: ReferenceSplit(s, eval_examples, scale) if s is not None else None
                for split, s in streamed.items()}
  # image_dataset reads the example shape from references['train']['x']; give it the shape without decoding.
  shape_only = {"x": np.empty((0, *streamed["train"].example_shape), np.float32)}
  dataset = image_dataset(name, shape_only, None, source.num_classes, options)
  return dataclasses.replace(dataset, train=references["train"], test=references["test"],
                             train_stream=streamed["train"])


def native_size(source, field: str, image_size: int) -> int:
  """data.image_size, or (when 0) the one square size the sampled images share; sets source.channels."""
  (h, w), source.channels = sources.probe(source, field)
  if image_size:
    return image_size
  if h != w:
    raise ValueError(f"data.image_size: the images of {field} are {h}x{w}, not square; set data.image_size=S "
                     "to centre-crop and resize them to S x S")
  return h


def load_folder(name: str, data_config):
  """The images below the folder of data.name = 'folder:PATH' (see module doc)."""
  check_image_options(data_config)
  root = os.path.expanduser(name.removeprefix(FOLDER_PREFIX))
  if not os.path.isdir(root):
    raise ValueError(f"data.name: folder {root!r} does not exist or is not a directory; give "
                     "data.name='folder:PATH' with PATH a directory of PNG/JPEG images (class subfolders allowed)")
  source = sources.FolderSource(root)
  if not len(source):
    raise ValueError(f"data.name: folder {root!r} holds no .png/.jpg/.jpeg images (searched recursively); "
                     "put the images (or one subfolder of images per class) there")
  size = native_size(source, f"data.name={name!r}", data_config.image_size)
  return streamed_dataset(name, source, {"train": source, "test": None}, size, data_config)


def load_array_record(name: str, data_config):
  """The encoded images of the ArrayRecord files data.name = 'arrayrecord:PATH' names (see module doc)."""
  check_image_options(data_config)
  pattern = os.path.expanduser(name.removeprefix(ARRAY_RECORD_PREFIX))
  if os.path.isdir(pattern):
    pattern = os.path.join(pattern, "*.array_record*")
  paths = sorted(glob.glob(pattern))
  if not paths:
    raise ValueError(f"data.name: no ArrayRecord file matches {pattern!r}; give data.name='arrayrecord:PATH' "
                     "with PATH a file, a directory of .array_record files or a glob")
  source = sources.ArrayRecordSource(paths)
  if not len(source):
    raise ValueError(f"data.name: the ArrayRecord files {paths} hold no records")
  size = native_size(source, f"data.name={name!r}", data_config.image_size)
  return streamed_dataset(name, source, {"train": source, "test": None}, size, data_config)
