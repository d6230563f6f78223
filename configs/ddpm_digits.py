"""DDPM (Ho et al. 2020) on statically binarized 8x8 digits: T = 1000, linear beta_t, L_simple, the
discretised-Gaussian decoder p(x_0|x_1) on the 2 levels, so `nll` (the discrete-time -ELBO) bounds the binary
pixels' likelihood; eps_theta the Fourier-feature MLP on the 64 flattened pixels (3 residual blocks of width
256; vdm_digits has since moved to a U-Net, this config keeps the MLP it was measured with), 10,000 steps of
batch 64, EMA 0.999, 100-step ancestral sampling.

  python scripts/train.py --config=configs/ddpm_digits.py --workdir=runs/ddpm_digits
  python scripts/evaluate.py --workdir=runs/ddpm_digits

Result (measured, ~61 s of training CPU): held-out -ELBO 255.6 nats (5.76 bits/dim; L_simple does not
train the ELBO's weights, which are large at small t), fd 149.3, precision 0.794, recall 0.844.
Seeds 0, 1, 2 (--config.seed=S, then scripts/seed_summary.py; 73-80 s of training CPU each): held-out -ELBO
254.45 +- 0.69 nats, fd 143.3 +- 3.2, precision 0.801 +- 0.003, recall 0.877 +- 0.021.
"""

from configs import vdm_digits


def get_config():
  c = vdm_digits.get_config()
  c.model.name = "ddpm"
  c.objective.schedule = "linear"
  c.model.net = "mlp"                  # the measured setting: ScoreMLP on the 64 flattened pixels, 3 blocks of 256
  c.model.width = 256
  c.data.binarize = "static"           # the measured setting (vdm_digits has since moved to dynamic binarization)
  c.train.num_steps = 10_000
  c.train.checkpoint_every = 10_000
  c.train.eval_every = 10_000
  return c
