"""VAE (Kingma & Welling 2014) on statically binarized 8x8 digits: the offline default of the VAE family.

Architecture: the classic MLP VAE scaled to 64-dim inputs, 64-128-128-8 encoder,
8-128-128-64 decoder (tanh), Bernoulli decoder, one reparameterized sample and
the closed-form Gaussian KL; Adam 1e-3, batch 100, 3,000 steps (~210 epochs).

  python scripts/train.py --config=configs/vae_digits.py --workdir=runs/vae_digits
  python scripts/evaluate.py --workdir=runs/vae_digits

Reaches (measured, see README's VAE table): held-out NLL (k = 5,000) 22.95 nats,
ELBO -23.66 nats.

Reproduce (scripts/reproduce.py, seed 0): nll 22.95, elbo -23.66
"""

from configs import vae_base


def get_config():
  c = vae_base.get_config()
  c.model.latent_dims = (8,)
  c.model.hidden = ((128, 128),)
  return c
