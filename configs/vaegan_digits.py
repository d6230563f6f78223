"""VAE-GAN (Larsen et al. 2016) on binarized digits: vae_digits' encoder and decoder, a
discriminator (64-128-64 features) whose features define the reconstruction loss, gamma = 1.

  python scripts/train.py --config=configs/vaegan_digits.py --workdir=runs/vaegan_digits
  python scripts/evaluate.py --workdir=runs/vaegan_digits

Reaches (measured, see README's VAE table): held-out NLL 27.44 nats, ELBO -30.84 nats.
"""

from configs import vae_digits


def get_config():
  c = vae_digits.get_config()
  c.model.name = "vaegan"
  c.model.disc_hidden = (128,)
  c.model.disc_features = 64
  c.objective.gamma = 1.0
  c.optim.disc_learning_rate = 1e-4
  return c
