"""Train a model: `python scripts/train.py --config=configs/NAME.py --workdir=DIR [--config.x.y=v ...]`.

With no flags it runs the default demo (configs/demo.py) into runs/demo.
Resumes automatically from the newest usable checkpoint in --workdir; refuses a
workdir trained with a different model config unless --allow_config_change.
SIGTERM / Ctrl-C save a checkpoint at the current step and exit with code 0.
Exit codes: 0 done or stopped, 2 bad input or workdir, 3 divergence.
"""

import os

from absl import flags

from gen_jax import cli

cli.define_config_flag("config", os.path.join(cli.REPO_ROOT, "configs", "demo.py"), "Experiment config file.")
flags.DEFINE_string("workdir", "", "Run directory (default: runs/<config name>).")
flags.DEFINE_bool("allow_config_change", False, "Resume even if the stored model/objective/data config differs "
                  "(same as --config.train.allow_config_change=True).")


def main(argv):
  if len(argv) > 1:
    cli.fail(f"unexpected arguments: {' '.join(argv[1:])}")
  from gen_jax.train.loop import train_and_evaluate  # pylint: disable=import-outside-toplevel
  from gen_jax.train.safety import host_array  # pylint: disable=import-outside-toplevel

  config = cli.config_from_flag("config")
  config_path = flags.FLAGS["config"].config_filename
  workdir = flags.FLAGS.workdir or os.path.join("runs", os.path.splitext(os.path.basename(config_path))[0])
  if flags.FLAGS.allow_config_change:
    config.train.allow_config_change = True
  state = train_and_evaluate(config, workdir)
  if int(host_array(state.step)) < config.train.num_steps:
    return  # stopped by a signal; the loop printed where the checkpoint is
  print(f"done: checkpoints, metrics.jsonl and pictures (samples/) are in {os.path.abspath(workdir)}; "
        f"evaluate with: python scripts/evaluate.py --workdir={workdir}")


if __name__ == "__main__":
  cli.run(main)
