"""Train a model: `python scripts/train.py --config=configs/NAME.py --workdir=DIR [--config.x.y=v ...]`.

With no flags it runs the default demo (configs/demo.py) into runs/demo.
Resumes automatically from the latest checkpoint in --workdir.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from absl import flags  # noqa: E402
from ml_collections import config_flags  # noqa: E402

from gen_jax import cli  # noqa: E402

config_flags.DEFINE_config_file("config", os.path.join(cli.REPO_ROOT, "configs", "demo.py"),
                                "Experiment config file.", lock_config=True)
flags.DEFINE_string("workdir", "", "Run directory (default: runs/<config name>).")


def main(argv):
  if len(argv) > 1:
    cli.fail(f"unexpected arguments: {' '.join(argv[1:])}")
  from gen_jax.train.loop import train_and_evaluate  # pylint: disable=import-outside-toplevel

  config = cli.config_from_flag("config")
  config_path = flags.FLAGS["config"].config_filename
  workdir = flags.FLAGS.workdir or os.path.join("runs", os.path.splitext(os.path.basename(config_path))[0])
  train_and_evaluate(config, workdir)
  print(f"done: checkpoints, metrics.jsonl and pictures (samples/) are in {os.path.abspath(workdir)}; "
        f"evaluate with: python scripts/evaluate.py --workdir={workdir}")


if __name__ == "__main__":
  cli.run(main)
