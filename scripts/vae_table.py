"""Train (or resume) and evaluate the VAE digits configs, then print the Markdown results table.

  python scripts/vae_table.py [--configs=vae_digits,iwae_digits,...] [--runs=runs] [--retrain] [--num_seeds=N]

Each config trains into RUNS/NAME (resuming where a run stopped) and is evaluated
with scripts/evaluate.py's function (held-out split, fixed key). A run whose
RUNS/NAME/eval.json already holds the evaluation of its final step is not
trained or evaluated again, so the table can be reprinted at no cost. With
--num_seeds=N each config trains seeds 0 .. N-1 as one seed-batched run
(train.num_seeds) in RUNS/NAME_seeds<N>, and its row shows mean ± standard error
over the seeds. A second table gives the sample quality of the same runs (fd, kid, precision, recall and
classes of `scripts/image_table.py`, from the same evaluation), for the rows that have it.
"""

import importlib
import json
import os
import shutil

from absl import flags

from gen_jax import cli

DIGITS_CONFIGS = ("vae_digits", "beta_vae_digits", "iwae_digits", "hvae_digits", "nfvae_digits", "wae_digits",
                  "vaegan_digits", "vqvae_digits")
flags.DEFINE_list("configs", list(DIGITS_CONFIGS), "Config names under configs/.")
flags.DEFINE_string("runs", "runs", "Directory holding one run directory per config.")
flags.DEFINE_bool("retrain", False, "Delete existing run directories first.")
flags.DEFINE_integer("num_seeds", 1, "Seeds per config, trained as one seed-batched run (train.num_seeds).")


def main(argv):
  if len(argv) > 1:
    cli.fail(f"unexpected arguments: {' '.join(argv[1:])}")
  from gen_jax.train.run_evaluation import evaluate_run, saved_evaluation  # pylint: disable=import-outside-toplevel
  from gen_jax.train.loop import train_and_evaluate  # pylint: disable=import-outside-toplevel
  from gen_jax.eval.report import image_quality_table  # pylint: disable=import-outside-toplevel
  from gen_jax.vae.report import markdown_table  # pylint: disable=import-outside-toplevel

  rows = []
  for name in flags.FLAGS.configs:
    try:
      config = importlib.import_module(f"configs.{name}").get_config()
    except ModuleNotFoundError:
      cli.fail(f"--configs: no config file configs/{name}.py")
    config.train.progress = False
    config.train.num_seeds = flags.FLAGS.num_seeds
    workdir = os.path.join(flags.FLAGS.runs, name if flags.FLAGS.num_seeds == 1 else f"{name}_seeds{flags.FLAGS.num_seeds}")
    if flags.FLAGS.retrain and os.path.isdir(workdir):
      shutil.rmtree(workdir)
    result = saved_evaluation(workdir, config.train.num_steps)
    if result is None:
      train_and_evaluate(config, workdir)
      result = evaluate_run(workdir)
    print(name, json.dumps(result, sort_keys=True), flush=True)
    if "per_seed" in result:
      name, result = f"{name} ({len(result['seeds'])} seeds)", {**result["mean"], "stderr": result["stderr"],
                                                                  "step": result["step"]}
    rows.append((name, result))
  print(markdown_table(rows))
  image_rows = [(name, result) for name, result in rows if "fd" in result]
  if image_rows:
    print(image_quality_table(image_rows))


if __name__ == "__main__":
  cli.run(main)
