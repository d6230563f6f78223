"""Affine MAF on grid25: configs/maf_ring8.py on grid25.

  python scripts/train.py --config=configs/maf_grid25.py --workdir=runs/maf_grid25
  python scripts/evaluate.py --workdir=runs/maf_grid25

Result: not measured yet.
"""

from configs import maf_ring8


def get_config():
  c = maf_ring8.get_config()
  c.data.name = "grid25"
  return c
