"""Affine MAF on grid25: configs/maf_ring8.py on grid25.

  python scripts/train.py --config=configs/maf_grid25.py --workdir=runs/maf_grid25
  python scripts/evaluate.py --workdir=runs/maf_grid25

Result (seed 0, 27 CPU-s of training): kl_to_truth 1.816 nats, held-out nll 1.886, 25/25 modes,
26.7 % high quality, reverse KL 0.142.
"""

from configs import maf_ring8


def get_config():
  c = maf_ring8.get_config()
  c.data.name = "grid25"
  return c
