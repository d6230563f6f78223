"""Plain GAN baseline on grid25 (25 Gaussians on {-4,-2,0,2,4}^2, std 0.05): the benchmark's
networks (G: 4 x 400 ReLU + BatchNorm, z ~ N(0, I_2); D: 3 x 200 maxout, 5 pieces),
non-saturating loss, no packing.

  python scripts/train.py --config=configs/gan_grid25.py --workdir=runs/gan_grid25
  python scripts/evaluate.py --workdir=runs/gan_grid25
  python scripts/mode_benchmark.py --config=configs/gan_grid25.py --seeds=10

Result: not measured (the shared box's CPU went to the PacGAN seeds); the recipe runs
(tests/test_gan_models.py trains every stabilizer for a few steps).
"""

from configs import gan_base


def get_config():
  c = gan_base.get_config()
  c.data.name = "grid25"
  return c
