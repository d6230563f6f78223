"""Adversarial autoencoder on 8x8 digits: a DCGAN encoder to an 8-D code whose aggregate
posterior a discriminator matches to N(0, I), a DCGAN decoder trained on reconstruction;
samples decode z ~ N(0, I).

  python scripts/train.py --config=configs/aae_digits.py --workdir=runs/aae_digits
  python scripts/evaluate.py --workdir=runs/aae_digits

Result (measured, seed 0, 40,000 steps as dcgan_digits, 367 CPU-seconds of training; scripts/evaluate.py):
test reconstruction squared error 1.28 per image (64 pixels in [0, 1]), codes' mean |mean| 0.05 and mean
std 0.99 (prior: 0 and 1), fd 60.2, kid 81.7, precision 0.81, recall 0.88, 10 classes covered. At 1,000
steps (the old setting) fd was 90.0.
Seeds 0, 1, 2 (--config.seed=S, then scripts/seed_summary.py): fd 57.7 +- 2.0 (60.2 / 53.8 / 59.2), precision
0.804 +- 0.015, recall 0.858 +- 0.016.
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
