"""WGAN-GP on grid25: Wasserstein critic loss, gradient penalty lambda = 0.1 on random
interpolates, 5 critic updates per generator update, Adam(b1 = 0.5), benchmark networks.

  python scripts/train.py --config=configs/wgan_gp_grid25.py --workdir=runs/wgan_gp_grid25
  python scripts/evaluate.py --workdir=runs/wgan_gp_grid25

Result (scripts/mode_benchmark.py, 10 seeds, 600 generator / 3,000 critic steps, ~75 s of CPU per
seed): 8.0 ± 0.9 modes, 0.8 ± 0.2 % high quality, reverse KL 1.363 ± 0.106: the samples still fill
the square around the grid after 3,000 steps (PacGAN's published rows trained 400,000); see the
README's mode-collapse table.

Reproduce (scripts/reproduce.py, seed 0): modes 11, high_quality 1.0, reverse_kl 1.055
"""

from configs import gan_grid25


def get_config():
  c = gan_grid25.get_config()
  c.objective.loss = "wasserstein"
  c.objective.gradient_penalty = 0.1
  c.objective.n_critic = 5
  c.train.num_steps = c.train.num_steps // 5
  return c
