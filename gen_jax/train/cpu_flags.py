"""XLA CPU compiler flags that gen_jax sets by default, each measured on this project's workloads.

* `CONVOLUTIONS_WITHOUT_YNNPACK` (--xla_cpu_experimental_ynn_fusion_type=-individual_convolution): jaxlib
  0.10.2 hands each convolution to YNNPACK; XLA's own convolutions are faster on the convolutional models
  here, while matrix products stay on YNNPACK. Measured (scripts/benchmark.py --compare, 3 alternating rounds
  each, 2 cores, AVX2): `dcgan32` 1.72 -> 2.65 steps/s, against torch eager 0.79x -> 1.10x (README,
  Performance). It changes no result beyond float rounding.

XLA reads XLA_FLAGS when its CPU backend starts, so `apply_defaults` must run before the first computation:
the scripts call it first thing (`gen_jax.cli.run`), the test suite in its conftest; a library user may call
it at start. It imports no JAX.

The defaults apply only under the jaxlib they were measured with (`MEASURED_JAXLIB`): an XLA that no longer
knows a flag aborts at start ("Unknown flag in XLA_FLAGS"), and a newer one may have changed the trade-off.
A flag whose name the environment's XLA_FLAGS already holds is left to the user's value, and
GEN_JAX_XLA_CPU_DEFAULTS=0 applies none.
"""

import importlib.metadata
import os
from collections.abc import Mapping

CONVOLUTIONS_WITHOUT_YNNPACK = "--xla_cpu_experimental_ynn_fusion_type=-individual_convolution"
DEFAULT_FLAGS = (CONVOLUTIONS_WITHOUT_YNNPACK,)
MEASURED_JAXLIB = "0.10.2"
OPT_OUT = "GEN_JAX_XLA_CPU_DEFAULTS"


def installed_jaxlib() -> str | None:
  """The installed jaxlib's version string, or None when it is not installed (read without importing it)."""
  try:
    return importlib.metadata.version("jaxlib")
  except importlib.metadata.PackageNotFoundError:
    return None


def with_defaults(environ: Mapping[str, str] | None = None, jaxlib_version: str | None = None) -> dict[str, str]:
  """A copy of `environ` (default `os.environ`) whose XLA_FLAGS end with the `DEFAULT_FLAGS` it lacks.

  Nothing is added when `jaxlib_version` (default: the installed one) is not `MEASURED_JAXLIB` or the
  environment sets GEN_JAX_XLA_CPU_DEFAULTS=0; a flag whose name XLA_FLAGS already holds keeps the user's value.

  Example:
    >>> with_defaults({"XLA_FLAGS": "--xla_dump_to=/tmp/hlo"}, "0.10.2")["XLA_FLAGS"]
    '--xla_dump_to=/tmp/hlo --xla_cpu_experimental_ynn_fusion_type=-individual_convolution'
    >>> with_defaults({"XLA_FLAGS": "--xla_cpu_experimental_ynn_fusion_type=dot"}, "0.10.2")["XLA_FLAGS"]
    '--xla_cpu_experimental_ynn_fusion_type=dot'
    >>> "XLA_FLAGS" in with_defaults({}, "0.11.0")
    False
  """
  env = dict(os.environ if environ is None else environ)
  version = installed_jaxlib() if jaxlib_version is None else jaxlib_version
  if version != MEASURED_JAXLIB or env.get(OPT_OUT, "1") == "0":
    return env
  flags = env.get("XLA_FLAGS", "")
  missing = [flag for flag in DEFAULT_FLAGS if flag.split("=")[0] not in flags]
  if missing:
    env["XLA_FLAGS"] = " ".join([flags, *missing]).strip()
  return env


def apply_defaults() -> bool:
  """Set this process's XLA_FLAGS to `with_defaults()`; True when it added a flag. Call it before JAX's first
  computation (module doc)."""
  env = with_defaults()
  changed = env.get("XLA_FLAGS") != os.environ.get("XLA_FLAGS")
  if changed:
    os.environ["XLA_FLAGS"] = env["XLA_FLAGS"]
  return changed
