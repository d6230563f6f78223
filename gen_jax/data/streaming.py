"""The streamed input pipeline on grain: disk-backed images decoded in worker processes, uint8 to the device.

Global batch i is the same function of (seed, i) as for in-memory data
(`pipeline.Positions`: concatenated seeded epoch permutations, process p reads
rows [p b, (p + 1) b) of each global batch), so resuming at step s needs only s,
and the batches do not depend on the number of devices or processes. Each
grain element is one local batch: `MapDataset.range(start, ...)` mapped by
`LocalBatchReader`, which reads only this process's b examples of batch i,
decodes them, centre-crops and resizes them to S x S (`decode`), flips rows
drawn by (seed, i) when `data.random_flip`, and returns uint8 pixels. With
`data.num_workers` > 0 the elements are made in that many grain worker
processes (`mp_prefetch`, each `data.worker_buffer` batches ahead), in order;
since batch i is the same whoever reads it, the first WARMUP_BATCHES after
opening (at the start or a resume) are read in this process while the workers
start, which takes seconds.
`to_model_range` scales the uint8 pixels on the device, inside the jitted step:
the host holds and transfers 1 byte per value instead of 4.

Host memory is bounded by the batches in flight, not the dataset: the file list
and two epoch permutations (~100 bytes per example) are all that grow with N.

Unreadable examples (a corrupt or truncated file) are replaced by the next
readable example in index order, deterministically, so the batch keeps its size
and is still a function of (seed, i); a warning on stderr names the file and
`metrics()['data/skipped_examples']` counts them.

Unpaired data (a split with a `partner`, domain B): batch i also reads b examples of the partner
in the order of its own seeded epoch permutations (`Positions` with another stream), stacked after
domain A's channels, so the A-B pairing is random, different in every epoch of either domain, and
still a function of (seed, i); the domains may differ in size.

Binarization of uint8 pixels p: 'static' draws one Bernoulli(p / 255) per pixel
per example from a Generator seeded by (split seed, example index) and
'dynamic' per global batch from (seed, i), both giving pixels in {0, 255}; under 'dynamic' the held-out
split is binarized as 'static' does, so held-out numbers of both are on the same images.
"""

import concurrent.futures
import contextlib
import dataclasses
import functools
import os
import sys
import threading
import time

import numpy as np

from gen_jax.data import decode
from gen_jax.data.images import STATIC_BINARIZATION_SEEDS, binarized_once
from gen_jax.data.pipeline import (_BINARIZATION, _FLIP, _PARTNER_PERMUTATION, BatchStream, Positions, check_count,
                                   check_index, check_stream_args)

# Indices of global batches a streamed iterator is opened over (it is never exhausted).
_OPEN_ENDED = 2**62
# Batches read in the consumer's process while grain's workers start (data.num_workers > 0).
WARMUP_BATCHES = 8
# How often a grain worker checks that the process it serves is still alive.
PARENT_POLL_S = 1.0


@dataclasses.dataclass(frozen=True)
class StreamedSplit:
  """One split of a disk-backed dataset: its source and how its examples are prepared.

  source: see `gen_jax.data.sources`. image_size: S, the side of the square
  uint8 examples [S, S, channels]. binarize: 'none', 'static' or 'dynamic'.
  split: 'train' or 'test' (seeds static binarization). partner: unpaired data's domain B (a
  StreamedSplit of the same image_size), read in its own order and stacked on the channels; None otherwise.
  """
  source: object
  image_size: int
  channels: int
  binarize: str
  split: str
  partner: "StreamedSplit | None" = None

  @property
  def example_shape(self) -> tuple[int, int, int]:
    partner_channels = self.partner.channels if self.partner is not None else 0
    return (self.image_size, self.image_size, self.channels + partner_channels)

  def read_example(self, index: int) -> tuple[np.ndarray, int, int]:
    """(pixels [S, S, C] uint8, label, skipped): example `index`, or the next readable one after it.

    `skipped` counts the unreadable examples passed over (each named in a
    warning on stderr). RuntimeError when no example of the split is readable.
    """
    n = len(self.source)
    for skipped in range(n):
      current = (index + skipped) % n
      try:
        pixels, label = self.source.read(current)
      except Exception as e:  # pylint: disable=broad-except  (PIL raises many types on corrupt files)
        print(f"warning: data.name: skipping unreadable {self.source.describe(current)} "
              f"({type(e).__name__}: {e})", file=sys.stderr, flush=True)
        continue
      pixels = decode.prepared(pixels, self.image_size, flip=False)
      if binarized_once(self.binarize, self.split):
        u = np.random.default_rng([STATIC_BINARIZATION_SEEDS[self.split], current]).random(pixels.shape, np.float32)
        pixels = np.where(u * 255 < pixels, 255, 0).astype(np.uint8)
      return pixels, label, skipped
    raise RuntimeError(f"data.name: none of the {n} examples of {self.source.describe(index)}'s split is readable")


