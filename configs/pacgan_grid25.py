"""PacGAN-4 on grid25: the benchmark's networks with the discriminator scoring packs of 4
samples (inputs concatenated, 8-D), non-saturating loss, EMA of the weights for sampling.

  python scripts/train.py --config=configs/pacgan_grid25.py --workdir=runs/pacgan_grid25
  python scripts/evaluate.py --workdir=runs/pacgan_grid25
  python scripts/mode_benchmark.py --config=configs/pacgan_grid25.py --seeds=10

Result (scripts/mode_benchmark.py, 10 seeds, 3,000 steps, Adam 3e-4 with cosine decay, ~55 s of CPU
per seed to train, ~2 min more to evaluate with DRS):
  generator:                           17.8 ± 0.8 modes, 2.3 ± 0.2 % high quality, reverse KL 0.602 ± 0.054
  + discriminator rejection sampling:  22.7 ± 0.4 modes, 22.5 ± 0.8 % high quality, reverse KL 0.292 ± 0.026
The samples still fill the square around the grid after 3,000 steps (PacGAN's published rows trained
400,000); rejection sampling keeps the ones near modes but cannot resolve the grid's 0.05-wide blobs. Far
from the target (>= 24.9 modes, >= 97 %, <= 0.02) and from PacGAN's published 24.8 / 93.6 % / 0.04; see
the README's mode-collapse table.

Reproduce (scripts/reproduce.py, seed 0): modes 13, high_quality 1.6, reverse_kl 0.856
"""

from configs import gan_grid25


def get_config():
  c = gan_grid25.get_config()
  c.objective.pack = 4
  c.eval.rejection_steps = 4000  # also evaluate discriminator rejection sampling (the 'drs/' metrics)
  return c
