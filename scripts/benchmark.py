"""Run one benchmark workload and print one JSON line per record.

  python scripts/benchmark.py --workload sampler_discrete [--steps 5] [--devices 1]

Workloads are registered in gen_jax.bench (see `gen_jax.bench.workload_names()`).
"""

import json
import sys

from absl import app, flags

from gen_jax import bench

FLAGS = flags.DEFINE_string("workload", None, "Registered workload name.", required=True)
STEPS = flags.DEFINE_integer("steps", 5, "Timed repetitions (or training steps) of the workload.")
DEVICES = flags.DEFINE_integer("devices", None, "Devices to use (default: all).")


def main(argv):
  del argv
  names = bench.workload_names()
  if FLAGS.value not in names:
    print(f"benchmark.py: unknown workload {FLAGS.value!r}; valid: {', '.join(names)}", file=sys.stderr)
    return 2
  for record in bench.get_workload(FLAGS.value)(STEPS.value, DEVICES.value):
    print(json.dumps(record), flush=True)
  return 0


if __name__ == "__main__":
  app.run(main)
