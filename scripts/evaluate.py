"""Evaluate a trained run: `python scripts/evaluate.py --workdir=DIR [--step=N] [--config=FILE [--config.eval.x=v]]`.

Prints the family's metrics as ONE JSON object on the last line of stdout (a seed-batched run,
train.num_seeds > 1: every seed under "per_seed", their "mean" and "stderr") and
writes them to DIR/eval.json. The evaluation key is fixed (config.eval.seed), so
two evaluations of one checkpoint agree exactly. The run's saved config.json
decides the model; with --config, FILE's `eval` group replaces the saved one
(e.g. `--config.eval.rejection_steps=4000` adds discriminator rejection
sampling) and FILE supplies the fields a run trained by an older gen_jax lacks.
"""

import json

from absl import flags

from gen_jax import cli

flags.DEFINE_string("workdir", None, "Run directory written by scripts/train.py.", required=True)
flags.DEFINE_integer("step", None, "Checkpoint step to evaluate (default: the latest).")
cli.define_config_flag("config", None, "Optional experiment file: its eval group, and the fields the "
                       "run's config.json lacks.")


def main(argv):
  if len(argv) > 1:
    cli.fail(f"unexpected arguments: {' '.join(argv[1:])}")
  from gen_jax.train.run_evaluation import evaluate_run  # pylint: disable=import-outside-toplevel

  current = cli.config_from_flag("config") if flags.FLAGS["config"].present else None
  results = evaluate_run(flags.FLAGS.workdir, flags.FLAGS.step, current=current)
  print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
  cli.run(main)
