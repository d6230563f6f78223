"""The accelerator check: tests, training benchmarks and seed batching on this machine, one JSON summary.

  bash scripts/gpu_check.sh [--tiny]       (first installs the pinned jax[cuda12] when nvidia-smi sees a GPU)
  python scripts/gpu_check.py [--tiny]     (the same on the jax already installed)

Parts, each a subprocess with its own time limit (the whole fits in 8 minutes on a GPU):
1. the engine and sampler tests (tests/test_engine.py, tests/test_sampling.py, tests/test_diffusion_samplers.py);
2. the device's peak: a large [n, n] @ [n, n] matmul in float32 and in bfloat16 (gen_jax.bench.timing);
3. scripts/benchmark.py for vae_mlp, gan2d_mlp and dcgan32, each in float32 and bfloat16;
4. scripts/benchmark_seeds.py --modes=batched: 10 seeds of pacgan2_ring8 as one run, 1,000 steps.
Prints one JSON object on its last line: backend, device kind, tests {rc, seconds}, peak_flops per dtype,
per benchmark {workload, compute_dtype, steps_per_sec, achieved_flops, mfu (against the measured peak of its
compute dtype)}, seeds {seeds, steps, wall_s, seed_steps_per_sec, seeds_per_sec (finished N-seed runs of
--seed_steps steps per second of wall, compile included)}, and every part's failure, if any (a failing part
does not stop the others). --tiny makes every part tiny (one quick test, a 256 matmul, 2-step benchmarks
at batch 4, 2 seeds of 4 steps); its CPU test (tests/test_gpu_check.py) also passes --workloads=vae_mlp
--dtypes=float32 --seed_config=engine_test. On a CPU, dcgan32 in bfloat16 takes minutes a step and is reported as timed out.
"""

import json
import os
import subprocess
import sys
import time

from absl import app, flags

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOADS = ("vae_mlp", "gan2d_mlp", "dcgan32")
DTYPES = ("float32", "bfloat16")
TESTS = ("tests/test_engine.py", "tests/test_sampling.py", "tests/test_diffusion_samplers.py")
TINY_TESTS = ("tests/test_sampling.py::test_discrete_vmap_over_keys",)
PEAK_CODE = """import json, sys, jax, jax.numpy as jnp
from gen_jax.bench import timing
size = int(sys.argv[1])
print(json.dumps({"backend": jax.default_backend(), "device_kind": jax.devices()[0].device_kind,
                  **{d: timing.matmul_flops_per_sec(size, dtype=getattr(jnp, d)) for d in sys.argv[2:]}}))"""

flags.DEFINE_bool("tiny", False, "Make every part tiny (the CPU test of this script).")
flags.DEFINE_integer("seed_steps", 1000, "Steps of the 10-seed run.")
flags.DEFINE_list("workloads", list(WORKLOADS), "scripts/benchmark.py workloads to time in each dtype.")
flags.DEFINE_list("dtypes", list(DTYPES), "train.compute_dtype values to time each workload in.")
flags.DEFINE_string("seed_config", "pacgan2_ring8", "Config (under configs/) of the batched-seeds run.")
flags.DEFINE_integer("budget_s", 420, "Seconds for all parts together (scripts/gpu_check.sh's install comes "
                     "before): each part's limit is cut to what is left, and a part with under 10 s left is skipped.")


def run_part(command: list[str], timeout: float, deadline: float) -> dict:
  """{'rc', 'seconds', 'records' (the JSON lines of stdout), 'error' (the stderr tail, on failure)}, run for at
  most `timeout` seconds and not past time.time() = `deadline` (skipped when under 10 s are left)."""
  start = time.time()
  timeout = min(timeout, deadline - start)
  if timeout < 10:
    return {"rc": 124, "seconds": 0.0, "records": [], "error": "skipped: the time budget (--budget_s) is spent"}
  env = dict(os.environ, PYTHONPATH=os.pathsep.join([REPO, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
  try:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=REPO, env=env)
    rc, out, err = done.returncode, done.stdout, done.stderr
  except subprocess.TimeoutExpired as e:
    rc, out, err = 124, e.stdout or "", f"timed out after {timeout} s"
    out = out.decode() if isinstance(out, bytes) else out
  records = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
  part = {"rc": rc, "seconds": time.time() - start, "records": records}
  if rc:
    part["error"] = (err or out)[-600:]
  return part


def benchmark_rows(records: list[dict], dtype: str, peak: float | None) -> list[dict]:
  keep = ("workload", "steps_per_sec", "achieved_flops")
  return [{**{k: r[k] for k in keep}, "compute_dtype": dtype, "mfu": r["achieved_flops"] / peak if peak else None}
          for r in records if "achieved_flops" in r]


def main(argv):
  del argv
  tiny = flags.FLAGS.tiny
  python = sys.executable
  summary, failures = {}, {}
  deadline = time.time() + flags.FLAGS.budget_s

  tests = run_part([python, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *(TINY_TESTS if tiny else TESTS)],
                   120 if tiny else 150, deadline)
  summary["tests"] = {"rc": tests["rc"], "seconds": tests["seconds"]}
  if tests["rc"]:
    failures["tests"] = tests["error"]

  peak = run_part([python, "-c", PEAK_CODE, "256" if tiny else "8192", *DTYPES], 60, deadline)
  peaks = peak["records"][0] if peak["records"] else {}
  summary.update(backend=peaks.get("backend"), device_kind=peaks.get("device_kind"),
                 peak_flops={d: peaks.get(d) for d in DTYPES})
  if peak["rc"]:
    failures["peak"] = peak["error"]

  size = ["--steps=2", "--repeats=1", "--batch_size=4", "--steps_per_jit=1"] if tiny else ["--steps=200",
                                                                                             "--repeats=3"]
  summary["benchmarks"] = []
  for workload in flags.FLAGS.workloads:
    for dtype in flags.FLAGS.dtypes:
      part = run_part([python, "scripts/benchmark.py", f"--workload={workload}", f"--compute_dtype={dtype}", *size],
                      60 if tiny else 30, deadline)
      summary["benchmarks"] += benchmark_rows(part["records"], dtype, peaks.get(dtype))
      if part["rc"]:
        failures[f"benchmark {workload} {dtype}"] = part["error"]

  num_seeds, steps = (2, 4) if tiny else (10, flags.FLAGS.seed_steps)
  seeds = run_part([python, "scripts/benchmark_seeds.py", f"--configs={flags.FLAGS.seed_config}", f"--num_seeds={num_seeds}",
                    f"--steps={steps}", "--modes=batched", f"--windows={2 if tiny else 5}"], 120, deadline)
  if seeds["records"]:
    record = seeds["records"][0]
    summary["seeds"] = {k: record[k] for k in ("config", "seeds", "steps", "wall_s", "seed_steps_per_sec")}
    summary["seeds"]["seeds_per_sec"] = record["seeds"] / record["wall_s"]
  if seeds["rc"]:
    failures["seeds"] = seeds["error"]
  summary["failures"] = failures
  print(json.dumps(summary), flush=True)
  return 1 if failures else 0


if __name__ == "__main__":
  app.run(main)
