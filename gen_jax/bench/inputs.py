"""The input pipeline alone, beside the training step it feeds: is the data ever the bottleneck?

`input_digits` (in memory) times what the training loop does per compiled
call, without the step: `BatchStream.local_batches(i k, k)` (gather, labels,
binarization) then `parallel.put_batch` (host -> device, sharded over the
mesh), serially, with no prefetch thread, on the data of the `vae_mlp`
workload (28x28 statically binarized digits, batch 128: the fastest image step
here, so the most demanding consumer); then it times the `vae_mlp` step.
Record fields: workload, batch, steps (batches per window), seconds (median
window), batches_per_sec, train_workload, train_steps_per_sec and headroom =
batches_per_sec / train_steps_per_sec (> 1: the pipeline outpaces the step even
without overlapping it; the loop also prefetches in a thread).

`input_folder` and `input_tfds` time the streamed pipeline (grain,
`gen_jax.data.streaming`) for each worker count in `--num_workers`, from
nothing: `data.load` (listing, size probe), the stream, the first batch, then
`steps` batches read and placed on the device (uint8) one by one.
`input_folder` reads the folder `--folder` (make one with
scripts/make_image_folder.py) resized to 32x32, batch 64: what the `dcgan32`
step consumes (it trains on 1 channel, the folder has 3: the pipeline does more
work than needed); `input_tfds` reads MNIST through tfds
(`tfds.testing.mock_data`: random images of MNIST's shapes, nothing
downloaded) with the `vae_mlp` data options. Then the training step of that
workload is timed (median of `repeats` windows of TRAIN_STEPS steps). One record per worker count: workload, images (dataset
size), num_workers, batch, load_s, first_batch_s (stream creation to the first
batch on the host: worker start-up included), time_to_first_batch_s (load_s +
first_batch_s), images_per_sec (after the first batch), peak_rss_mb (the
largest sum of the resident memory of this process and all its descendants,
sampled every 20 ms from the start of `data.load` until the workers are
stopped: shared library pages count once per process, so this overstates),
train_workload, train_images_per_sec (its steps/s x batch) and headroom =
images_per_sec / train_images_per_sec.
"""

import contextlib
import math
import os
import threading
import time

import jax
import tensorflow_datasets as tfds

from gen_jax.checks import check_positive_int
from gen_jax import data as gdata
from gen_jax.bench import register_workload, timing, training
from gen_jax.train import parallel

MOCK_EXAMPLES = 2048
RSS_SAMPLE_S = 0.02
DEFAULT_WORKERS = (0, 1, 2)
# workload -> (data.name, training workload whose data options and step it is compared with)
IN_MEMORY = {"input_digits": ("digits", "vae_mlp")}
STREAMED = {"input_folder": ("folder:", "dcgan32"), "input_tfds": ("mnist", "vae_mlp")}
FOLDER_IMAGE_SIZE = 32
TRAIN_STEPS = 10  # steps per timed window of the training step compared with (dcgan32: ~2 s each here)


def input_batches_per_sec(stream, mesh, steps_per_jit: int, calls: int, repeats: int) -> float:
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
  """The record of in-memory input workload `name` (see module doc)."""
  check_positive_int(steps, "steps")
  data_name, train_workload = IN_MEMORY[name]
  config = training.workload_config(train_workload, compute_dtype, steps_per_jit, devices, batch_size)
  config.data.name = data_name
  dataset = gdata.load(config.data)
  train = training.measure_config(train_workload, config, steps, repeats)[0]
  stream = gdata.batch_stream(dataset, config.data.batch_size, config.seed, config.data)
  calls = math.ceil(steps / steps_per_jit)
  mesh = parallel.make_mesh(devices)
  rate = input_batches_per_sec(stream, mesh, steps_per_jit, calls, repeats)
  return dict(workload=name, batch=config.data.batch_size, steps=calls * steps_per_jit,
              seconds=calls * steps_per_jit / rate, batches_per_sec=rate, data=config.data.name,
              train_workload=train_workload, train_steps_per_sec=train["steps_per_sec"],
              headroom=rate / train["steps_per_sec"], steps_per_jit=steps_per_jit,
              devices=mesh.size, backend=jax.default_backend())


