"""Keep freed host memory in the process, so that XLA's CPU buffers are not mapped and zeroed again every call.

XLA's CPU backend allocates an executable's temporary buffer with malloc on each call and frees it after. glibc
serves an allocation above its mmap threshold (which adapts, but never beyond 32 MiB on 64-bit) with a fresh
mmap and returns it with munmap, so a step whose buffer is larger (vdm_digits' U-Net step: 41.7 MB) faults in
and zeroes ~10,000 new pages on every call: measured, 22 ms of system time per 70 ms step, 27 % of the CPU
time of a run. `retain_freed_memory` sets

  mallopt(M_MMAP_MAX, 0)              serve every allocation from the heap (glibc still falls back to mmap
                                      for a request its arenas cannot hold), and
  mallopt(M_TRIM_THRESHOLD, 2^31 - 1) never hand the heap's free top back to the OS,

so the next call reuses the same, already mapped pages (1 page fault per step instead of 10,000; the results
are unchanged: only where the bytes live changes). The price: the process keeps its peak heap until it exits.
The scripts (`gen_jax.cli.run`) and the test suite call it; a library user may call it once at start. Only
glibc has these knobs; elsewhere, or with GEN_JAX_RETAIN_HOST_MEMORY=0, it does nothing.
"""

import ctypes
import os
import platform

M_TRIM_THRESHOLD = -1   # glibc's mallopt parameter numbers (malloc.h)
M_MMAP_MAX = -4
OPT_OUT = "GEN_JAX_RETAIN_HOST_MEMORY"


def retain_freed_memory() -> bool:
  """Apply the two mallopt settings of the module doc to this process; True when applied (glibc, not opted out
  with GEN_JAX_RETAIN_HOST_MEMORY=0), False when nothing was changed."""
  if os.environ.get(OPT_OUT, "1") == "0" or platform.libc_ver()[0] != "glibc":
    return False
  try:
    mallopt = ctypes.CDLL(None).mallopt
  except (OSError, AttributeError):
    return False
  mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
  return bool(mallopt(M_MMAP_MAX, 0)) and bool(mallopt(M_TRIM_THRESHOLD, 2**31 - 1))
