"""DDPM (Ho et al. 2020) on statically binarized 8x8 digits: T = 1000, linear beta_t, L_simple, the
discretised-Gaussian decoder p(x_0|x_1) on the 2 levels, so `nll` (the discrete-time -ELBO) bounds the binary pixels' likelihood; the MLP and schedule of vdm_digits (10,000 steps),
EMA 0.999, 100-step ancestral sampling.

  python scripts/train.py --config=configs/ddpm_digits.py --workdir=runs/ddpm_digits
  python scripts/evaluate.py --workdir=runs/ddpm_digits

Result (measured, ~61 s of training CPU): held-out -ELBO 255.6 nats (5.76 bits/dim; L_simple does not
train the ELBO's weights, which are large at small t), fd 149.3, precision 0.794, recall 0.844.
"""

from configs import vdm_digits


def get_config():
  c = vdm_digits.get_config()
  c.model.name = "ddpm"
  c.objective.schedule = "linear"
  return c
