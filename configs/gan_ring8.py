"""Plain GAN baseline on ring8 (8 Gaussians on the unit circle, std 0.01): the benchmark's
networks (G: 4 x 400 ReLU + BatchNorm, z ~ N(0, I_2); D: 3 x 200 maxout, 5 pieces),
non-saturating loss, no packing.

  python scripts/train.py --config=configs/gan_ring8.py --workdir=runs/gan_ring8
  python scripts/evaluate.py --workdir=runs/gan_ring8
  python scripts/mode_benchmark.py --config=configs/gan_ring8.py --seeds=10

Result (scripts/mode_benchmark.py, 10 seeds, 6,000 steps, Adam 3e-4 with cosine decay):
6.9 ± 0.2 modes, 70.5 ± 1.3 % high quality, reverse KL 0.383 ± 0.033 (~155 s of CPU per seed):
the plain GAN drops one or two modes (mode collapse) that packing recovers.

Reproduce (scripts/reproduce.py, seed 0): modes 8, high_quality 69.6, reverse_kl 0.351
"""

from configs import gan_base


def get_config():
  c = gan_base.get_config()
  c.data.name = "ring8"
  c.train.num_steps = 6000
  return c
