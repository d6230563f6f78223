"""Benchmark workloads by name, run by `scripts/benchmark.py --workload NAME`.

A workload is a function `(steps: int, devices: int | None) -> Iterable[dict]`
registered with `@register_workload(name)`; it yields one JSON-able record per
measurement (implementation, size, seconds, throughput). `steps` is the number
of timed repetitions (or training steps) and `devices` the device count (None =
all). Modules that register workloads are listed in `_WORKLOAD_MODULES` and are
imported on first lookup.
"""

import importlib
from typing import Callable, Iterable

from gen_jax.registry import Registry

Workload = Callable[[int, int | None], Iterable[dict]]

WORKLOADS = Registry("workload", "workload", {})
# Modules whose import registers workloads; add new ones here.
_WORKLOAD_MODULES = ("gen_jax.bench.samplers", "gen_jax.bench.training", "gen_jax.bench.inputs")


def register_workload(name: str):
  """Decorator: register `workload(steps, devices) -> Iterable[dict]` under `name`."""
  return WORKLOADS.register(name)


def _load_workloads():
  for module in _WORKLOAD_MODULES:
    importlib.import_module(module)


def workload_names() -> list[str]:
  """Sorted names of all registered workloads."""
  _load_workloads()
  return WORKLOADS.names()


def get_workload(name: str) -> Workload:
  """The workload registered as `name`; ValueError listing the valid names otherwise."""
  _load_workloads()
  return WORKLOADS.get(name)
