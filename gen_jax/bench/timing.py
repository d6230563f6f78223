"""Wall-clock timing of compiled functions."""

import statistics
import time
from typing import Callable

import jax
import jax.numpy as jnp

from gen_jax.checks import check_positive_int


def time_call(fn: Callable, *args, repeats: int = 5) -> float:
  """Median seconds of `fn(*args)` over `repeats` calls, after one untimed warm-up call.

  The warm-up compiles a jitted `fn`; every call is waited for with
  `jax.block_until_ready` (a no-op on NumPy results), so asynchronous dispatch
  does not hide the work.
  """
  check_positive_int(repeats, "repeats")
  jax.block_until_ready(fn(*args))
  seconds = []
  for _ in range(repeats):
    start = time.perf_counter()
    jax.block_until_ready(fn(*args))
    seconds.append(time.perf_counter() - start)
  return statistics.median(seconds)


def time_carried(advance: Callable, carry, repeats: int = 5):
  """(median seconds of `carry = advance(carry)` over `repeats` windows, final carry).

  For steps whose input buffers are donated (a train state): each window feeds
  the previous result back in and waits for it with `jax.block_until_ready`
  only at its end, so nothing synchronizes with the host inside a window. One
  untimed warm-up window runs first (compilation).
  """
  check_positive_int(repeats, "repeats")
  carry = jax.block_until_ready(advance(carry))
  seconds = []
  for _ in range(repeats):
    start = time.perf_counter()
    carry = jax.block_until_ready(advance(carry))
    seconds.append(time.perf_counter() - start)
  return statistics.median(seconds), carry


def compiled_flops(jitted: Callable, *args) -> float:
  """FLOPs of one call of `jitted(*args)` by XLA's cost analysis of the compiled program.

  Counts 2 m n k per matrix product (and convolutions alike) plus elementwise
  operations; a while loop's body (lax.scan) is counted once, whatever its trip
  count, so time a one-iteration program. ValueError when the backend reports none.
  """
  analysis = jitted.lower(*args).compile().cost_analysis()
  if isinstance(analysis, (list, tuple)):  # older jax: one dict per program
    analysis = analysis[0] if analysis else {}
  flops = float((analysis or {}).get("flops", 0.0))
  if flops <= 0:
    raise ValueError(f"jitted: XLA's cost analysis reports no FLOPs on backend {jax.default_backend()!r}")
  return flops


def matmul_flops_per_sec(size: int = 2048, repeats: int = 5, dtype=jnp.float32) -> float:
  """Measured rate 2 n^3 / t of a jitted [n, n] @ [n, n] product in `dtype` (median time of `repeats`)."""
  check_positive_int(size, "size")
  a = jax.random.normal(jax.random.key(0), (size, size), dtype)
  b = jax.random.normal(jax.random.key(1), (size, size), dtype)
  seconds = time_call(jax.jit(jnp.matmul), a, b, repeats=repeats)
  return 2.0 * size**3 / seconds


def throughput_record(workload: str, batch: int, steps: int, seconds: float, flops_per_step: float,
                      peak_flops: float, **extra) -> dict:
  """The benchmark's JSON record: steps_per_sec = steps / seconds, achieved_flops = flops_per_step *
  steps_per_sec, mfu = achieved_flops / peak_flops, then `extra` fields."""
  steps_per_sec = steps / seconds
  achieved = flops_per_step * steps_per_sec
  return dict(workload=workload, batch=batch, steps=steps, seconds=seconds, steps_per_sec=steps_per_sec,
              flops_per_step=flops_per_step, achieved_flops=achieved, peak_flops=peak_flops,
              mfu=achieved / peak_flops, **extra)
