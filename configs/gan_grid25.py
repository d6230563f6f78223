"""Plain GAN baseline on grid25 (25 Gaussians on {-4,-2,0,2,4}^2, std 0.05): the benchmark's
networks (G: 4 x 400 ReLU + BatchNorm, z ~ N(0, I_2); D: 3 x 200 maxout, 5 pieces),
non-saturating loss, no packing.

  python scripts/train.py --config=configs/gan_grid25.py --workdir=runs/gan_grid25
  python scripts/evaluate.py --workdir=runs/gan_grid25
  python scripts/mode_benchmark.py --config=configs/gan_grid25.py --seeds=10

Result (scripts/mode_benchmark.py, 10 seeds, 3,000 steps, Adam 3e-4 with cosine decay, ~85 s of CPU
per seed): 16.3 ± 0.7 modes, 7.9 ± 0.4 % high quality, reverse KL 0.721 ± 0.050: the samples still
fill the square around the grid after 3,000 steps (PacGAN's published rows trained 400,000); see the
README's mode-collapse table.

Reproduce (scripts/reproduce.py, seed 0): modes 15, high_quality 8.3, reverse_kl 0.628
"""

from configs import gan_base


def get_config():
  c = gan_base.get_config()
  c.data.name = "grid25"
  return c
