"""VQ-VAE (van den Oord et al. 2017) on binarized digits: an MLP encoder to L = 4 codes of dimension
D = 8 from a codebook of K = 32 entries updated by EMA (decay 0.99), commitment weight 0.25.

  python scripts/train.py --config=configs/vqvae_digits.py --workdir=runs/vqvae_digits
  python scripts/evaluate.py --workdir=runs/vqvae_digits

Reaches (measured, see README's VAE table): held-out reconstruction -17.58 nats,
codebook perplexity 30.3 (all 32 codes used).
"""

from configs import vae_digits


def get_config():
  c = vae_digits.get_config()
  c.model.name = "vqvae"
  c.model.num_codes = 32
  c.model.code_dim = 8
  c.model.num_positions = 4
  c.objective.commitment = 0.25
  c.objective.codebook_decay = 0.99
  c.objective.codebook_epsilon = 1e-5
  return c
