"""The VEEGAN/PacGAN mode-collapse benchmark over seeds, reported as PacGAN's Table 1.

  python scripts/mode_benchmark.py --config=configs/pacgan_grid25.py --seeds=10 --workdir=runs/bench_pacgan_grid25

Trains the config once per seed (seeds F..F+N-1 for --first_seed=F --seeds=N,
each in DIR/seed_<s>, resuming unfinished runs and skipping evaluated ones),
evaluates each as scripts/evaluate.py does, prints one line per seed and, last,
the Markdown row `| label | seeds | modes | % high-quality | reverse KL |`
(mean ± standard error; a second `label + DRS` row when the config evaluates
discriminator rejection sampling); everything is also written to
DIR/benchmark.json. Seeds can be split over processes sharing DIR
(`--seeds=5` and `--first_seed=5 --seeds=5`); a last `--seeds=10` then only
reads their evaluations and writes the summary of all ten. `--batch_seeds`
trains all the seeds as one seed-batched run (train.num_seeds, one compiled
program) in DIR/seeds_<first>_<last>: the same per-seed results up to
rounding (gen_jax.train.seeds), several times faster for small models.
"""

import os

from absl import flags

from gen_jax import cli

cli.define_config_flag("config", None, "Experiment config file (a 2-D mixture: ring8, grid25).")
flags.DEFINE_integer("seeds", 10, "Number of seeds (first_seed .. first_seed + seeds - 1).")
flags.DEFINE_integer("first_seed", 0, "First seed.")
flags.DEFINE_string("workdir", "", "Benchmark directory (default: runs/benchmark_<config name>).")
flags.DEFINE_bool("batch_seeds", False, "Train the seeds as one seed-batched run (train.num_seeds).")


def main(argv):
  if len(argv) > 1:
    cli.fail(f"unexpected arguments: {' '.join(argv[1:])}")
  if flags.FLAGS.seeds < 1:
    cli.fail(f"--seeds: expected a positive number of seeds, got {flags.FLAGS.seeds}")
  if flags.FLAGS.first_seed < 0:
    cli.fail(f"--first_seed: expected a non-negative seed, got {flags.FLAGS.first_seed}")
  from gen_jax.gan.mode_benchmark import run_mode_benchmark  # pylint: disable=import-outside-toplevel

  config = cli.config_from_flag("config")
  name = os.path.splitext(os.path.basename(flags.FLAGS["config"].config_filename))[0]
  workdir = flags.FLAGS.workdir or os.path.join("runs", f"benchmark_{name}")
  first = flags.FLAGS.first_seed
  report = run_mode_benchmark(config, range(first, first + flags.FLAGS.seeds), workdir, label=name,
                              batch_seeds=flags.FLAGS.batch_seeds)
  print(report["row"])


if __name__ == "__main__":
  cli.run(main)
