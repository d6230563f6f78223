"""Evaluation of a saved run: the family's metrics, with a fixed key, written to DIR/eval.json."""

import json
import os

import jax
import numpy as np

from gen_jax.eval.sample_quality import sample_quality_metrics
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


def evaluate_run(workdir: str, step: int | None = None, extra: dict | None = None, current=None) -> dict:
  """trainer.evaluate(state, dataset, PRNGKey(eval.seed)), the image models' sample quality
  (gen_jax.eval.sample_quality), the step and the `extra` fields given (e.g. training times); saved
  atomically to DIR/eval.json. `current`: a config whose eval group (and fields the run's saved config
  lacks) to use, see gen_jax.train.rundir.load_config."""
  config, trainer, dataset, state = load_run(workdir, step, current)
  results = {k: _jsonable(v) for k, v in trainer.evaluate(state, dataset, jax.random.PRNGKey(config.eval.seed)).items()}
  results.update(sample_quality_metrics(config, trainer, dataset, state, jax.random.PRNGKey(config.eval.seed)))
  results["step"] = int(state.step)
  results.update(extra or {})
  path = _eval_path(workdir)
  with open(path + ".tmp", "w", encoding="utf-8") as f:
    json.dump(results, f, indent=2, sort_keys=True)
  os.replace(path + ".tmp", path)
  return results
