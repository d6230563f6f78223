"""Datasets by name and the deterministic sharded input pipeline.

`load(config.data)` returns a `Dataset` (numpy arrays + `DataSpec`);
`pipeline.BatchStream` turns it into per-process batches that are a pure
function of (seed, batch number). Names: the 2-D sets of `toy2d`
(ring8, grid25, moons, swiss_roll, spiral, checkerboard, points), the
sklearn digits of `images`, and tensorflow-datasets images (mnist,
fashion_mnist, cifar10, celeb_a, or any 'tfds:NAME') of `tfds_source`.
"""

from gen_jax.data import images, tfds_source, toy2d
from gen_jax.data.images import check_image_shape
from gen_jax.data.pipeline import BatchStream, Prefetcher
from gen_jax.checks import check_choice
from gen_jax.data.spec import DataSpec, Dataset

_POINT_LOADERS = toy2d.loaders()
_LOADERS = {
    **_POINT_LOADERS,
    "digits": images.load_digits,
    **{name: (lambda cfg, name=name: tfds_source.load_tfds(name, cfg)) for name in tfds_source.TFDS_NAMES},
}


def dataset_names() -> list[str]:
  """Sorted names `load` accepts (besides 'tfds:NAME' for any tensorflow-datasets image dataset)."""
  return sorted(_LOADERS)


def load(data_config) -> Dataset:
  """The dataset `data_config.name` names, built as the other `data_config` fields say.

  ValueError naming the config field for an unknown name or a bad option.
  """
  name = data_config.name
  if not isinstance(name, str):
    raise ValueError(f"data.name: expected a string, got {name!r}")
  if name.startswith(tfds_source.TFDS_PREFIX) and len(name) > len(tfds_source.TFDS_PREFIX):
    return tfds_source.load_tfds(name, data_config)
  if name not in _LOADERS:
    raise ValueError(f"data.name: unknown dataset {name!r}; expected one of {dataset_names()} "
                     f"or '{tfds_source.TFDS_PREFIX}NAME' for a tensorflow-datasets image dataset")
  if name in _POINT_LOADERS:
    check_choice(data_config.binarize, ("none",), "data.binarize")
  elif data_config.fresh_samples:
    raise ValueError(f"data.fresh_samples: only generated 2-D datasets can draw fresh samples, "
                     f"not data.name={name!r}")
  return _LOADERS[name](data_config)


__all__ = ["BatchStream", "DataSpec", "Dataset", "Prefetcher", "check_image_shape", "dataset_names", "load"]
