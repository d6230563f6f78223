"""Conditional DCGAN on 8x8 digits: labels enter the generator (one-hot) and a projection
discriminator; the sample grid has one class per row.

  python scripts/train.py --config=configs/cgan_digits.py --workdir=runs/cgan_digits
  python scripts/evaluate.py --workdir=runs/cgan_digits

Result: RESULT_PENDING
"""

from configs import dcgan_digits


def get_config():
  c = dcgan_digits.get_config()
  c.model.name = "cgan"
  return c
