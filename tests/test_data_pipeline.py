"""BatchStream: deterministic by (seed, index), resumable, process-sharded; Prefetcher equals direct reads."""

import os
import socket
import subprocess
import sys

import numpy as np
import pytest

from gen_jax.data import BatchStream, DataSpec, Dataset, Prefetcher, toy2d
from tests.helpers.cli import fake_devices_env


def indexed_dataset(n: int, sampler=None) -> Dataset:
  """x[i] = (i, -i), y[i] = i % 7: every example names its own index."""
  i = np.arange(n)
  spec = DataSpec("indexed", "points", (2,), 7, (-n, n), None, None, False)
  train = {"x": np.stack([i, -i], 1).astype(np.float32), "y": (i % 7).astype(np.int32)}
  return Dataset(spec, train, None, sampler)


def probability_dataset(n: int) -> Dataset:
  p = np.random.default_rng(0).random((n, 4, 4, 1), dtype=np.float32)
  spec = DataSpec("probs", "images", (4, 4, 1), 0, (0.0, 1.0), None, None, True)
  return Dataset(spec, {"x": p, "y": np.zeros(n, np.int32)}, None)


def ids(batch) -> np.ndarray:
  return batch["x"][..., 0].astype(np.int64)


def test_batch_shapes_and_dtypes():
  stream = BatchStream(indexed_dataset(50), 8, seed=0, process_index=1, process_count=2)
  batch = stream.local_batch(0)
  assert batch["x"].shape == (4, 2) and batch["x"].dtype == np.float32
  assert batch["y"].shape == (4,) and batch["y"].dtype == np.int32
  np.testing.assert_array_equal(batch["y"], ids(batch) % 7)
  stacked = stream.local_batches(3, 5)
  assert stacked["x"].shape == (5, 4, 2) and stacked["y"].shape == (5, 4)


