"""RealNVP (Dinh et al. 2017) on ring8: 8 affine couplings with alternating halves, MLP 64-64
conditioners; otherwise as configs/flow_ring8.py.

  python scripts/train.py --config=configs/realnvp_ring8.py --workdir=runs/realnvp_ring8
  python scripts/evaluate.py --workdir=runs/realnvp_ring8

Result (seed 0, 45 CPU-s of training): kl_to_truth 1.859 nats, 8/8 modes, 36.2 % high quality.
"""

from configs import flow_ring8


def get_config():
  c = flow_ring8.get_config()
  c.model.name = "realnvp"
  c.model.transform = "affine"
  c.model.num_layers = 8
  return c
