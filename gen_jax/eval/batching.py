"""Apply a function to a large array in fixed-size batches so device memory stays bounded."""

from typing import Callable

import jax
import numpy as np
import tqdm


def batched_apply(fn: Callable[[jax.Array], jax.Array], x, batch_size: int = 500,
                  progress: bool = False, desc: str = "") -> np.ndarray:
  """np.concatenate([fn(x[i:i + batch_size]) for each batch]) as a host array.

  The last batch is padded (by repeating its final row) to `batch_size`, so a jitted `fn`
  compiles once; the padded rows are dropped from the result. `fn` must map rows
  independently: [B, ...] -> [B, ...].
  """
  if batch_size < 1:
    raise ValueError(f"batch_size: expected >= 1, got {batch_size}")
  x = np.asarray(x)
  if x.ndim < 1 or x.shape[0] == 0:
    raise ValueError(f"x: expected a non-empty array with a leading batch axis, got shape {x.shape}")
  n = x.shape[0]
  batch_size = min(batch_size, n)
  outputs = []
  for start in tqdm.trange(0, n, batch_size, desc=desc, disable=not progress):
    batch = x[start:start + batch_size]  # [b, ...], b <= batch_size
    valid = batch.shape[0]
    if valid < batch_size:
      batch = np.concatenate([batch, np.repeat(batch[-1:], batch_size - valid, axis=0)])
    outputs.append(np.asarray(fn(batch))[:valid])
  return np.concatenate(outputs)
