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

Workload = Callable[[int, int | None], Iterable[dict]]

WORKLOADS: dict[str, Workload] = {}
# Modules whose import registers workloads; add new ones here.
_WORKLOAD_MODULES = ("gen_jax.bench.samplers", "gen_jax.bench.training", "gen_jax.bench.inputs")


def register_workload(name: str):
  """Decorator: register `workload(steps, devices) -> Iterable[dict]` under `name`."""

  def wrap(workload):
    if name in WORKLOADS and WORKLOADS[name] is not workload:
      raise ValueError(f"workload {name!r} is registered twice")
    WORKLOADS[name] = workload
    return workload

  return wrap


def _load_workloads():
  for module in _WORKLOAD_MODULES:
    try:
      importlib.import_module(module)
    except ModuleNotFoundError as e:  # a listed module not written yet (as gen_jax.train.registry)
      if e.name != module:
        raise


def workload_names() -> list[str]:
  """Sorted names of all registered workloads."""
  _load_workloads()
  return sorted(WORKLOADS)


def get_workload(name: str) -> Workload:
  """The workload registered as `name`; ValueError listing the valid names otherwise."""
  _load_workloads()
  if name not in WORKLOADS:
    raise ValueError(f"workload: unknown workload {name!r}; expected one of {sorted(WORKLOADS)}")
  return WORKLOADS[name]
