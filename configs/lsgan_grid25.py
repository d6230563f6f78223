"""LSGAN (least-squares loss, targets 0 / 1) on grid25 with the benchmark's networks.

  python scripts/train.py --config=configs/lsgan_grid25.py --workdir=runs/lsgan_grid25
  python scripts/evaluate.py --workdir=runs/lsgan_grid25

Result (scripts/mode_benchmark.py, 10 seeds, 3,000 steps, ~80 s of CPU per seed): 13.7 ± 0.6 modes,
6.5 ± 0.4 % high quality, reverse KL 0.925 ± 0.057: the samples still fill the square around the
grid after 3,000 steps (PacGAN's published rows trained 400,000); see the README's mode-collapse
table.

Reproduce (scripts/reproduce.py, seed 0): modes 13, high_quality 8.6, reverse_kl 1.017
"""

from configs import gan_grid25


def get_config():
  c = gan_grid25.get_config()
  c.objective.loss = "least_squares"
  return c
