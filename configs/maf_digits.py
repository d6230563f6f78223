"""MAF (Papamakarios et al. 2017) on binarized 8x8 digits (flattened to 64 dimensions): 5 affine MAF
layers with MADE 256-256, the order reversed between layers; uniform dequantization.

  python scripts/train.py --config=configs/maf_digits.py --workdir=runs/maf_digits
  python scripts/evaluate.py --workdir=runs/maf_digits

Result (seed 0, 34 CPU-s of training): held-out nll (dequantized bound) 31.07 nats, 0.700 bits/dim.
Seeds 0-2 as one seed-batched run (--config.train.num_seeds=3, 51 CPU-s of training for the three; evaluate.py
prints mean and standard error): nll 31.16 +- 0.07 nats, fd 101.8 +- 2.7.
"""

from configs import flow_digits_base


def get_config():
  c = flow_digits_base.get_config()
  c.model.name = "maf"
  c.model.num_layers = 5
  return c
