"""The recipe of configs/best_grid25.py on ring8 (8 Gaussians on the unit circle, std 0.01), with the
category offsets initialised at the ring's scale, N(0, 1).

  python scripts/mode_benchmark.py --config=configs/best_ring8.py --seeds=10 --workdir=runs/bench_best_ring8

Result: see the README's mode-collapse table.
"""

from configs import best_grid25


def get_config():
  c = best_grid25.get_config()
  c.data.name = "ring8"
  c.model.category_offset_scale = 1.0
  return c
