"""PacGAN-4 on grid25: the benchmark's networks with the discriminator scoring packs of 4
samples (inputs concatenated, 8-D), non-saturating loss, EMA of the weights for sampling.

  python scripts/train.py --config=configs/pacgan_grid25.py --workdir=runs/pacgan_grid25
  python scripts/evaluate.py --workdir=runs/pacgan_grid25
  python scripts/mode_benchmark.py --config=configs/pacgan_grid25.py --seeds=10

Result: RESULT_PENDING
"""

from configs import gan_grid25


def get_config():
  c = gan_grid25.get_config()
  c.objective.pack = 4
  return c
