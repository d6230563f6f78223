"""Run one benchmark workload and print one JSON line per record.

  python scripts/benchmark.py --workload sampler_discrete [--steps 5] [--devices 1]

Workloads are registered in gen_jax.bench (see `gen_jax.bench.workload_names()`);
an unknown or missing --workload prints the valid names to stderr and exits 2.
"""

import json
import sys
from typing import TextIO

from absl import app, flags

from gen_jax import bench

WORKLOAD = flags.DEFINE_string("workload", None, "Registered workload name.")
STEPS = flags.DEFINE_integer("steps", 5, "Timed repetitions (or training steps) of the workload.")
DEVICES = flags.DEFINE_integer("devices", None, "Devices to use (default: all).")


def run_workload(name: str | None, steps: int, devices: int | None, out: TextIO = sys.stdout) -> int:
  """Print the workload's records as JSON lines to `out`; exit status 0, or 2 for an unknown name."""
  names = bench.workload_names()
  if name not in names:
    print(f"benchmark.py: unknown workload {name!r}; valid: {', '.join(names)}", file=sys.stderr)
    return 2
  for record in bench.get_workload(name)(steps, devices):
    print(json.dumps(record), file=out, flush=True)
  return 0


def main(argv):
  del argv
  return run_workload(WORKLOAD.value, STEPS.value, DEVICES.value)


if __name__ == "__main__":
  app.run(main)
