"""Subprocess body of the families' 1-vs-4-device tests (4 fake CPU devices set here):

  python -m tests.helpers.family_worker MODULE      (tests call `device_comparison(MODULE)`)

MODULE (a test module, e.g. tests.test_vae_models) defines VARIANTS {name: config fields} and tiny_config(**fields) (batch 8);
each variant takes one 2-step update on 1 and on 4 devices from the same state and global batch. Prints one
JSON line {variant: {max_rel_diff, moved, applied, finite, metric_diff, metrics}}.
"""

import importlib
import json
import os
import subprocess
import sys

from tests.helpers.cli import fake_devices_env  # imports no jax

if __name__ == "__main__":
  os.environ.update(fake_devices_env(4))  # the caller's device count, if it set one

import jax  # noqa: E402  (after XLA_FLAGS)
import numpy as np

from gen_jax import data as gdata
from gen_jax.train import parallel, registry
from gen_jax.train.train_step import make_train_step
from tests.helpers.cli import REPO


def few_steps(config, fields: dict):
  """config set to 2 steps in one compiled call, writing everything at step 2, without a progress bar, and
  with `fields` ('group.name': value) applied last."""
  for name in ("num_steps", "steps_per_jit", "log_every", "eval_every", "checkpoint_every"):
    config.train[name] = 2
  config.train.progress = False
  for dotted, value in fields.items():
    group, name = dotted.split(".")
    config[group][name] = value
  return config


def device_comparison(module_name: str) -> dict:
  """This script's JSON result for test module `module_name`, run in a subprocess with 4 fake devices."""
  result = subprocess.run([sys.executable, "-m", "tests.helpers.family_worker", module_name], capture_output=True,
                          text=True, env=fake_devices_env(4, fast_compile=True), timeout=900, cwd=REPO)
  assert result.returncode == 0, result.stderr[-3000:]
  return json.loads(result.stdout.strip().splitlines()[-1])


def assert_devices_agree(run: dict, metric_names: set, tolerance: float = 1e-4) -> None:
  """One variant of `device_comparison`: both runs applied their finite update, parameters moved, 1 and 4
  devices agree within `tolerance` (relative parameters, absolute metrics) and `metric_names` were logged."""
  assert run["applied"] and run["finite"] and run["moved"] > 0, run
  assert run["max_rel_diff"] < tolerance and run["metric_diff"] < tolerance, run
  assert metric_names <= set(run["metrics"]), run["metrics"]


def run(trainer, ds, devices):
  mesh = parallel.make_mesh(devices)
  state = parallel.put_replicated(trainer.init(jax.random.PRNGKey(0)), mesh)
  batches = parallel.put_batch({k: v[:16].reshape(2, 8, *v.shape[1:]) for k, v in ds.train.items()}, mesh,
                               leading_axes=1)
  state, metrics = make_train_step(trainer, mesh)(state, batches, np.ones(2, bool))
  return jax.device_get(state), jax.device_get(metrics)


def main(module_name: str) -> None:
  module = importlib.import_module(module_name)
  out = {}
  for name, fields in module.VARIANTS.items():
    config = module.tiny_config(**fields)
    ds = gdata.load(config.data)
    trainer = registry.get_model(config.model.name)(config, ds.spec)
    (s1, m1), (s4, m4) = run(trainer, ds, 1), run(trainer, ds, 4)
    # Relative to the leaf's size, floored at 1e-3: a leaf that only rounding moved (~1e-8) does not count.
    diffs = [float(np.max(np.abs(a - b)) / (np.max(np.abs(a)) + 1e-3))
             for a, b in zip(jax.tree.leaves((s1.params, s1.model_state)), jax.tree.leaves((s4.params, s4.model_state)))]
    moved = max(float(np.max(np.abs(a - b))) for a, b in
                zip(jax.tree.leaves(s1.params), jax.tree.leaves(trainer.init(jax.random.PRNGKey(0)).params)))
    out[name] = {"max_rel_diff": max(diffs), "moved": moved, "applied": bool(np.all(m1["applied"])),
                 "finite": all(bool(np.all(np.isfinite(v))) for v in m1.values()),
                 "metric_diff": max(float(np.max(np.abs(m1[k] - m4[k]))) for k in m1 if k not in ("applied", "finite_parts")),
                 "metrics": sorted(m1)}
  print(json.dumps(out))


if __name__ == "__main__":
  main(sys.argv[1])
