"""The mode-collapse benchmark over seeds: train a config once per seed, evaluate, aggregate.

`run_mode_benchmark(config, seeds, workdir)` trains `config` with seed s in
`workdir/seed_<s>` (resuming a run left unfinished, skipping one already
evaluated), evaluates it exactly as `scripts/evaluate.py` does
(gen_jax.train.run_evaluation.evaluate_run: 2,500 samples, key eval.seed) and
reports mean +- standard error of modes, % high-quality and reverse KL over the
seeds, the way PacGAN's Table 1 does, and the same for discriminator rejection
sampling's samples when the config enables it (eval.rejection_steps > 0; the
'drs/' metrics, gen_jax.gan.rejection) and for MH-GAN's (eval.mh_proposals > 0;
'mh/', gen_jax.gan.metropolis). Results go to `workdir/benchmark.json`.
"""

import json
import os
import time

from gen_jax.eval import modes
from gen_jax.gan.metropolis import METRIC_PREFIX as MH_PREFIX
from gen_jax.gan.rejection import METRIC_PREFIX as REJECTION_PREFIX
from gen_jax.train.run_evaluation import evaluate_run, saved_evaluation
from gen_jax.train.loop import train_and_evaluate

BENCHMARK_KEYS = ("modes", "high_quality", "reverse_kl")
LIKELIHOOD_KEYS = ("kl_to_truth", "nll")  # models with a density (diffusion): summarised when every seed has them
TIMING_KEYS = ("train_seconds", "train_cpu_seconds")


def timed_training(config, run_dir: str) -> dict:
  """Train `config` in `run_dir`; the training's wall time and this process's CPU time (all threads) in
  seconds ('train_seconds', 'train_cpu_seconds'; the CPU time does not count other jobs sharing the machine)."""
  start, start_cpu = time.time(), time.process_time()
  train_and_evaluate(config, run_dir)
  return {"train_seconds": time.time() - start, "train_cpu_seconds": time.process_time() - start_cpu}


def run_seed(config, seed: int, run_dir: str) -> dict:
  """Train `config` with `seed` in `run_dir` (unless already evaluated there) and return its eval dict,
  with the `timed_training` timings."""
  done = saved_evaluation(run_dir, config.train.num_steps)
  if done is not None:
    return done
  config = config.copy_and_resolve_references()
  config.seed = seed
  return evaluate_run(run_dir, extra=timed_training(config, run_dir))


def run_batched_seeds(config, seeds: list[int], run_dir: str) -> list[dict]:
  """Train the consecutive `seeds` as one seed-batched run in `run_dir` (unless already evaluated there) and
  return each seed's eval dict, with the batch's wall and CPU times shared equally among the seeds."""
  done = saved_evaluation(run_dir, config.train.num_steps)
  if done is None:
    config = config.copy_and_resolve_references()
    config.seed, config.train.num_seeds = seeds[0], len(seeds)
    timings = timed_training(config, run_dir)
    done = evaluate_run(run_dir, extra={k: v / len(seeds) for k, v in timings.items()})
  shared = {k: done[k] for k in TIMING_KEYS if k in done}
  return [{**result, **shared} for result in done["per_seed"]]


def run_mode_benchmark(config, seeds, workdir: str, label: str = "gen_jax", log=print,
                       batch_seeds: bool = False) -> dict:
  """Train and evaluate `config` for each seed; returns and writes {'runs', 'summary', 'row'}.

  'summary' maps each metric to (mean, standard error); 'row' is the Markdown
  table row (modes | % high-quality | reverse KL), with further lines for
  '<label> + DRS' and '<label> + MH-GAN' when the evaluations have the 'drs/' and 'mh/' metrics.
  """
  seeds = list(seeds)
  if not seeds:
    raise ValueError("seeds: expected at least one seed")
  if batch_seeds:
    if seeds != list(range(seeds[0], seeds[0] + len(seeds))):
      raise ValueError(f"seeds: expected consecutive seeds to batch, got {seeds}")
    results = run_batched_seeds(config, seeds, os.path.join(workdir, f"seeds_{seeds[0]}_{seeds[-1]}"))
  else:
    results = [run_seed(config, seed, os.path.join(workdir, f"seed_{seed}")) for seed in seeds]
  runs = []
  for seed, result in zip(seeds, results):
    metric_keys = (*BENCHMARK_KEYS, *(p + k for p in (REJECTION_PREFIX, MH_PREFIX)
                                      for k in (*BENCHMARK_KEYS, "acceptance_rate")),
                   *LIKELIHOOD_KEYS, *TIMING_KEYS)
    keys = [k for k in metric_keys if k in result]
    log(f"seed {seed}: " + ", ".join(f"{k}={result[k]:.4g}" for k in keys))
    runs.append({k: result[k] for k in keys})
  shared = [k for k in runs[0] if all(k in run for run in runs)]  # timings may be missing from older runs
  summary = modes.mean_and_stderr([{k: run[k] for k in shared} for run in runs])
  rows = [modes.table_row(label, summary, len(seeds))]
  if REJECTION_PREFIX + "modes" in summary:
    rows.append(modes.table_row(f"{label} + DRS", summary, len(seeds), REJECTION_PREFIX))
  if MH_PREFIX + "modes" in summary:
    rows.append(modes.table_row(f"{label} + MH-GAN", summary, len(seeds), MH_PREFIX))
  report = {"label": label, "seeds": seeds, "runs": runs, "summary": summary, "row": "\n".join(rows)}
  os.makedirs(workdir, exist_ok=True)
  with open(os.path.join(workdir, "benchmark.json"), "w", encoding="utf-8") as f:
    json.dump(report, f, indent=2)
  return report
