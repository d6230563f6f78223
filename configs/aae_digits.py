"""Adversarial autoencoder on 8x8 digits: a DCGAN encoder to an 8-D code whose aggregate
posterior a discriminator matches to N(0, I), a DCGAN decoder trained on reconstruction;
samples decode z ~ N(0, I).

  python scripts/train.py --config=configs/aae_digits.py --workdir=runs/aae_digits
  python scripts/evaluate.py --workdir=runs/aae_digits

Result (measured, seed 0, 1000 steps; scripts/evaluate.py with the lead's image metrics):
test reconstruction squared error 1.14 per image (64 pixels in [0, 1]), codes' mean |mean|
0.05 and mean std 0.91 (prior: 0 and 1), fd 90.0, kid 115.4, precision 0.77, recall 0.77,
10 classes covered (~6 min wall on the shared box).
"""

from configs import dcgan_digits


def get_config():
  c = dcgan_digits.get_config()
  c.model.name = "aae"
  c.model.latent_dim = 8
  c.data.scale = "0_1"
  c.optim.learning_rate = 5e-4
  c.optim.discriminator_learning_rate = 2e-4
  c.objective.adversarial_weight = 1.0
  return c
