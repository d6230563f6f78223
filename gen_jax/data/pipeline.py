"""Deterministic, resumable, process-sharded batches from an in-memory `Dataset`.

Global batch number i is a pure function of (seed, i):

- Positions. The training examples are read in the order of the concatenated
  epoch permutations: epoch e is `default_rng([seed, e]).permutation(N)`
  (plus a stream tag), and global batch i covers positions [i B, (i + 1) B) of
  that sequence, so a batch may straddle an epoch boundary; each epoch covers
  every example exactly once.
- Processes. Process p of P takes positions [p b, (p + 1) b) of the global
  batch, b = B / P: process-major, as `gen_jax.train.parallel.put_batch` expects.
- Dynamic binarization replaces pixels p by 1[u < p], u drawn for the whole
  global batch from a Generator seeded by (seed, i); process p keeps its rows.
- Fresh samples (generated 2-D data) draw the global batch from the generating
  distribution with a Generator seeded by (seed, i); process p keeps its rows.

Resuming at step s therefore needs nothing but s: `local_batch(s)` is exactly
what an uninterrupted run reads, and the result does not depend on P.

Why a small numpy pipeline and not grain: every dataset here fits in host
memory as numpy arrays (digits, MNIST, CIFAR; CelebA at 64x64 takes ~8 GB),
so random access by batch index is a single fancy-indexing gather. That gives
exact resume (the batch index is the whole iterator state, already in the
checkpoint as the step) and multi-host slicing for free, adds no dependency,
and is ~100 lines that can be read in one sitting. grain earns its keep for
datasets that do not fit in memory and for heavy per-example decoding with
worker processes; neither is the case here.
"""

import queue
import threading

import numpy as np

from gen_jax.checks import check_choice, check_positive_int
from gen_jax.data.spec import Dataset

# Separate random streams for the uses of (seed, number).
_PERMUTATION, _BINARIZATION, _FRESH, _FLIP, _PARTNER_PERMUTATION = 0, 1, 2, 3, 4


class Positions:
  """Which training examples process `process_index` reads for global batch i: a pure function of (seed, i).

  Small and picklable: grain's worker processes carry one (see `streaming`). `stream` tags the
  permutations: a second domain read beside the first (unpaired data) uses its own stream, so its
  epoch orders are independent of the first domain's.
  """

  def __init__(self, num_examples: int, global_batch_size: int, local_batch_size: int, seed: int,
               process_index: int, stream: int = _PERMUTATION):
    self.num_examples, self.global_batch_size, self.local_batch_size = num_examples, global_batch_size, local_batch_size
    self.seed, self.process_index, self.stream = seed, process_index, stream
    self._permutations = {}  # epoch -> permutation, the last two epochs only

  def _permutation(self, epoch: int) -> np.ndarray:
    """[N]: the order of epoch `epoch`, a permutation seeded by (seed, epoch)."""
    permutation = self._permutations.get(epoch)
    if permutation is None:  # the cache is replaced, never mutated: safe with a prefetch thread reading too
      permutation = np.random.default_rng([self.stream, self.seed, epoch]).permutation(self.num_examples)
      self._permutations = {**{e: p for e, p in self._permutations.items() if e == epoch - 1}, epoch: permutation}
    return permutation

  def example_indices(self, index: int) -> np.ndarray:
    """[b_local]: training-set indices of this process's slice of global batch `index`."""
    n = self.num_examples
    first = index * self.global_batch_size + self.process_index * self.local_batch_size
    positions = np.arange(first, first + self.local_batch_size)  # [b_local]
    epochs = positions // n
    indices = np.empty(self.local_batch_size, np.int64)
    for epoch in np.unique(epochs):
      here = epochs == epoch
      indices[here] = self._permutation(int(epoch))[positions[here] % n]
    return indices

  def local_rows(self, global_array: np.ndarray) -> np.ndarray:
    """This process's rows [b_local, ...] of a [B, ...] array drawn for the whole global batch."""
    start = self.process_index * self.local_batch_size
    return global_array[start:start + self.local_batch_size]

  def local_uniform(self, stream: int, index: int, shape) -> np.ndarray:
    """[b_local, *shape] float32 U(0, 1): this process's rows of a draw for global batch `index`."""
    rng = np.random.default_rng([stream, self.seed, index])
    return self.local_rows(rng.random((self.global_batch_size, *shape), np.float32))


def check_stream_args(global_batch_size, process_index, process_count, binarize):
  """ValueError naming the argument unless the batch divides over the processes and `binarize` is known."""
  check_positive_int(global_batch_size, "global_batch_size")
  check_positive_int(process_count, "process_count")
  if global_batch_size % process_count:
    raise ValueError(f"global_batch_size: {global_batch_size} is not divisible by "
                     f"process_count {process_count}")
  if not isinstance(process_index, int) or not 0 <= process_index < process_count:
    raise ValueError(f"process_index: expected 0..{process_count - 1}, got {process_index!r}")
  check_choice(binarize, ("none", "static", "dynamic"), "binarize")


def check_index(index) -> int:
  if not isinstance(index, (int, np.integer)) or index < 0:
    raise ValueError(f"index: expected an int >= 0, got {index!r}")
  return int(index)


