"""Run safety: the errors a run can end with, state finiteness and fingerprints, workdir checks, stop signals.

Everything here runs on the host, outside the compiled step:

* `nonfinite_leaves` names the floating-point leaves of a state holding NaN or
  inf (checked before every checkpoint save, so none is ever written);
* `state_digest` is the SHA-256 of a state's leaves (paths, dtypes, shapes,
  bytes), stored with each checkpoint and compared on restore, so a checkpoint
  whose bytes changed after it was written is detected, not silently loaded;
* `check_workdir` fails before training when the workdir cannot be written or
  its disk lacks room for the checkpoints;
* `StopFlag` turns SIGTERM / SIGINT into "save at the current step, then return".
"""

import hashlib
import os
import shutil
import signal
import uuid

import jax
import numpy as np


class NonFiniteError(RuntimeError):
  """Training produced a non-finite loss, gradient norm or state value."""


class WorkdirError(RuntimeError):
  """The workdir cannot hold the run: unwritable, full, or without a usable checkpoint."""


def host_array(x) -> np.ndarray:
  """A leaf's value on the host (one replica's copy when the array spans several processes)."""
  if isinstance(x, jax.Array) and not x.is_fully_addressable:
    return np.asarray(x.addressable_data(0))
  return np.asarray(x)


def named_leaves(tree) -> list[tuple[str, np.ndarray]]:
  """[('params/net/Dense_0/kernel', host array), ...] in a fixed order."""
  flat, _ = jax.tree_util.tree_flatten_with_path(tree)
  return [("/".join(_key_name(k) for k in path), host_array(x)) for path, x in flat]


def _key_name(key) -> str:
  for attr in ("name", "key", "idx"):
    if hasattr(key, attr):
      return str(getattr(key, attr))
  return str(key)


def nonfinite_leaves(tree) -> list[str]:
  """Paths of the floating-point leaves of `tree` that hold a NaN or an infinity."""
  return [name for name, x in named_leaves(tree)
          if np.issubdtype(x.dtype, np.inexact) and not np.all(np.isfinite(x))]


def state_digest(tree) -> str:
  """SHA-256 hex digest over every leaf's path, dtype, shape and bytes."""
  digest = hashlib.sha256()
  for name, x in named_leaves(tree):
    digest.update(f"{name}|{x.dtype.str}|{x.shape}|".encode())
    digest.update(np.ascontiguousarray(x).tobytes())
  return digest.hexdigest()


def state_nbytes(tree) -> int:
  """Bytes of all leaves (arrays or ShapeDtypeStructs): the size of one checkpoint's arrays."""
  return sum(int(np.prod(x.shape)) * np.dtype(x.dtype).itemsize for x in jax.tree.leaves(tree))


def required_free_bytes(state_bytes: int, keep: int, existing: int) -> int:
  """Disk room for the checkpoints still to be written: max(1, keep + 1 - existing) of them + 1 MiB.

  The checkpoint manager writes a new checkpoint before deleting the oldest, so
  at its peak a run holds keep + 1 of them.
  """
  return max(1, keep + 1 - existing) * state_bytes + (1 << 20)


def check_workdir(workdir: str, required_bytes: int) -> None:
  """WorkdirError naming --workdir unless it is (or can be made) a writable directory with room.

  Writes and removes one probe file; touches nothing else.
  """
  try:
    os.makedirs(workdir, exist_ok=True)
    probe = os.path.join(workdir, f".write_probe_{uuid.uuid4().hex}")
    with open(probe, "wb") as f:
      f.write(b"0")
    os.remove(probe)
  except OSError as e:
    raise WorkdirError(f"--workdir: cannot write to {workdir!r}: {e.strerror or e}") from e
  free = shutil.disk_usage(workdir).free
  if free < required_bytes:
    raise WorkdirError(f"--workdir: only {free / 2**20:.1f} MiB free on the disk of {workdir!r}; the "
                       f"checkpoints need about {required_bytes / 2**20:.1f} MiB")


class StopFlag:
  """Context manager recording SIGTERM/SIGINT: the loop then saves at the current step and returns.

  Outside the main thread signals stay with the caller (Python only delivers
  them there).
  """

  def __init__(self):
    self.signum = None
    self._previous = {}

  def __enter__(self):
    for sig in (signal.SIGTERM, signal.SIGINT):
      try:
        self._previous[sig] = signal.signal(sig, self._handle)
      except ValueError:
        pass
    return self

  def _handle(self, signum, frame):
    del frame
    self.signum = signum

  @property
  def name(self) -> str:
    return signal.Signals(self.signum).name if self.signum is not None else ""

  def __exit__(self, *exc):
    for sig, handler in self._previous.items():
      signal.signal(sig, handler)
