"""DDPM (Ho et al. 2020) on grid25 (25 Gaussians on {-4,-2,0,2,4}^2, std 0.05): T = 1000, linear beta_t,
L_simple, a Fourier-feature MLP eps_theta (3 residual blocks of width 128), EMA 0.999, ancestral sampling.

  python scripts/train.py --config=configs/ddpm_grid25.py --workdir=runs/ddpm_grid25
  python scripts/evaluate.py --workdir=runs/ddpm_grid25
  python scripts/mode_benchmark.py --config=configs/ddpm_grid25.py --seeds=10 --workdir=runs/bench_ddpm_grid25

Result: see the README's diffusion section (measured by the mode benchmark above).
"""

from configs import diffusion_base


def get_config():
  c = diffusion_base.get_config()
  return c
