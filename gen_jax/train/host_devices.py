"""N devices on one CPU host, for multi-device runs, tests and benchmarks without accelerators.

XLA's CPU backend shows `N` devices when `XLA_FLAGS` holds `--xla_force_host_platform_device_count=N`; the
data-parallel engine runs on them as on N accelerators (sharing the host's cores). XLA reads the flag when its
backend starts, so it belongs in the environment of a new process. This module imports no JAX: a script can
build that environment before anything starts a backend.
"""

import os
from collections.abc import Mapping

DEVICE_COUNT_FLAG = "--xla_force_host_platform_device_count"


def with_host_devices(devices: int, environ: Mapping[str, str] | None = None) -> dict[str, str]:
  """A copy of `environ` (default `os.environ`) whose XLA_FLAGS ask for `devices` CPU devices.

  The flag is added after the environment's own XLA_FLAGS, which are kept; an environment that already sets
  a device count keeps its own (the user's choice wins). `environ` itself is not changed.

  Raises:
    ValueError: naming `devices` unless it is an integer >= 1.

  Example:
    >>> env = with_host_devices(4, {"XLA_FLAGS": "--xla_dump_to=/tmp/hlo"})
    >>> env["XLA_FLAGS"]
    '--xla_dump_to=/tmp/hlo --xla_force_host_platform_device_count=4'
    >>> with_host_devices(4, {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"})["XLA_FLAGS"]
    '--xla_force_host_platform_device_count=2'
  """
  if isinstance(devices, bool) or not isinstance(devices, int) or devices < 1:
    raise ValueError(f"devices: expected an integer >= 1, got {devices!r}")
  env = dict(os.environ if environ is None else environ)
  flags = env.get("XLA_FLAGS", "")
  if DEVICE_COUNT_FLAG not in flags:
    env["XLA_FLAGS"] = f"{flags} {DEVICE_COUNT_FLAG}={devices}".strip()
  return env
