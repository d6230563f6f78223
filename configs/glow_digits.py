"""Glow (Kingma & Dhariwal 2018) on binarized 8x8 digits: 2 scales of 4 steps (actnorm with
data-dependent initialization, LU 1x1 convolution, affine coupling with a 32-channel conv conditioner);
pictures include the temperature sweep.

  python scripts/train.py --config=configs/glow_digits.py --workdir=runs/glow_digits
  python scripts/evaluate.py --workdir=runs/glow_digits

Result (seed 0, 127 CPU-s of training): held-out nll (dequantized bound) 30.18 nats, 0.680 bits/dim.
Seeds 0, 1, 2 (--config.seed=S, then scripts/seed_summary.py; 134-136 CPU-s of training each): nll
29.76 +- 0.21 nats (30.18 / 29.59 / 29.52), fd 129.8 +- 4.1.

Variational dequantization (Flow++; a learned logit-normal q(u | x) with an MLP 64-64, trained jointly):

  python scripts/train.py --config=configs/glow_digits.py --workdir=runs/glow_digits_vd \
      --config.objective.dequantization=variational
  python scripts/evaluate.py --workdir=runs/glow_digits_vd

Result (seed 0, 139 CPU-s of training): nll (the variational bound, one noise draw per held-out image)
25.90 nats, 0.584 bits/dim; fd 71.8, precision 0.586, recall 0.964 (uniform: fd 133.7, 0.550, 0.881).
Seeds 0, 1, 2 (--config.seed=S; 130-138 CPU-s each): nll 25.89 +- 0.05 nats (25.90 / 25.98 / 25.79), fd
79.4 +- 5.2.
"""

from configs import flow_digits_base


def get_config():
  c = flow_digits_base.get_config()
  c.model.name = "glow"
  c.model.num_scales = 2
  c.model.steps_per_scale = 4
  c.model.channels = 32
  return c
