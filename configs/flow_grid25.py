"""gen_jax's best grid25 flow: the rational-quadratic spline MAF of configs/flow_ring8.py on grid25
(6 layers, MADE 64-64, 16 bins on [-4, 4], 12,000 steps of batch 256, Adam 1e-3 cosine).

  python scripts/train.py --config=configs/flow_grid25.py --workdir=runs/flow_grid25
  python scripts/evaluate.py --workdir=runs/flow_grid25
  python scripts/mode_benchmark.py --config=configs/flow_grid25.py --seeds=5 --workdir=runs/bench_flow_grid25

Result: see the README's flows table (kl_to_truth, nll, modes over 5 seeds, mean ± standard error).
"""

from configs import flow_ring8


def get_config():
  c = flow_ring8.get_config()
  c.data.name = "grid25"
  return c
