"""FFJORD on grid25: configs/cnf_ring8.py on grid25.

  python scripts/train.py --config=configs/cnf_grid25.py --workdir=runs/cnf_grid25
  python scripts/evaluate.py --workdir=runs/cnf_grid25

Result: not measured yet.
"""

from configs import cnf_ring8


def get_config():
  c = cnf_ring8.get_config()
  c.data.name = "grid25"
  return c
