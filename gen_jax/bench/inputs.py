"""The input pipeline alone, beside the training step it feeds: is the data ever the bottleneck?

`input_digits` and `input_tfds` time what the training loop does per compiled
call, without the step: `BatchStream.local_batches(i k, k)` (gather, labels,
binarization) then `parallel.put_batch` (host -> device, sharded over the
mesh), serially, with no prefetch thread. They read the data of the `vae_mlp`
workload (28x28 statically binarized images, batch 128: the fastest image
step here, so the most demanding consumer): sklearn's digits, or MNIST through
tfds (`tfds.testing.mock_data`, random images of MNIST's shapes: nothing is
downloaded). Then they time the `vae_mlp` step on the same data.

Record fields: workload, batch, steps (batches per window), seconds (median
window), batches_per_sec, train_workload, train_steps_per_sec and headroom =
batches_per_sec / train_steps_per_sec (> 1: the pipeline outpaces the step even
without overlapping it; the loop also prefetches in a thread).
"""

import contextlib
import math

import jax
import tensorflow_datasets as tfds

from gen_jax import data as gdata
from gen_jax.bench import register_workload, timing, training
from gen_jax.data.pipeline import BatchStream
from gen_jax.train import parallel

TRAIN_WORKLOAD = "vae_mlp"
MOCK_EXAMPLES = 2048
INPUT_DATA = {"input_digits": "digits", "input_tfds": "mnist"}


def _data_context(name: str):
  """tfds.testing.mock_data for the tfds workload (no download), nothing otherwise."""
  if INPUT_DATA[name] == "digits":
    return contextlib.nullcontext()
  return tfds.testing.mock_data(num_examples=MOCK_EXAMPLES)


def input_batches_per_sec(stream: BatchStream, mesh, steps_per_jit: int, calls: int, repeats: int) -> float:
  """Median rate of `calls` x (local_batches(i k, k) -> put_batch) per window, in batches per second."""

  def advance(carry):
    index, placed = carry
    for _ in range(calls):
      placed = parallel.put_batch(stream.local_batches(index, steps_per_jit), mesh, leading_axes=1)
      index += steps_per_jit
    return index, placed

  first = parallel.put_batch(stream.local_batches(0, steps_per_jit), mesh, leading_axes=1)
  seconds, _ = timing.time_carried(advance, (steps_per_jit, first), repeats=repeats)
  return calls * steps_per_jit / seconds


def measure_input(name: str, steps: int, devices: int | None, *, compute_dtype: str = "float32",
                  steps_per_jit: int = training.DEFAULT_STEPS_PER_JIT, repeats: int = training.DEFAULT_REPEATS,
                  batch_size: int | None = None) -> dict:
  """The record of input workload `name` (see module doc)."""
  timing.check_positive_int(steps, "steps")
  config = training.workload_config(TRAIN_WORKLOAD, compute_dtype, steps_per_jit, devices, batch_size)
  config.data.name = INPUT_DATA[name]
  with _data_context(name):
    dataset = gdata.load(config.data)
    train = training.measure_config(TRAIN_WORKLOAD, config, steps, repeats)[0]
  stream = BatchStream(dataset, config.data.batch_size, config.seed, binarize=config.data.binarize)
  calls = math.ceil(steps / steps_per_jit)
  mesh = parallel.make_mesh(devices)
  rate = input_batches_per_sec(stream, mesh, steps_per_jit, calls, repeats)
  return dict(workload=name, batch=config.data.batch_size, steps=calls * steps_per_jit,
              seconds=calls * steps_per_jit / rate, batches_per_sec=rate, data=config.data.name,
              train_workload=TRAIN_WORKLOAD, train_steps_per_sec=train["steps_per_sec"],
              headroom=rate / train["steps_per_sec"], steps_per_jit=steps_per_jit,
              devices=mesh.size, backend=jax.default_backend())


def _input_workload(name: str):
  def workload(steps: int, devices: int | None, **options):
    yield measure_input(name, steps, devices, **options)

  workload.__doc__ = f"Input-pipeline batches/s of {name!r} beside the {TRAIN_WORKLOAD!r} step rate."
  return workload


for _name in INPUT_DATA:
  register_workload(_name)(_input_workload(_name))
