"""Datasets by name and the deterministic sharded input pipeline.

`load(config.data)` returns a `Dataset` (numpy arrays or disk-backed
splits + `DataSpec`); `batch_stream` turns it into per-process batches that
are a pure function of (seed, batch number): `pipeline.BatchStream` for
in-memory data, `streaming.StreamedBatchStream` (grain workers, uint8) for
data on disk, one contract. Names: the 2-D sets of `toy2d` (ring8, grid25,
moons, swiss_roll, spiral, checkerboard, points), the sklearn digits of
`images` (in memory), the paired photo patches of `photos` (photos_sr, photos_color;
div2k_sr from prepared tfds data; 'photo', one whole photograph), the translation domains of `digit_domains` (digits_printed,
digits_attributes, digits_unpaired); tensorflow-datasets images (mnist, fashion_mnist,
cifar10, celeb_a, or any 'tfds:NAME') of `tfds_source`, with its translation data
(celeb_a_attributes; 'tfds_unpaired:NAME', e.g. cycle_gan/horse2zebra), a folder of images
('folder:PATH') and ArrayRecord files of encoded images ('arrayrecord:PATH')
of `disk` (streamed).
"""

from gen_jax.data import digit_domains, disk, images, photos, tfds_source, toy2d
from gen_jax.data.images import check_image_shape
from gen_jax.data.pipeline import BatchStream, Prefetcher
from gen_jax.data.streaming import StreamedBatchStream
from gen_jax.checks import check_choice
from gen_jax.data.spec import DataSpec, Dataset

_POINT_LOADERS = toy2d.loaders()
_LOADERS = {
    **_POINT_LOADERS,
    "digits": images.load_digits,
    "photos_sr": lambda cfg: photos.load_photos("sr", cfg),
    "photos_color": lambda cfg: photos.load_photos("color", cfg),
    "div2k_sr": photos.load_div2k, "photo": photos.load_single_photo,
    "digits_printed": digit_domains.load_printed, "digits_attributes": digit_domains.load_attributes,
    "digits_unpaired": digit_domains.load_unpaired, "celeb_a_attributes": tfds_source.load_attributes,
    **{name: (lambda cfg, name=name: tfds_source.load_tfds(name, cfg)) for name in tfds_source.TFDS_NAMES},
}
# data.name prefixes: 'PREFIX' + what the loader reads (a tfds name, a folder, ArrayRecord files).
NAME_PREFIXES = {tfds_source.TFDS_PREFIX: tfds_source.load_tfds, disk.FOLDER_PREFIX: disk.load_folder,
                 disk.ARRAY_RECORD_PREFIX: disk.load_array_record,
                 tfds_source.UNPAIRED_PREFIX: tfds_source.load_unpaired}


def check_dataset_name(name):
  """ValueError naming data.name unless `load` accepts it: one of `dataset_names()` or 'PREFIX...' of NAME_PREFIXES."""
  if not isinstance(name, str):
    raise ValueError(f"data.name: expected a string, got {name!r}")
  if name not in _LOADERS and not any(name.startswith(p) and len(name) > len(p) for p in NAME_PREFIXES):
    raise ValueError(f"data.name: expected one of {dataset_names()}, "
                     f"'{tfds_source.TFDS_PREFIX}NAME' for a tensorflow-datasets image dataset, "
                     f"'{tfds_source.UNPAIRED_PREFIX}NAME' for two of its splits as unpaired domains, "
                     f"'{disk.FOLDER_PREFIX}PATH' for a folder of PNG/JPEG images or "
                     f"'{disk.ARRAY_RECORD_PREFIX}PATH' for ArrayRecord files of encoded images, got {name!r}")


def dataset_names() -> list[str]:
  """Sorted names `load` accepts (besides 'tfds:NAME', 'tfds_unpaired:NAME', 'folder:PATH' and 'arrayrecord:PATH')."""
  return sorted(_LOADERS)


def load(data_config) -> Dataset:
  """The dataset `data_config.name` names, built as the other `data_config` fields say.

  ValueError naming the config field for an unknown name or a bad option.
  """
  name = data_config.name
  check_dataset_name(name)
  if name in _POINT_LOADERS:
    check_choice(data_config.binarize, ("none",), "data.binarize")
  elif data_config.fresh_samples:
    raise ValueError(f"data.fresh_samples: only generated 2-D datasets can draw fresh samples, "
                     f"not data.name={name!r}")
  prefix = next((p for p in NAME_PREFIXES if name.startswith(p)), None)
  return NAME_PREFIXES[prefix](name, data_config) if prefix else _LOADERS[name](data_config)


def batch_stream(dataset: Dataset, global_batch_size: int, seed: int, data_config, *, process_index: int = 0,
                 process_count: int = 1) -> BatchStream:
  """The batches the loop trains on: a `BatchStream` (in memory) or `StreamedBatchStream` (disk, grain).

  Both honour one contract (see `BatchStream`); `data_config` gives binarize and
  fresh_samples, and for streamed data num_workers, worker_buffer and random_flip.
  """
  shared = dict(process_index=process_index, process_count=process_count)
  if dataset.train_stream is None:
    return BatchStream(dataset, global_batch_size, seed, binarize=data_config.binarize,
                       fresh_samples=data_config.fresh_samples, **shared)
  num_workers, worker_buffer, random_flip, _ = disk.check_stream_options(data_config)
  return StreamedBatchStream(dataset.train_stream, global_batch_size, seed, dataset.spec.value_range,
                             random_flip=random_flip, num_workers=num_workers, worker_buffer=worker_buffer, **shared)


__all__ = ["BatchStream", "DataSpec", "Dataset", "Prefetcher", "StreamedBatchStream", "batch_stream",
           "check_dataset_name", "check_image_shape", "dataset_names", "load"]