def _tree_rss_bytes(pid: int) -> int:
  """Resident bytes of process `pid` and all its descendants (Linux /proc), 0 for those gone meanwhile."""
  total, stack = 0, [pid]
  while stack:
    current = stack.pop()
    try:
      with open(f"/proc/{current}/statm", encoding="ascii") as f:
        total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
      for task in os.listdir(f"/proc/{current}/task"):  # children are listed by the thread that made them
        with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as f:
          stack += [int(child) for child in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
      continue
  return total


@contextlib.contextmanager
def peak_rss():
  """Yields a dict whose 'bytes' is, on exit, the peak resident memory of this process tree (sampled)."""
  result, stop = {"bytes": 0}, threading.Event()

  def sample():
    while not stop.is_set():
      result["bytes"] = max(result["bytes"], _tree_rss_bytes(os.getpid()))
      stop.wait(RSS_SAMPLE_S)

  thread = threading.Thread(target=sample, daemon=True)
  thread.start()
  try:
    yield result
  finally:
    stop.set()
    thread.join()
    result["bytes"] = max(result["bytes"], _tree_rss_bytes(os.getpid()))


def streamed_config(name: str, devices: int | None, batch_size: int | None, folder: str):
  """The training workload's config with the streamed data of input workload `name`."""
  data_name, train_workload = STREAMED[name]
  config = training.workload_config(train_workload, devices=devices, batch_size=batch_size)
  if name == "input_folder":
    if not folder:
      raise ValueError("folder: input_folder needs --folder=PATH (make one with scripts/make_image_folder.py)")
    config.data.name, config.data.image_size, config.data.test_split = data_name + folder, FOLDER_IMAGE_SIZE, ""
  else:
    config.data.name = data_name
  return config


def measure_streamed(config, num_workers: int, steps: int, mesh) -> dict:
  """Timings and peak memory of the streamed pipeline of `config` with `num_workers` workers, from nothing."""
  config.data.num_workers = num_workers
  with peak_rss() as rss:
    start = time.perf_counter()
    dataset = gdata.load(config.data)
    loaded = time.perf_counter()
    stream = gdata.batch_stream(dataset, config.data.batch_size, config.seed, config.data)
    try:
      jax.block_until_ready(parallel.put_batch(stream.local_batches(0, 1), mesh, leading_axes=1))
      first = time.perf_counter()
      for index in range(1, steps + 1):
        placed = parallel.put_batch(stream.local_batches(index, 1), mesh, leading_axes=1)
      jax.block_until_ready(placed)
      done = time.perf_counter()
    finally:
      stream.close()
  return dict(images=len(dataset.train_stream.source), num_workers=num_workers, batch=config.data.batch_size,
              load_s=loaded - start, first_batch_s=first - loaded, time_to_first_batch_s=first - start,
              images_per_sec=steps * config.data.batch_size / (done - first), peak_rss_mb=rss["bytes"] / 2**20)


def measure_streamed_inputs(name: str, steps: int, devices: int | None, *, num_workers=DEFAULT_WORKERS,
                            folder: str = "", repeats: int = training.DEFAULT_REPEATS,
                            batch_size: int | None = None):
  """Records of streamed input workload `name` (see module doc), one per worker count."""
  check_positive_int(steps, "steps")
  config = streamed_config(name, devices, batch_size, folder)
  mesh = parallel.make_mesh(devices)
  context = tfds.testing.mock_data(num_examples=MOCK_EXAMPLES) if name == "input_tfds" else contextlib.nullcontext()
  with context:
    records = [measure_streamed(config, int(w), steps, mesh) for w in num_workers]
  train_workload = STREAMED[name][1]
  train_config = training.workload_config(train_workload, devices=devices, batch_size=batch_size)
  train = training.measure_config(train_workload, train_config, TRAIN_STEPS, repeats)[0]
  train_rate = train["steps_per_sec"] * train["batch"]
  for record in records:
    yield dict(workload=name, data=config.data.name, **record, train_workload=train_workload,
               train_images_per_sec=train_rate, headroom=record["images_per_sec"] / train_rate,
               devices=mesh.size, backend=jax.default_backend(), cpus=os.cpu_count())


def _input_workload(name: str):
  if name in IN_MEMORY:
    def workload(steps: int, devices: int | None, **options):
      yield measure_input(name, steps, devices, **options)
  else:
    def workload(steps: int, devices: int | None, **options):
      yield from measure_streamed_inputs(name, steps, devices, **options)

  workload.__doc__ = f"Input-pipeline throughput of {name!r} beside the step it feeds (gen_jax.bench.inputs)."
  return workload


for _name in (*IN_MEMORY, *STREAMED):
  register_workload(_name)(_input_workload(_name))