class LocalBatchReader:
  """Picklable map `i -> this process's slice of global batch i` (uint8), run in grain's workers."""

  def __init__(self, split: StreamedSplit, positions: Positions, random_flip: bool,
               partner_positions: Positions | None = None):
    self.split, self.positions, self.random_flip = split, positions, random_flip
    self.partner_positions = partner_positions

  def __call__(self, index: int) -> dict[str, np.ndarray]:
    """{'x': [b, S, S, C] uint8, 'y': [b] int32, 'skipped': [] int32} of global batch `index`
    (C counts both domains' channels for unpaired data)."""
    index = int(index)
    examples = [self.split.read_example(int(i)) for i in self.positions.example_indices(index)]
    x = np.stack([pixels for pixels, _, _ in examples])  # [b, S, S, C_A]
    skipped = sum(s for _, _, s in examples)
    if self.split.partner is not None:
      partners = [self.split.partner.read_example(int(i)) for i in self.partner_positions.example_indices(index)]
      x = np.concatenate([x, np.stack([pixels for pixels, _, _ in partners])], axis=-1)  # [b, S, S, C_A + C_B]
      skipped += sum(s for _, _, s in partners)
    if self.random_flip:
      flip = self.positions.local_uniform(_FLIP, index, ()) < 0.5  # [b]
      x[flip] = x[flip][:, :, ::-1]
    return {"x": x, "y": np.array([label for _, label, _ in examples], np.int32),
            "skipped": np.array(skipped, np.int32)}


def _exit_with_consumer(consumer_pid: int, worker_index: int, worker_count: int):
  """grain worker init: exit once the process it serves (its parent) is gone, e.g. SIGKILLed, even
  before this worker finished starting, instead of lingering."""
  del worker_index, worker_count

  def watch():
    while os.getppid() == consumer_pid:
      time.sleep(PARENT_POLL_S)
    os._exit(0)  # pylint: disable=protected-access  (no cleanup to run: the consumer is gone)

  threading.Thread(target=watch, daemon=True).start()


def _absl_flags_parsed():
  """grain reads absl flags in its workers; outside an absl app (tests, notebooks) mark them parsed."""
  from absl import flags  # pylint: disable=import-outside-toplevel

  if not flags.FLAGS.is_parsed():
    flags.FLAGS.mark_as_parsed()


