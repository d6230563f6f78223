"""Evaluation of a saved run: the family's metrics, with a fixed key, written to DIR/eval.json.

A seed-batched run (train.num_seeds > 1) is evaluated seed by seed, each with the same key, and
reported as {'seeds', 'per_seed': [{'seed', metrics...}], 'mean', 'stderr', 'step'}: mean and
standard error (sample std / sqrt(n)) over the seeds of every numeric metric.
"""

import json
import os

import jax
import numpy as np

from gen_jax.eval.modes import mean_and_stderr
from gen_jax.eval.sample_quality import sample_quality_metrics
from gen_jax.train import seeds
from gen_jax.train.rundir import load_run


def _jsonable(value):
  value = np.asarray(value)
  return value.item() if value.ndim == 0 else value.tolist()


def _eval_path(workdir: str) -> str:
  return os.path.join(workdir, "eval.json")


def saved_evaluation(workdir: str, step: int) -> dict | None:
  """DIR/eval.json when it evaluates checkpoint `step`, else None (lets table scripts skip finished runs)."""
  path = _eval_path(workdir)
  if not os.path.isfile(path):
    return None
  with open(path, encoding="utf-8") as f:
    results = json.load(f)
  return results if results.get("step") == step else None


def _evaluate_state(config, trainer, dataset, state) -> dict:
  results = {k: _jsonable(v) for k, v in trainer.evaluate(state, dataset, jax.random.PRNGKey(config.eval.seed)).items()}
  results.update(sample_quality_metrics(config, trainer, dataset, state, jax.random.PRNGKey(config.eval.seed)))
  return results


def seed_summary(per_seed: list[dict]) -> dict:
  """{'mean': {metric: mean}, 'stderr': {metric: standard error}} over the seeds' numeric metrics
  (those every seed has; not 'seed')."""
  numeric = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
  keys = [k for k, v in per_seed[0].items() if k != "seed" and numeric(v) and all(numeric(r.get(k)) for r in per_seed)]
  summary = mean_and_stderr([{k: r[k] for k in keys} for r in per_seed])
  return {"mean": {k: m for k, (m, _) in summary.items()}, "stderr": {k: se for k, (_, se) in summary.items()}}


def evaluate_run(workdir: str, step: int | None = None, extra: dict | None = None, current=None) -> dict:
  """trainer.evaluate(state, dataset, PRNGKey(eval.seed)), the image models' sample quality
  (gen_jax.eval.sample_quality), the step and the `extra` fields given (e.g. training times); saved
  atomically to DIR/eval.json. `current`: a config whose eval group (and fields the run's saved config
  lacks) to use, see gen_jax.train.rundir.load_config. A seed-batched run: every seed, then mean and
  standard error (see the module doc)."""
  config, trainer, dataset, state = load_run(workdir, step, current)
  run_seeds = seeds.seeds_of(config)
  if len(run_seeds) == 1:
    results = _evaluate_state(config, trainer, dataset, state)
  else:
    per_seed = [{"seed": seed, **_evaluate_state(config, trainer, dataset, seeds.seed_state(state, k))}
                for k, seed in enumerate(run_seeds)]
    results = {"seeds": run_seeds, "per_seed": per_seed, **seed_summary(per_seed)}
  results["step"] = int(state.step)
  results.update(extra or {})
  path = _eval_path(workdir)
  with open(path + ".tmp", "w", encoding="utf-8") as f:
    json.dump(results, f, indent=2, sort_keys=True)
  os.replace(path + ".tmp", path)
  return results
