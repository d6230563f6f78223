"""gen_jax.train.host_memory: a freed large buffer's pages are reused by the next allocation once it is applied."""

import os
import platform
import subprocess
import sys

import pytest

from gen_jax.train import host_memory

# Allocate, touch and free a 48 MiB block (above glibc's largest mmap threshold) 8 times; print the page faults.
PROBE = """
import ctypes, resource
from gen_jax.train.host_memory import retain_freed_memory
applied = retain_freed_memory()
libc = ctypes.CDLL(None)
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, (ctypes.c_size_t,)
libc.free.argtypes = (ctypes.c_void_p,)
size = 48 << 20
faults = []
for _ in range(8):
  start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
  block = libc.malloc(size)
  ctypes.memset(block, 1, size)
  libc.free(block)
  faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - start)
print(applied, sum(faults[1:]))
"""


def _probe(opt_out: bool) -> tuple[bool, int]:
  env = {**os.environ, host_memory.OPT_OUT: "0" if opt_out else "1"}
  out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, env=env).stdout.split()
  return out[0] == "True", int(out[1])


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the mallopt knobs are glibc's")
def test_freed_large_blocks_are_reused_instead_of_faulted_in_again():
  applied, retained = _probe(opt_out=False)
  skipped, default = _probe(opt_out=True)
  assert applied and not skipped
  pages = (48 << 20) // 4096
  assert default > 6 * pages       # glibc maps (and the kernel zeroes) the block afresh every time
  assert retained < pages // 10    # the same pages again: almost no new faults after the first round