class StreamedBatchStream(BatchStream):
  """`BatchStream`'s contract over a disk-backed split, read by grain (see module doc)."""

  def __init__(self, split: StreamedSplit, global_batch_size: int, seed: int, value_range, *,
               process_index: int = 0, process_count: int = 1, random_flip: bool = False,
               num_workers: int = 0, worker_buffer: int = 2):
    # pylint: disable=super-init-not-called  (no in-memory arrays to check)
    check_stream_args(global_batch_size, process_index, process_count, split.binarize)
    self.split = split
    self.global_batch_size = global_batch_size
    self.local_batch_size = global_batch_size // process_count
    self.seed, self.process_index, self.binarize = seed, process_index, split.binarize
    self.value_range = value_range
    self.positions = Positions(len(split.source), global_batch_size, self.local_batch_size, seed, process_index)
    self.partner_positions = None if split.partner is None else Positions(
        len(split.partner.source), global_batch_size, self.local_batch_size, seed, process_index,
        _PARTNER_PERMUTATION)
    self.reader = LocalBatchReader(split, self.positions, random_flip, self.partner_positions)
    self.num_workers, self.worker_buffer = num_workers, worker_buffer
    self.skipped_examples = 0
    self._iterator, self._next_index = None, None

  def _open(self, start: int):
    """Read global batches start, start + 1, ...: the first WARMUP_BATCHES in this process while the
    grain workers start (they take seconds to spawn and import), the rest from the workers."""
    import grain  # pylint: disable=import-outside-toplevel

    self.close()
    first_from_grain = start + (WARMUP_BATCHES if self.num_workers else 0)
    dataset = grain.MapDataset.range(first_from_grain, _OPEN_ENDED).map(self.reader)
    iterable = dataset.to_iter_dataset(grain.ReadOptions(num_threads=1, prefetch_buffer_size=self.worker_buffer))
    if self.num_workers:
      _absl_flags_parsed()
      options = grain.MultiprocessingOptions(num_workers=self.num_workers, per_worker_buffer_size=self.worker_buffer)
      iterable = iterable.mp_prefetch(options, worker_init_fn=functools.partial(_exit_with_consumer, os.getpid()))
    self._iterator, self._next_index, self._first_from_grain = iter(iterable), start, first_from_grain
    # The workers start on the first next(): ask for it now, in the background.
    self._starter = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    self._first = self._starter.submit(next, self._iterator)

  def _read(self, index: int) -> dict[str, np.ndarray]:
    """This process's slice of global batch `index`; sequential reads continue the open stream."""
    if self._next_index != index:
      self._open(index)
    if index < self._first_from_grain:
      batch = self.reader(index)  # warm-up, in this process: the same function the workers run
    elif index == self._first_from_grain:
      batch = self._first.result()
    else:
      batch = next(self._iterator)
    self._next_index = index + 1
    self.skipped_examples += int(batch.pop("skipped"))
    if self.binarize == "dynamic":
      u = self.positions.local_uniform(_BINARIZATION, index, batch["x"].shape[1:])
      batch["x"] = np.where(u * 255 < batch["x"], 255, 0).astype(np.uint8)
    return batch

  def local_batch(self, index: int) -> dict[str, np.ndarray]:
    """This process's slice of global batch `index`: {'x': [b_local, S, S, C] uint8, 'y': [b_local] int32}."""
    return self._read(check_index(index))

  def local_batches(self, start: int, count: int) -> dict[str, np.ndarray]:
    """Batches start .. start + count - 1 stacked: 'x' [count, b_local, S, S, C] uint8, 'y' [count, b_local]."""
    start = check_index(start)
    batches = [self._read(start + k) for k in range(check_count(count))]
    return {key: np.stack([b[key] for b in batches]) for key in ("x", "y")}

  def to_model_range(self, x):
    """uint8 pixels p -> lo + (hi - lo) p / 255 in float32 (jittable; runs on the device)."""
    lo, hi = self.value_range
    return x.astype(np.float32) * np.float32((hi - lo) / 255) + np.float32(lo)

  def metrics(self) -> dict[str, float]:
    """{'data/skipped_examples': unreadable examples replaced so far by this process}."""
    return {"data/skipped_examples": float(self.skipped_examples)}

  def close(self):
    """Stop grain's worker processes (a later read reopens them)."""
    if self._iterator is not None:
      with contextlib.suppress(Exception):  # the first batch's error, if any, was raised by _read
        self._first.result()
      self._starter.shutdown()
      if hasattr(self._iterator, "close"):
        self._iterator.close()
    self._iterator, self._next_index = None, None


def read_examples(split: StreamedSplit, count: int) -> tuple[np.ndarray, np.ndarray]:
  """(x [n, S, S, C] uint8, y [n] int32): n = min(count, len) examples evenly spaced over the split
  (all of it when count >= len; a folder is sorted by class, so every class is represented), in-process.
  Unpaired data: n = min(count, len A, len B), example k stacks the k-th of n evenly spaced images of each domain."""
  n = min(count, len(split.source), len(split.partner.source) if split.partner is not None else count)
  x, y = _evenly_spaced(split, n)
  if split.partner is not None:
    x = np.concatenate([x, _evenly_spaced(split.partner, n)[0]], axis=-1)
  return x, y


def _evenly_spaced(split: StreamedSplit, n: int) -> tuple[np.ndarray, np.ndarray]:
  """(x [n, S, S, C], y [n]): n examples of `split` evenly spaced over its indices (n <= its size)."""
  indices = np.linspace(0, len(split.source) - 1, n).astype(int)
  examples = [split.read_example(int(i)) for i in indices]
  return np.stack([e[0] for e in examples]), np.array([e[1] for e in examples], np.int32)
