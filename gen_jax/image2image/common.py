"""Glue shared by the translation models (cyclegan, stargan, attgan): config checks, the sharded
history pool, optimizers, sampling parameters and picture grids."""

import functools
import json
import os

import jax
import numpy as np

from gen_jax import data as gdata
from gen_jax.checks import check_positive_int
from gen_jax.eval import plots
from gen_jax.gan.components import check_field, optimizers_from_config
from gen_jax.image2image.unpaired_losses import HistoryPool, pool_init, pool_query
from gen_jax.nets.resnet_generator import ResnetGenerator
from gen_jax.train import parallel
from gen_jax.train.net_state import evaluation_params


def check_dataset(spec, model_name: str) -> None:
  """ValueError naming data.name unless the data is what the model's batches hold: unpaired domains
  stacked on the channels for 'cyclegan', labels with an attribute table for 'stargan' and 'attgan'."""
  if model_name == "cyclegan":
    check_field(spec.unpaired, "data.name", "an unpaired dataset (digits_unpaired, 'tfds_unpaired:NAME') for model "
                f"{model_name!r}", spec.name)
  else:
    check_field(spec.attribute_table is not None, "data.name", "an attribute dataset (digits_attributes, "
                f"celeb_a_attributes) for model {model_name!r}", spec.name)


def check_weights(objective, names: tuple[str, ...]) -> dict:
  """{name: objective[name]} after checking each is a non-negative number (objective.NAME)."""
  for name in names:
    value = objective[name]
    check_field(isinstance(value, (int, float)) and value >= 0, f"objective.{name}", "a non-negative number", value)
  return {name: float(objective[name]) for name in names}


def check_widths(model, names: tuple[str, ...]) -> None:
  for name in names:
    check_positive_int(model[name], f"model.{name}")


def resnet_generator(model, channels: int, padding: str, dtype) -> ResnetGenerator:
  """The ResNet generator of model.features, num_blocks, num_downsampling and outer_kernel (7, c7s1, when absent:
  configs saved before the field), after checking the last three (ints >= 0; outer_kernel odd and >= 1)."""
  for field in ("num_blocks", "num_downsampling"):
    check_field(isinstance(model[field], int) and model[field] >= 0, f"model.{field}", "an int >= 0", model[field])
  k = model.get("outer_kernel", 7)
  check_field(isinstance(k, int) and k >= 1 and k % 2 == 1, "model.outer_kernel", "an odd int >= 1", k)
  return ResnetGenerator(channels, model.features, model.num_blocks, model.num_downsampling, padding, dtype, k)


def discriminator_normalization(model, allowed: tuple[str, ...]) -> str:
  """model.discriminator_normalization ('instance' when absent: configs saved before the field), validated:
  one of `allowed` (the normalizations whose discriminator keeps no batch statistics)."""
  name = model.get("discriminator_normalization", "instance")
  check_field(name in allowed, "model.discriminator_normalization", f"one of {list(allowed)}", name)
  return name


def optimizers(config, names: tuple[str, ...]) -> dict:
  """One Adam (optim.*, with optim.schedule) per network: the GAN family's two optimizers
  (`gen_jax.gan.components.optimizers_from_config`), the discriminator's for 'discriminator*' names."""
  check_field(config.optim.learning_rate > 0, "optim.learning_rate", "> 0", config.optim.learning_rate)
  generator_tx, discriminator_tx = optimizers_from_config(config)
  return {name: discriminator_tx if name.startswith("discriminator") else generator_tx for name in names}


def empty_pool(size: int, example_shape) -> dict:
  """A history pool as a plain dict (checkpointed with the model state)."""
  return pool_init(size, tuple(example_shape))._asdict()


def query_global_pool(pool: dict, local_images: jax.Array, key: jax.Array) -> tuple[dict, jax.Array]:
  """(new pool, this device's images to show D): the pool is queried with the GLOBAL batch of generated
  images (gathered over the data axis) and the same key on every device, so it stays identical on all
  devices and a run on N devices reproduces one on 1 device."""
  b = local_images.shape[0]
  new_pool, shown = pool_query(HistoryPool(**pool), parallel.global_batch(local_images), key)
  local = jax.lax.dynamic_slice_in_dim(shown, jax.lax.axis_index(parallel.AXIS) * b, b)  # [b, ...]
  return new_pool._asdict(), local


def sampling_apply(module, state, name: str, *inputs) -> jax.Array:
  """`module` (instance norm only: no batch statistics) with the EMA parameters when kept."""
  return module.apply({"params": evaluation_params(state)[name]}, *inputs, train=False)


def save_rows(rows: list, directory: str, file_name: str, value_range) -> list[str]:
  """One PNG grid, row r = rows[r] (each [n, H, W, C], the same n): e.g. input | translated | reconstructed."""
  images = np.concatenate([np.asarray(r) for r in rows])
  columns = np.asarray(rows[0]).shape[0]
  return [plots.save_image_grid(images, os.path.join(directory, file_name), columns, value_range=value_range)]


def held_out_images(data_config) -> np.ndarray:
  """The held-out split's images [N, ...] of `data_config` (loaded once per process), for pictures and samples."""
  return _held_out(json.dumps(data_config.to_dict(), sort_keys=True))[0]


def held_out_labels(data_config) -> np.ndarray:
  """The held-out split's labels [N] of `data_config` (loaded once per process)."""
  return _held_out(json.dumps(data_config.to_dict(), sort_keys=True))[1]


@functools.lru_cache(maxsize=4)
def _held_out(data_json: str) -> tuple[np.ndarray, np.ndarray]:
  """Keyed by the config's JSON: hashable whatever its values (a run's saved config holds lists)."""
  import ml_collections  # pylint: disable=import-outside-toplevel

  test = gdata.load(ml_collections.ConfigDict(json.loads(data_json))).test
  return np.asarray(test["x"]), np.asarray(test["y"])
