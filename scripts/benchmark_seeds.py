"""Seed batching against sequential runs: N seeds of a config as one run (train.num_seeds = N) vs N plain runs.

  python scripts/benchmark_seeds.py [--configs=pacgan2_ring8,vae_digits] [--num_seeds=10] [--steps=500]

For each config, trains seeds 0 .. N-1 for --steps steps (checkpoint, pictures and log windows as set
below) twice in this process after an untimed short one-seed warm-up (imports, data set load; only when both modes are timed), each time with train_and_evaluate as scripts/train.py does, compiles included:
once as one seed-batched run, once as N runs one after another. Prints one JSON line per mode
{config, mode, seeds, steps, wall_s, cpu_s (this process, all threads), steady_steps_per_sec (steps of all
the seeds per second: the median logged rate after the first window, which holds the compile; divided by N
for the sequential runs), full_wall_estimate_s (wall with the config's own
train.num_steps: wall + (num_steps - steps) / steady rate)}, then one per config {config, speedup_wall,
speedup_cpu, speedup_steady, speedup_full_estimate} (sequential / batched) when --modes has both.
Each record also has seed_steps_per_sec (seeds x steady steps per second).
"""

import importlib
import json
import os
import statistics
import tempfile
import time

from absl import app, flags

flags.DEFINE_list("configs", ["pacgan2_ring8", "vae_digits"], "Config names under configs/.")
flags.DEFINE_integer("num_seeds", 10, "Seeds per config.")
flags.DEFINE_integer("steps", 500, "Training steps per seed (the configs' own train.num_steps is longer).")
flags.DEFINE_list("modes", ["batched", "sequential"], "Which to time: batched, sequential (the speed-ups need both).")
flags.DEFINE_integer("windows", 5, "Logged windows per run (the steady rate is their median after the first).")


def timed_runs(config, num_seeds: int, batched: bool, workdir: str) -> dict:
  """Wall and CPU seconds of training the seeds (batched or one after another), and the steady step rate."""
  from gen_jax.train.loop import train_and_evaluate  # pylint: disable=import-outside-toplevel
  from gen_jax.train.metrics_writer import read_metrics  # pylint: disable=import-outside-toplevel

  runs = [(0, num_seeds)] if batched else [(seed, 1) for seed in range(num_seeds)]
  rates = []
  start, start_cpu = time.time(), time.process_time()
  for seed, count in runs:
    run = config.copy_and_resolve_references()
    run.seed, run.train.num_seeds = seed, count
    run_dir = os.path.join(workdir, f"seed_{seed}_{count}")
    train_and_evaluate(run, run_dir)
    logged = sorted({r["step"]: r["steps_per_sec"] for r in read_metrics(run_dir) if "steps_per_sec" in r}.items())
    rates.append(statistics.median(rate for _, rate in logged[1:]))
  wall, cpu = time.time() - start, time.process_time() - start_cpu
  # Steps of all N seeds per second: the batched run's rate, or the plain runs' rate / N (one after another).
  steady = statistics.median(rates) / (1 if batched else num_seeds)
  return {"wall_s": wall, "cpu_s": cpu, "steady_steps_per_sec": steady, "seed_steps_per_sec": steady * num_seeds}


def main(argv):
  del argv
  from gen_jax.train.cpu_flags import apply_defaults  # pylint: disable=import-outside-toplevel
  apply_defaults()  # XLA CPU flags, as the training script sets them
  fl = flags.FLAGS
  unknown = sorted(set(fl.modes) - {"batched", "sequential"})
  if unknown or not fl.modes:
    raise app.UsageError(f"--modes: expected batched and/or sequential, got {','.join(fl.modes)}")
  for name in fl.configs:
    config = importlib.import_module(f"configs.{name}").get_config()
    full_steps = config.train.num_steps
    window = max(fl.steps // fl.windows, 1)
    for field, value in (("num_steps", fl.steps), ("log_every", window), ("checkpoint_every", fl.steps),
                         ("eval_every", fl.steps), ("progress", False)):
      config.train[field] = value
    config.train.steps_per_jit = min(config.train.steps_per_jit, window)
    warm_up = config.copy_and_resolve_references()
    warm_up.train.num_steps = min(fl.steps, 2 * window)
    if len(fl.modes) > 1:  # warm-up: imports and the data set load, so that neither mode pays them alone
      with tempfile.TemporaryDirectory() as workdir:
        timed_runs(warm_up, 1, False, workdir)
    modes = {}
    for mode in fl.modes:
      with tempfile.TemporaryDirectory() as workdir:
        record = timed_runs(config, fl.num_seeds, mode == "batched", workdir)
      record["full_wall_estimate_s"] = record["wall_s"] + (full_steps - fl.steps) / record["steady_steps_per_sec"]
      modes[mode] = {"config": name, "mode": mode, "seeds": fl.num_seeds, "steps": fl.steps, **record}
      print(json.dumps(modes[mode]), flush=True)
    if set(modes) != {"batched", "sequential"}:
      continue
    ratio = lambda key, inverse=False: (modes["batched"][key] / modes["sequential"][key] if inverse
                                        else modes["sequential"][key] / modes["batched"][key])
    print(json.dumps({"config": name, "seeds": fl.num_seeds, "steps": fl.steps, "full_steps": full_steps,
                      "speedup_wall": ratio("wall_s"), "speedup_cpu": ratio("cpu_s"),
                      "speedup_steady": ratio("steady_steps_per_sec", inverse=True),
                      "speedup_full_estimate": ratio("full_wall_estimate_s")}), flush=True)


if __name__ == "__main__":
  app.run(main)
