"""Rerun the cheap documented commands and print documented vs measured figures side by side.

  python scripts/reproduce.py [--configs=demo,gan_ring8,...] [--workdir=runs/reproduce] [--override=field=value ...]

Each config's docstring states its seed-0 result in a line
`Reproduce (scripts/reproduce.py, seed 0): metric value, ...`; this trains that config with seed 0 (a
finished run in the workdir is only evaluated again), evaluates it, and prints one JSON line per figure
({config, metric, documented, measured, agrees}), one per config with its wall and CPU seconds, and a
summary line. Exit code 0 when every figure agrees to its printed digits, 1 when one is stale.
The default list (the demo, one seed of each fast 2-D config, vae_digits) takes about 15 CPU-minutes here.
"""

import json
import os

from absl import flags

from gen_jax import cli

from gen_jax.train.reproduce import CHEAP_CONFIGS

flags.DEFINE_list("configs", CHEAP_CONFIGS, "Config names under configs/ to reproduce.")
flags.DEFINE_string("workdir", os.path.join("runs", "reproduce"), "Parent directory of the runs (one per config).")
flags.DEFINE_multi_string("override", [], "field=value applied to every config, repeatable (e.g. "
                          "--override=train.num_steps=5 for a smoke run; figures then differ).")


def main(argv):
  if len(argv) > 1:
    cli.fail(f"unexpected arguments: {' '.join(argv[1:])}")
  from gen_jax.train.reproduce import config_for, documented_figures, reproduce  # pylint: disable=import-outside-toplevel

  overrides = {}
  for pair in flags.FLAGS.override:
    field, sep, value = pair.partition("=")
    if not sep:
      cli.fail(f"--override: expected field=value, got {pair!r}")
    overrides[field] = value
  for name in flags.FLAGS.configs:
    documented_figures(name)  # every config documents its figures and takes the overrides: fail before training
    config_for(name, overrides)
  total = agreeing = 0
  for name in flags.FLAGS.configs:
    for record in reproduce(name, os.path.join(flags.FLAGS.workdir, name), overrides):
      print(json.dumps(record), flush=True)
      if "agrees" in record:
        total, agreeing = total + 1, agreeing + record["agrees"]
  print(json.dumps({"figures": total, "agree": agreeing}))
  return 0 if agreeing == total else 1


if __name__ == "__main__":
  cli.run(main)
