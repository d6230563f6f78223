"""Conditional DCGAN on 8x8 digits: labels enter the generator (one-hot) and a projection
discriminator; the sample grid has one class per row.

  python scripts/train.py --config=configs/cgan_digits.py --workdir=runs/cgan_digits
  python scripts/evaluate.py --workdir=runs/cgan_digits

Result (measured, seed 0, 1000 steps; scripts/evaluate.py with the lead's image metrics):
fd 27.7, kid 28.4, precision 0.86, recall 0.69, label accuracy 0.93 (the classifier reads
the requested class), class KL 0.002. Rows of the grid are recognizably 0..9 (~6 min wall
on the shared box).
"""

from configs import dcgan_digits


def get_config():
  c = dcgan_digits.get_config()
  c.model.name = "cgan"
  return c
