"""VAE with a normalizing-flow posterior on binarized digits: vae_digits' networks, with q(z|x)
refined by K = 2 inverse autoregressive flow steps (Kingma et al. 2016); model.flow='planar'
gives Rezende & Mohamed's planar flows instead.

  python scripts/train.py --config=configs/nfvae_digits.py --workdir=runs/nfvae_digits
  python scripts/evaluate.py --workdir=runs/nfvae_digits

Reaches (measured, see README's VAE table): held-out NLL 22.88 nats, ELBO -23.48 nats.
"""

from configs import vae_digits


def get_config():
  c = vae_digits.get_config()
  c.model.name = "nfvae"
  c.model.flow = "iaf"               # 'iaf' or 'planar'
  c.model.flow_length = 2
  c.model.made_hidden = (64, 64)     # IAF: MADE widths
  c.model.context_dim = 32           # IAF: width of the context h(x)
  c.objective.kl = "monte_carlo"
  return c
