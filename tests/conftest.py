"""Faster XLA compilation for the tests: one persistent compilation cache per run, cheap CPU code generation.

Many tests compile the same programs again: a run and its resume, the subprocess halves of the device
comparisons, the same tiny configs in several files. JAX's persistent compilation cache
(`jax_compilation_cache_dir`) lets a later compilation of an identical program load the executable.
The cache is a fresh directory for each pytest run, shared by the xdist workers and the subprocesses the
tests start (they inherit JAX_COMPILATION_CACHE_DIR), and removed when the run ends, so no run reuses
programs compiled by an earlier one. A set JAX_COMPILATION_CACHE_DIR is left as it is.

The tests' programs are tiny, so compiling them costs far more than running them. XLA_FLAGS gains
FAST_COMPILE_FLAGS (LLVM's optimization level 0, its expensive passes off): on the VAE family's device
comparison this cut the wall time by ~40 % with bit-identical losses. Only the generated CPU code's speed
changes, not the program XLA builds. Subprocesses inherit the flags; `tests.helpers.cli.fake_devices_env`
adds a device count to them instead of replacing them.
"""

import os
import shutil
import tempfile

_OWNED_CACHE = "GEN_JAX_TEST_OWNS_XLA_CACHE"
FAST_COMPILE_FLAGS = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"

if FAST_COMPILE_FLAGS not in os.environ.get("XLA_FLAGS", ""):
  os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {FAST_COMPILE_FLAGS}".strip()

if "JAX_COMPILATION_CACHE_DIR" not in os.environ:
  # Imported first in the controller (before the xdist workers start), so the workers inherit the directory.
  os.environ["JAX_COMPILATION_CACHE_DIR"] = tempfile.mkdtemp(prefix="gen_jax_xla_cache_")
  os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0.2"
  os.environ[_OWNED_CACHE] = os.environ["JAX_COMPILATION_CACHE_DIR"]


def pytest_unconfigure(config):
  if not hasattr(config, "workerinput") and os.environ.get(_OWNED_CACHE):
    shutil.rmtree(os.environ[_OWNED_CACHE], ignore_errors=True)
