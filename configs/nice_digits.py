"""NICE (Dinh et al. 2015) on binarized 8x8 digits: 4 additive couplings (MLP 256-256) and the diagonal
scaling layer, uniform dequantization.

  python scripts/train.py --config=configs/nice_digits.py --workdir=runs/nice_digits
  python scripts/evaluate.py --workdir=runs/nice_digits

Result (seed 0, 22 CPU-s of training): held-out nll (dequantized bound) 32.07 nats, 0.723 bits/dim.
Seeds 0-2 as one seed-batched run (--config.train.num_seeds=3, 36 CPU-s of training for the three; evaluate.py
prints mean and standard error): nll 32.02 +- 0.04 nats, fd 135.3 +- 0.4.
"""

from configs import flow_digits_base


def get_config():
  c = flow_digits_base.get_config()
  c.model.name = "nice"
  c.model.num_layers = 4
  return c
