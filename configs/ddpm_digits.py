"""DDPM (Ho et al. 2020) on statically binarized 8x8 digits: T = 1000, linear beta_t, L_simple, the small
U-Net of vdm_digits, and the discretised-Gaussian decoder p(x_0|x_1) on the 2 levels, so `nll` (the
discrete-time -ELBO) bounds the binary pixels' likelihood; EMA 0.999, 100-step ancestral sampling.

  python scripts/train.py --config=configs/ddpm_digits.py --workdir=runs/ddpm_digits
  python scripts/evaluate.py --workdir=runs/ddpm_digits

Result: see the README's diffusion section.
"""

from configs import vdm_digits


def get_config():
  c = vdm_digits.get_config()
  c.model.name = "ddpm"
  c.objective.schedule = "linear"
  return c
