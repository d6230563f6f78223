"""DDPM on ring8 (8 Gaussians on the unit circle, std 0.01): as ddpm_grid25 but with configs/diffusion_base.py's
12,000 steps.

  python scripts/train.py --config=configs/ddpm_ring8.py --workdir=runs/ddpm_ring8
  python scripts/evaluate.py --workdir=runs/ddpm_ring8
  python scripts/mode_benchmark.py --config=configs/ddpm_ring8.py --seeds=10 --workdir=runs/bench_ddpm_ring8

Result: not measured yet (the session's CPU went to ddpm_grid25's 10 seeds).
"""

from configs import diffusion_base


def get_config():
  c = diffusion_base.get_config()
  c.data.name = "ring8"
  return c
