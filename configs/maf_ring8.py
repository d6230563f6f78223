"""MAF with affine layers (Papamakarios et al. 2017) on ring8: 6 layers, MADE 64-64, otherwise as
configs/flow_ring8.py (which replaces the affine transforms by splines).

  python scripts/train.py --config=configs/maf_ring8.py --workdir=runs/maf_ring8
  python scripts/evaluate.py --workdir=runs/maf_ring8

Result (seed 0, 39 CPU-s of training): kl_to_truth 1.926 nats, 8/8 modes, 28.4 % high quality.
"""

from configs import flow_ring8


def get_config():
  c = flow_ring8.get_config()
  c.model.transform = "affine"
  return c