@pytest.mark.parametrize("batch_size", [10, 16, 120])  # 16, 120: batches straddle epochs
def test_each_epoch_covers_every_example_exactly_once(batch_size):
  n, epochs = 50, 3
  stream = BatchStream(indexed_dataset(n), batch_size, seed=1)
  order = ids(stream.local_batches(0, -(-epochs * n // batch_size))).ravel()[:epochs * n]
  for e in range(epochs):
    np.testing.assert_array_equal(np.sort(order[e * n:(e + 1) * n]), np.arange(n))
  assert not np.array_equal(order[:n], order[n:2 * n])  # a new permutation per epoch


def test_epoch_order_is_the_seeded_permutation_and_batches_straddle():
  stream = BatchStream(indexed_dataset(50), 16, seed=4)
  # Batch 3 covers positions 48..63: the last 2 of epoch 0, then the first 14 of epoch 1.
  expected = np.concatenate([stream.positions._permutation(0)[48:], stream.positions._permutation(1)[:14]])
  np.testing.assert_array_equal(ids(stream.local_batch(3)), expected)


@pytest.mark.parametrize("n", [48, 37])  # 37: batches straddle epochs (an example may then recur)
def test_two_processes_get_disjoint_slices_that_together_are_the_global_batch(n):
  dataset = indexed_dataset(n)
  whole = BatchStream(dataset, 12, seed=2)
  parts = [BatchStream(dataset, 12, seed=2, process_index=p, process_count=2) for p in range(2)]
  for index in range(10):
    a, b = (ids(s.local_batch(index)) for s in parts)
    if n % 12 == 0:
      assert not set(a) & set(b)
    np.testing.assert_array_equal(np.concatenate([a, b]), ids(whole.local_batch(index)))


def test_same_seed_same_order_different_seed_different_order():
  dataset = indexed_dataset(100)
  a = BatchStream(dataset, 20, seed=7).local_batches(0, 5)
  b = BatchStream(dataset, 20, seed=7).local_batches(0, 5)
  c = BatchStream(dataset, 20, seed=8).local_batches(0, 5)
  np.testing.assert_array_equal(a["x"], b["x"])
  assert not np.array_equal(a["x"], c["x"])


def test_resume_reads_the_tail_of_an_uninterrupted_run():
  dataset = indexed_dataset(45)
  uninterrupted = BatchStream(dataset, 8, seed=3, process_index=1, process_count=2).local_batches(0, 30)
  resumed = BatchStream(dataset, 8, seed=3, process_index=1, process_count=2).local_batches(10, 20)
  for key in ("x", "y"):
    np.testing.assert_array_equal(resumed[key], uninterrupted[key][10:])


def by_example(stream, index):
  """Batch `index` (one whole epoch) reordered by example index."""
  x = np.empty_like(stream.dataset.train["x"])
  x[stream.example_indices(index)] = stream.local_batch(index)["x"]
  return x


def test_dynamic_binarization_is_deterministic_by_index_and_process_invariant():
  dataset = probability_dataset(40)
  stream = BatchStream(dataset, 40, seed=5, binarize="dynamic")  # one batch = one epoch
  first = stream.local_batch(6)
  assert set(np.unique(first["x"])) == {0.0, 1.0}
  np.testing.assert_array_equal(BatchStream(dataset, 40, seed=5, binarize="dynamic").local_batch(6)["x"], first["x"])
  assert not np.array_equal(by_example(stream, 6), by_example(stream, 7))  # new draws per batch
  parts = [BatchStream(dataset, 40, seed=5, process_index=p, process_count=4, binarize="dynamic")
           for p in range(4)]
  np.testing.assert_array_equal(np.concatenate([s.local_batch(6)["x"] for s in parts]), first["x"])


def test_dynamic_binarization_draws_bernoulli_of_the_pixels():
  dataset = probability_dataset(100)
  stream = BatchStream(dataset, 100, seed=6, binarize="dynamic")
  # Batch i of 100 = one epoch: sum over epochs of the draws per example vs the pixel probability.
  draws = sum(by_example(stream, index) for index in range(200))
  p = dataset.train["x"]
  z = (draws - 200 * p) / np.sqrt(200 * p * (1 - p) + 1e-12)
  assert abs(z.mean()) * np.sqrt(z.size) < 4.0
  assert abs(z.std() - 1.0) < 0.1


def test_fresh_samples_are_deterministic_by_index_and_process_invariant():
  dataset = indexed_dataset(10, sampler=toy2d.ring8)
  whole = BatchStream(dataset, 16, seed=9, fresh_samples=True)
  batch = whole.local_batch(4)
  x, y = toy2d.ring8(np.random.default_rng([2, 9, 4]), 16)  # the documented stream
  np.testing.assert_array_equal(batch["x"], x)
  np.testing.assert_array_equal(batch["y"], y)
  assert not np.array_equal(whole.local_batch(5)["x"], batch["x"])
  parts = [BatchStream(dataset, 16, seed=9, process_index=p, process_count=2, fresh_samples=True)
           for p in range(2)]
  np.testing.assert_array_equal(np.concatenate([s.local_batch(4)["x"] for s in parts]), batch["x"])


def test_prefetcher_yields_the_same_as_direct_reads():
  stream = BatchStream(indexed_dataset(30), 8, seed=11, process_index=0, process_count=2)
  with Prefetcher(stream, start=7, count=3, depth=2) as prefetched:
    for k, chunk in zip(range(6), prefetched):
      direct = stream.local_batches(7 + 3 * k, 3)
      for key in ("x", "y"):
        np.testing.assert_array_equal(chunk[key], direct[key])
  assert not prefetched._thread.is_alive()


def test_prefetcher_raises_the_error_of_its_thread():
  stream = BatchStream(indexed_dataset(30), 8, seed=0)
  prefetched = Prefetcher(stream, start=0, count=0)
  with pytest.raises(ValueError, match="count"):
    next(prefetched)
  assert not prefetched._thread.is_alive()
  with pytest.raises(StopIteration):
    next(prefetched)


def test_argument_errors_name_the_argument():
  dataset = indexed_dataset(10)
  with pytest.raises(ValueError, match="global_batch_size: 9 is not divisible by process_count 2"):
    BatchStream(dataset, 9, 0, process_count=2)
  with pytest.raises(ValueError, match="process_index"):
    BatchStream(dataset, 8, 0, process_index=2, process_count=2)
  with pytest.raises(ValueError, match="global_batch_size"):
    BatchStream(dataset, 0, 0)
  with pytest.raises(ValueError, match="binarize: 'dynamic' needs training values in"):
    BatchStream(dataset, 8, 0, binarize="dynamic")
  with pytest.raises(ValueError, match="binarize"):
    BatchStream(dataset, 8, 0, binarize="always")
  with pytest.raises(ValueError, match="fresh_samples"):
    BatchStream(dataset, 8, 0, fresh_samples=True)
  with pytest.raises(ValueError, match="index"):
    BatchStream(dataset, 8, 0).local_batch(-1)
  with pytest.raises(ValueError, match="depth"):
    Prefetcher(BatchStream(dataset, 8, 0), 0, 1, depth=0)


MULTI_HOST_SCRIPT = """
import sys
import jax
import numpy as np
jax.config.update("jax_cpu_collectives_implementation", "gloo")
jax.distributed.initialize(coordinator_address="127.0.0.1:" + sys.argv[2], num_processes=2,
                           process_id=int(sys.argv[1]))
from jax.experimental import multihost_utils
from gen_jax.data import BatchStream, DataSpec, Dataset
from gen_jax.train import parallel

i = np.arange(37)
spec = DataSpec("indexed", "points", (2,), 0, (-37.0, 37.0), None, None, False)
dataset = Dataset(spec, {"x": np.stack([i, -i], 1).astype(np.float32), "y": i.astype(np.int32)}, None)
mesh = parallel.make_mesh()
stream = BatchStream(dataset, 8, seed=3, process_index=jax.process_index(), process_count=jax.process_count())
on_mesh = parallel.put_batch(stream.local_batches(5, 3), mesh, leading_axes=1)
gathered = multihost_utils.process_allgather(on_mesh["x"], tiled=True)
expected = BatchStream(dataset, 8, seed=3).local_batches(5, 3)["x"]
assert mesh.size == 4 and on_mesh["x"].shape == (3, 8, 2), (mesh.size, on_mesh["x"].shape)
np.testing.assert_array_equal(np.asarray(gathered), expected)
print("OK", jax.process_index())
"""


def test_two_host_processes_assemble_the_global_batch_on_the_mesh(tmp_path):
  """Two jax processes (2 fake CPU devices each, gloo): their slices put on a 4-device mesh equal the
  batch one process reads alone."""
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = str(s.getsockname()[1])
  script = tmp_path / "multi_host.py"
  script.write_text(MULTI_HOST_SCRIPT)
  root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  env = fake_devices_env(2, PYTHONPATH=root)
  procs = [subprocess.Popen([sys.executable, str(script), str(p), port], env=env, cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for p in range(2)]
  outputs = [p.communicate(timeout=120)[0] for p in procs]
  for p, (proc, out) in enumerate(zip(procs, outputs)):
    assert proc.returncode == 0 and f"OK {p}" in out, out[-3000:]
