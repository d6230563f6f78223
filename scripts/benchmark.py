"""Run one benchmark workload and print one JSON line per record, or compare with PyTorch.

  python scripts/benchmark.py --workload sampler_discrete [--steps 5] [--devices 1]
  python scripts/benchmark.py --workload vae_mlp --steps 100 [--devices N] [--compute_dtype bfloat16]
      [--steps_per_jit 10] [--repeats 5] [--batch_size B]
  python scripts/benchmark.py --workload vae_mlp --steps 100 --profile_top 10   (where the time goes)
  python scripts/make_image_folder.py --out=/tmp/images --count=10000
  python scripts/benchmark.py --workload input_folder --folder=/tmp/images --steps 200 [--num_workers 0,1,2]
  python scripts/benchmark.py --compare [--compare_workloads vae_mlp,gan2d_mlp,dcgan32] [--rounds 5] [--torch_compile]

Workloads are registered in gen_jax.bench (see `gen_jax.bench.workload_names()`);
an unknown or missing --workload prints the valid names to stderr and exits 2.
Training workloads (vae_mlp, gan2d_mlp, dcgan32) and input_digits take
--compute_dtype, --steps_per_jit, --repeats and --batch_size, training
workloads also --profile_top (records documented in gen_jax.bench.profile);
the streamed input workloads (input_folder, input_tfds) take --num_workers,
--repeats and --batch_size, input_folder also --folder. Their JSON fields are
documented in gen_jax.bench.training and gen_jax.bench.inputs. --devices N > 1 on a CPU reruns this script with
XLA_FLAGS=--xla_force_host_platform_device_count=N: N fake devices sharing the
same cores, which measures the data-parallel overhead, not a speed-up.
--compare runs this script and scripts/benchmark_torch.py alternately as
subprocesses, --rounds times per workload, printing each round and then one
summary line per workload with the median ratio of steps/s (gen_jax.bench.compare).
Torch runs with its own defaults (threads, OpenMP) unless --torch_threads is
given; --torch_compile adds a torch.compile side (benchmark_torch.py --compile).
gen_jax runs under the XLA CPU flags its scripts set (gen_jax.train.cpu_flags;
GEN_JAX_XLA_CPU_DEFAULTS=0 measures without them).
"""

import inspect
import json
import os
import sys
from typing import TextIO


from absl import app, flags

from gen_jax import bench
from gen_jax.train import cpu_flags, host_devices

WORKLOAD = flags.DEFINE_string("workload", None, "Registered workload name.")
STEPS = flags.DEFINE_integer("steps", 5, "Timed repetitions (or training steps per timed window) of the workload.")
DEVICES = flags.DEFINE_integer("devices", None, "Devices to use (default: all).")
COMPUTE_DTYPE = flags.DEFINE_enum("compute_dtype", None, ["float32", "bfloat16"],
                                  "Training workloads: train.compute_dtype (params stay float32).")
STEPS_PER_JIT = flags.DEFINE_integer("steps_per_jit", None, "Training workloads: steps per compiled call (scan).")
REPEATS = flags.DEFINE_integer("repeats", None, "Training workloads: timed windows (the median is reported).")
BATCH_SIZE = flags.DEFINE_integer("batch_size", None, "Training workloads: global batch (default: the workload's).")
PROFILE_TOP = flags.DEFINE_integer("profile_top", None, "Training workloads: after timing, print the op-time profile "
                                   "(jax.profiler): time per category and the N most expensive XLA ops.")
FOLDER = flags.DEFINE_string("folder", None, "input_folder: the folder of images to read "
                             "(scripts/make_image_folder.py writes one).")
NUM_WORKERS = flags.DEFINE_list("num_workers", None, "input_folder, input_tfds: grain worker counts to time "
                                "(default 0,1,2).")
COMPARE = flags.DEFINE_bool("compare", False, "Alternate this script with scripts/benchmark_torch.py; print ratios.")
COMPARE_WORKLOADS = flags.DEFINE_list("compare_workloads", ["vae_mlp", "gan2d_mlp", "dcgan32"],
                                      "--compare: the workloads to compare.")
ROUNDS = flags.DEFINE_integer("rounds", 5, "--compare: alternating rounds per workload.")
TORCH_THREADS = flags.DEFINE_integer("torch_threads", None, "--compare: torch threads (default: torch's own).")
TORCH_COMPILE = flags.DEFINE_bool("torch_compile", False, "--compare: also time torch.compile (inductor).")

OPTION_FLAGS = {"compute_dtype": COMPUTE_DTYPE, "steps_per_jit": STEPS_PER_JIT, "repeats": REPEATS,
                "batch_size": BATCH_SIZE, "profile_top": PROFILE_TOP, "folder": FOLDER, "num_workers": NUM_WORKERS}


def workload_options() -> dict:
  """The workload options given on the command line (unset ones are left to the workload)."""
  return {name: flag.value for name, flag in OPTION_FLAGS.items() if flag.value is not None}


def run_workload(name: str | None, steps: int, devices: int | None, out: TextIO = sys.stdout,
                 options: dict | None = None) -> int:
  """Print the workload's records as JSON lines to `out`; exit status 0, or 2 for an unknown name or option."""
  names = bench.workload_names()
  if name not in names:
    print(f"benchmark.py: unknown workload {name!r}; valid: {', '.join(names)}", file=sys.stderr)
    return 2
  workload = bench.get_workload(name)
  options = options or {}
  accepted = inspect.signature(workload).parameters
  takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
  unknown = [option for option in options if not takes_any and option not in accepted]
  if unknown:
    print(f"benchmark.py: --{unknown[0]}: workload {name!r} does not take it", file=sys.stderr)
    return 2
  for record in workload(steps, devices, **options):
    print(json.dumps(record), file=out, flush=True)
  return 0


def with_fake_devices(devices: int | None) -> None:
  """Re-execute this script with N fake CPU devices (XLA_FLAGS) unless they are already set up."""
  env = host_devices.with_host_devices(devices) if devices and devices > 1 else os.environ
  if env != os.environ:
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


def run_compare() -> int:
  """Alternating gen_jax / torch rounds; one JSON line per round, then one summary line per workload."""
  from gen_jax.bench import compare  # pylint: disable=import-outside-toplevel

  shared = [f"--steps={STEPS.value}"] + ([f"--repeats={REPEATS.value}"] if REPEATS.value else [])
  ours = [f"--{name}={value}" for name, value in workload_options().items() if name != "repeats"]
  torch_flags = [*shared, *([f"--threads={TORCH_THREADS.value}"] if TORCH_THREADS.value else [])]
  torch_script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "benchmark_torch.py")
  commands = {
      "gen_jax": lambda w: compare.python_command(os.path.abspath(__file__), w, *shared, *ours),
      "torch": lambda w: compare.python_command(torch_script, w, *torch_flags),
  }
  if TORCH_COMPILE.value:
    commands["torch_compile"] = lambda w: compare.python_command(torch_script, w, *torch_flags, "--compile")
  report = lambda record: print(json.dumps(record), flush=True)
  for summary in compare.compare(COMPARE_WORKLOADS.value, ROUNDS.value, commands, report=report):
    print(json.dumps(summary), flush=True)
  return 0


def main(argv):
  del argv
  cpu_flags.apply_defaults()  # before any computation; --compare's subprocesses inherit them
  if COMPARE.value:
    return run_compare()
  with_fake_devices(DEVICES.value)
  return run_workload(WORKLOAD.value, STEPS.value, DEVICES.value, options=workload_options())


if __name__ == "__main__":
  app.run(main)
