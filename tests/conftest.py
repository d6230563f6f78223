"""One persistent XLA compilation cache and one cache home per test run.

Many tests compile the same programs again: a run and its resume, the subprocess halves of the device
comparisons, the same tiny configs in several files. JAX's persistent compilation cache
(`jax_compilation_cache_dir`) lets a later compilation of an identical program load the executable.
The cache is a fresh directory for each pytest run, shared by the xdist workers and the subprocesses the
tests start (they inherit JAX_COMPILATION_CACHE_DIR), and removed when the run ends, so no run reuses
programs compiled by an earlier one. A set JAX_COMPILATION_CACHE_DIR is left as it is.
Every program is kept, however fast it compiled (minimum compile time 0 s): the many small programs that eager
initialization and evaluation run op by op would otherwise be compiled again in every process.

XLA compiles at optimization level 0 without LLVM's expensive passes (`tests.helpers.cli.FAST_COMPILE_FLAGS`,
unless XLA_FLAGS already sets a level): tests compile many small programs and run them briefly. Six model test
files took 144 s instead of 216 s of wall time (249 instead of 393 user CPU-s). The few computations that are
slow at that level (training the digits classifier: 15x) run in a subprocess at full optimization
(`tests.helpers.cli.run_at_full_optimization`).

The tests run under the XLA CPU flags the scripts set (`gen_jax.train.cpu_flags`), inherited by the workers and
subprocesses.

Every test process keeps freed host memory for reuse (`gen_jax.train.host_memory`), as the scripts do: XLA's
per-call CPU buffers then stop being mapped and zeroed again on every call.

XDG_CACHE_HOME is a fresh directory per run too (also removed at the end): the feature classifiers that
evaluations train and cache (`gen_jax.eval.features`, under $XDG_CACHE_HOME/gen_jax) are trained by the run
that needs them, as on a fresh CI machine, and never read from or left in the user's ~/.cache.
"""

import os
import shutil
import tempfile

from gen_jax.train.cpu_flags import apply_defaults  # imports no jax
from gen_jax.train.host_memory import retain_freed_memory  # imports no jax
from tests.helpers.cli import FAST_COMPILE_FLAGS  # imports no jax

_OWNED_DIRS = "GEN_JAX_TEST_OWNED_DIRS"

if _OWNED_DIRS not in os.environ:
  # Imported first in the controller (before the xdist workers start), so the workers and the subprocesses the
  # tests start inherit the directories.
  owned = []
  if "JAX_COMPILATION_CACHE_DIR" not in os.environ:
    os.environ["JAX_COMPILATION_CACHE_DIR"] = tempfile.mkdtemp(prefix="gen_jax_xla_cache_")
    os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
    owned.append(os.environ["JAX_COMPILATION_CACHE_DIR"])
  if "xla_backend_optimization_level" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {FAST_COMPILE_FLAGS}".strip()
  apply_defaults()  # the scripts' XLA CPU flags (gen_jax.train.cpu_flags)
  os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="gen_jax_test_cache_home_")
  owned.append(os.environ["XDG_CACHE_HOME"])
  os.environ[_OWNED_DIRS] = os.pathsep.join(owned)


retain_freed_memory()  # in the controller and in every xdist worker (each imports this file)


def pytest_unconfigure(config):
  if not hasattr(config, "workerinput"):
    for directory in os.environ.get(_OWNED_DIRS, "").split(os.pathsep):
      if directory:
        shutil.rmtree(directory, ignore_errors=True)
