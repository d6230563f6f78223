"""PacGAN-4 on grid25: the benchmark's networks with the discriminator scoring packs of 4
samples (inputs concatenated, 8-D), non-saturating loss, EMA of the weights for sampling.

  python scripts/train.py --config=configs/pacgan_grid25.py --workdir=runs/pacgan_grid25
  python scripts/evaluate.py --workdir=runs/pacgan_grid25
  python scripts/mode_benchmark.py --config=configs/pacgan_grid25.py --seeds=10

Result (measured with scripts/mode_benchmark.py, 5 seeds, 4000 steps): 15.8 ± 1.2 modes,
2.1 ± 0.1 % high-quality, reverse KL 0.723 ± 0.066. At step 4000 the samples still fill
the square around the grid (see samples/strip.png): far from the target (>= 24.9 modes,
>= 97 %, <= 0.02) and from PacGAN's published 24.8 / 93.6 % / 0.04. Each run took ~28 min
of wall time on the shared 2-core box (load 15-28).
"""

from configs import gan_grid25


def get_config():
  c = gan_grid25.get_config()
  c.objective.pack = 4
  return c
