"""PacGAN-4 on ring8: the benchmark's networks with the discriminator scoring packs of 4
samples (inputs concatenated, 8-D), non-saturating loss, EMA of the weights for sampling.

  python scripts/train.py --config=configs/pacgan_ring8.py --workdir=runs/pacgan_ring8
  python scripts/evaluate.py --workdir=runs/pacgan_ring8
  python scripts/mode_benchmark.py --config=configs/pacgan_ring8.py --seeds=10

Result (measured with scripts/mode_benchmark.py, 5 seeds, 6000 steps): 7.8 ± 0.2 modes,
11.8 ± 1.7 % high-quality, reverse KL 0.208 ± 0.073. The samples lie on the ring through
all eight centres but have not concentrated at the modes (3 std = 0.03) by step 6000: far
from the target (8 modes, >= 98 %, <= 0.02). Each run took ~25 min of wall time on the
shared 2-core box (load 15-28) and ~1.8 min of process CPU time.
"""

from configs import gan_ring8


def get_config():
  c = gan_ring8.get_config()
  c.objective.pack = 4
  return c
