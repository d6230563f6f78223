"""RealNVP on grid25: configs/realnvp_ring8.py on grid25.

  python scripts/train.py --config=configs/realnvp_grid25.py --workdir=runs/realnvp_grid25
  python scripts/evaluate.py --workdir=runs/realnvp_grid25

Result (seed 0, 35 CPU-s of training): kl_to_truth 2.444 nats, held-out nll 2.553, 23/25 modes,
22.0 % high quality, reverse KL 0.393.
"""

from configs import realnvp_ring8


def get_config():
  c = realnvp_ring8.get_config()
  c.data.name = "grid25"
  return c
