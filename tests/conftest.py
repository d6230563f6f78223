"""One persistent XLA compilation cache per test run.

Many tests compile the same programs again: a run and its resume, the subprocess halves of the device
comparisons, the same tiny configs in several files. JAX's persistent compilation cache
(`jax_compilation_cache_dir`) lets a later compilation of an identical program load the executable.
The cache is a fresh directory for each pytest run, shared by the xdist workers and the subprocesses the
tests start (they inherit JAX_COMPILATION_CACHE_DIR), and removed when the run ends, so no run reuses
programs compiled by an earlier one. A set JAX_COMPILATION_CACHE_DIR is left as it is.
Every program is kept, however fast it compiled (minimum compile time 0 s): the many small programs that eager
initialization and evaluation run op by op would otherwise be compiled again in every process.
"""

import os
import shutil
import tempfile

_OWNED_CACHE = "GEN_JAX_TEST_OWNS_XLA_CACHE"

if "JAX_COMPILATION_CACHE_DIR" not in os.environ:
  # Imported first in the controller (before the xdist workers start), so the workers inherit the directory.
  os.environ["JAX_COMPILATION_CACHE_DIR"] = tempfile.mkdtemp(prefix="gen_jax_xla_cache_")
  os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
  os.environ[_OWNED_CACHE] = os.environ["JAX_COMPILATION_CACHE_DIR"]


def pytest_unconfigure(config):
  if not hasattr(config, "workerinput") and os.environ.get(_OWNED_CACHE):
    shutil.rmtree(os.environ[_OWNED_CACHE], ignore_errors=True)
