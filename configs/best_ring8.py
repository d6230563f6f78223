"""The recipe of configs/best_grid25.py on ring8 (8 Gaussians on the unit circle, std 0.01), with the
category offsets initialised at the ring's scale, N(0, 1).

  python scripts/mode_benchmark.py --config=configs/best_ring8.py --seeds=10 --workdir=runs/bench_best_ring8

Result (scripts/mode_benchmark.py --seeds=1, seed 0; 69 s of CPU to train): generator 8 modes, 99.96 % high
quality, reverse KL 0.023; + DRS 8, 100.0 %, 0.0004; + MH-GAN 8, 99.92 %, 0.0019.
"""

from configs import best_grid25


def get_config():
  c = best_grid25.get_config()
  c.data.name = "ring8"
  c.model.category_offset_scale = 1.0
  return c
