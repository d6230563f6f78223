"""Plain GAN baseline on ring8 (8 Gaussians on the unit circle, std 0.01): the benchmark's
networks (G: 4 x 400 ReLU + BatchNorm, z ~ N(0, I_2); D: 3 x 200 maxout, 5 pieces),
non-saturating loss, no packing.

  python scripts/train.py --config=configs/gan_ring8.py --workdir=runs/gan_ring8
  python scripts/evaluate.py --workdir=runs/gan_ring8
  python scripts/mode_benchmark.py --config=configs/gan_ring8.py --seeds=10

Result: not measured at 6000 steps (the shared box's CPU went to the PacGAN seeds). An
exploratory seed-0 run of this recipe stopped at 4000 steps reached 3 modes, 82.6 %
high-quality, reverse KL 1.03: sharp samples, collapsed onto 3 of the 8 modes.
"""

from configs import gan_base


def get_config():
  c = gan_base.get_config()
  c.data.name = "ring8"
  c.train.num_steps = 6000
  return c