def check_count(count) -> int:
  check_positive_int(count, "count")
  return count


class BatchStream:
  """Deterministic, resumable, process-sharded batches: batch number i is a pure function of (seed, i).

  The batching contract the training loop consumes (also that of
  `streaming.StreamedBatchStream`): `local_batches(start, count)` -> 'x'
  [count, b_local, ...], 'y' [count, b_local]; `to_model_range(x)` (jittable)
  maps the 'x' it yields to the model's value range on the device (here the
  identity: in-memory batches are float32 already); `metrics()` are counters
  to log; `close()` releases workers.
  """

  def __init__(self, dataset: Dataset, global_batch_size: int, seed: int, *, process_index: int = 0,
               process_count: int = 1, binarize: str = "none", fresh_samples: bool = False):
    check_stream_args(global_batch_size, process_index, process_count, binarize)
    x = dataset.train["x"]
    if binarize == "dynamic" and (x.min() < 0 or x.max() > 1):
      raise ValueError(f"binarize: 'dynamic' needs training values in [0, 1] (data.scale='0_1'), "
                       f"got [{x.min()}, {x.max()}]")
    if fresh_samples and dataset.sampler is None:
      raise ValueError(f"fresh_samples: dataset {dataset.spec.name!r} has no generating distribution "
                       "(only generated 2-D datasets do)")
    self.dataset = dataset
    self.global_batch_size = global_batch_size
    self.local_batch_size = global_batch_size // process_count
    self.seed = seed
    self.process_index = process_index
    self.binarize = binarize
    self.fresh_samples = fresh_samples
    self.positions = Positions(len(x), global_batch_size, self.local_batch_size, seed, process_index)

  def example_indices(self, index: int) -> np.ndarray:
    """[b_local]: training-set indices of this process's slice of global batch `index`."""
    return self.positions.example_indices(index)

  def local_batch(self, index: int) -> dict[str, np.ndarray]:
    """This process's slice of global batch `index`: {'x': [b_local, ...] float32, 'y': [b_local] int32} and
    the rows of the training split's other arrays ('condition' of paired data)."""
    index = check_index(index)
    if self.fresh_samples:
      x, y = self.dataset.sampler(np.random.default_rng([_FRESH, self.seed, index]),
                                  self.global_batch_size)
      batch = {"x": self.positions.local_rows(x), "y": self.positions.local_rows(y)}
    else:
      indices = self.example_indices(index)
      batch = {key: values[indices] for key, values in self.dataset.train.items()}
    if self.binarize == "dynamic":
      u = self.positions.local_uniform(_BINARIZATION, index, batch["x"].shape[1:])
      batch["x"] = (u < batch["x"]).astype(np.float32)
    return {**batch, "x": batch["x"].astype(np.float32), "y": batch["y"].astype(np.int32)}

  def local_batches(self, start: int, count: int) -> dict[str, np.ndarray]:
    """Batches start .. start + count - 1 stacked: 'x' [count, b_local, ...], 'y' [count, b_local] (and any
    other array of the training split, e.g. a paired dataset's 'condition')."""
    batches = [self.local_batch(start + k) for k in range(check_count(count))]
    return {key: np.stack([b[key] for b in batches]) for key in batches[0]}

  def to_model_range(self, x):
    """The batches' 'x' as the model sees them: already float32 in the dataset's value range."""
    return x

  def metrics(self) -> dict[str, float]:
    """Counters to log with the training metrics (none for in-memory data)."""
    return {}

  def close(self):
    """Nothing to release for in-memory data."""


class _Failure:
  def __init__(self, error: BaseException):
    self.error = error


class Prefetcher:
  """Iterator over `stream.local_batches(start + k * count, count)`, k = 0, 1, 2, ...

  A background thread prepares up to `depth` chunks ahead, so host-side batch
  assembly overlaps the device step. Errors in the thread are raised by `next`.
  Use as a context manager, or call `close()`, to stop the thread.
  """

  def __init__(self, stream: BatchStream, start: int, count: int, depth: int = 2):
    check_positive_int(depth, "depth")
    self._stream, self._start, self._count = stream, start, count
    self._queue = queue.Queue(maxsize=depth)
    self._stop = threading.Event()
    self._thread = threading.Thread(target=self._produce, daemon=True)
    self._thread.start()

  def _produce(self):
    start = self._start
    while not self._stop.is_set():
      try:
        item = self._stream.local_batches(start, self._count)
      except Exception as e:  # handed to the consumer, which re-raises it
        item = _Failure(e)
      while not self._stop.is_set():
        try:
          self._queue.put(item, timeout=0.1)
          break
        except queue.Full:
          continue
      if isinstance(item, _Failure):
        return
      start += self._count

  def __iter__(self):
    return self

  def __next__(self) -> dict[str, np.ndarray]:
    if self._stop.is_set():
      raise StopIteration
    item = self._queue.get()
    if isinstance(item, _Failure):
      self.close()
      raise item.error
    return item

  def close(self):
    """Stop the background thread and drop the chunks it prepared."""
    self._stop.set()
    self._thread.join()

  def __enter__(self):
    return self

  def __exit__(self, *exc):
    self.close()
