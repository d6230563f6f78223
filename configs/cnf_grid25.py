"""FFJORD on grid25: configs/cnf_ring8.py on grid25.

  python scripts/train.py --config=configs/cnf_grid25.py --workdir=runs/cnf_grid25
  python scripts/evaluate.py --workdir=runs/cnf_grid25

Result (seed 0; 449 CPU-s of training: 324 user + 125 system): kl_to_truth 3.766 nats, held-out nll
3.837 (exact trace; the truth's entropy is 0.065), 25/25 modes but 7.0 % high quality, reverse KL 0.472;
mean NFE 34.5 per example (largest 67 < 193). After 1,000 steps the density is still a blurred square
with mass piled on its edges, not 25 blobs: the CNF does not fit grid25 within the 10 CPU-minute budget
(the spline MAF of configs/flow_grid25.py reaches 0.0066 in ~80 CPU-s). Seeds 0-2 (--config.seed=S; 383-449
CPU-s each): kl_to_truth 3.68 +- 0.04, 22.3 +- 1.8 modes, 6.6 +- 0.2 % high quality, reverse KL 0.460 +- 0.038.
"""

from configs import cnf_ring8


def get_config():
  c = cnf_ring8.get_config()
  c.data.name = "grid25"
  return c
