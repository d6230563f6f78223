"""Seed batching against plain runs: `python -m tests.helpers.seeds_worker` (4 fake CPU devices set here).

`batched_vs_plain(config, num_seeds, workdir)` trains `config` once with train.num_seeds = N and once per
seed as a plain run, and returns per seed the largest difference of a parameter leaf relative to the leaf's
largest magnitude, and whether the whole state is bit-identical. Run as a script it does this for seed 1 of
the tiny PacGAN-2 config on 4 devices and prints one JSON line {'devices', 'rel_diff', 'identical', 'pictures' (seed 1's
pictures have the plain run's file names, `same_pictures`, and seed 0 has its own directory)}.
"""

import json
import os
import tempfile

from tests.helpers.cli import fake_devices_env  # imports no jax

if __name__ == "__main__":
  os.environ.update(fake_devices_env(4))  # the caller's device count, if it set one

import jax  # noqa: E402  (after XLA_FLAGS)
import numpy as np  # noqa: E402

from gen_jax.train import seeds  # noqa: E402
from gen_jax.train.loop import train_and_evaluate  # noqa: E402
from tests.helpers.gan import tiny_config  # noqa: E402


def pacgan_config():
  """Tiny PacGAN-2 on ring8, 10 steps in calls of 5, without the generator's BatchNorm (see the test)."""
  return tiny_config(**{"objective.pack": 2, "model.generator_batch_norm": False, "train.num_steps": 10,
                        "train.steps_per_jit": 5, "train.log_every": 5, "train.checkpoint_every": 10,
                        "train.eval_every": 10})


def batched_vs_plain(config, num_seeds: int, workdir: str, compared=None) -> tuple[list[float], list[bool]]:
  """(relative differences, bit-identical flags) of the seeds `compared` (default all, 0 .. N-1) of a batched
  run against plain runs."""
  batched = config.copy_and_resolve_references()
  batched.train.num_seeds = num_seeds
  state = jax.device_get(train_and_evaluate(batched, os.path.join(workdir, "batched")))
  rel, identical = [], []
  for k in range(num_seeds) if compared is None else compared:
    plain = config.copy_and_resolve_references()
    plain.seed = config.seed + k
    reference = jax.device_get(train_and_evaluate(plain, os.path.join(workdir, f"plain_{k}")))
    mine = seeds.seed_state(state, k)
    rel.append(max(float(np.max(np.abs(a - b)) / np.max(np.abs(b)))
                   for a, b in zip(jax.tree.leaves(mine.params), jax.tree.leaves(reference.params))))
    identical.append(all(np.array_equal(a, b) for a, b in zip(jax.tree.leaves(mine), jax.tree.leaves(reference))))
  return rel, identical


def same_pictures(workdir: str, k: int) -> bool:
  """Whether DIR/batched/samples/seed_<k> holds the same picture files as plain run k's samples/ (and some)."""
  listing = lambda *parts: sorted(os.listdir(os.path.join(workdir, *parts)))
  return listing("batched", "samples", f"seed_{k}") == listing(f"plain_{k}", "samples") != []


if __name__ == "__main__":
  directory = tempfile.mkdtemp()
  rel_diff, same = batched_vs_plain(pacgan_config(), 2, directory, compared=[1])  # the seed after the first
  pictures = same_pictures(directory, 1) and os.path.isdir(os.path.join(directory, "batched", "samples", "seed_0"))
  print(json.dumps({"devices": jax.device_count(), "rel_diff": rel_diff, "identical": same, "pictures": pictures}))
