"""WGAN-GP on grid25: Wasserstein critic loss, gradient penalty lambda = 0.1 on random
interpolates, 5 critic updates per generator update, Adam(b1 = 0.5), benchmark networks.

  python scripts/train.py --config=configs/wgan_gp_grid25.py --workdir=runs/wgan_gp_grid25
  python scripts/evaluate.py --workdir=runs/wgan_gp_grid25

Result: not measured (the shared box's CPU went to the PacGAN seeds); the Wasserstein loss,
gradient penalty and n_critic run on the engine on 1 and 4 devices (tests/test_gan_models.py).
"""

from configs import gan_grid25


def get_config():
  c = gan_grid25.get_config()
  c.objective.loss = "wasserstein"
  c.objective.gradient_penalty = 0.1
  c.objective.n_critic = 5
  c.train.num_steps = c.train.num_steps // 5
  return c
