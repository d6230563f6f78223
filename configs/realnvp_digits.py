"""RealNVP (Dinh et al. 2017) on binarized 8x8 digits: 2 scales, each 3 checkerboard affine couplings,
squeeze, 3 channel couplings (residual conv conditioners, 32 channels), half the channels factored out
after the first scale; uniform dequantization, logit pre-processing.

  python scripts/train.py --config=configs/realnvp_digits.py --workdir=runs/realnvp_digits
  python scripts/evaluate.py --workdir=runs/realnvp_digits

Result (seed 0, 3,000 steps, 170 CPU-s of training on the shared 2-core machine): held-out nll 28.22 nats
(the uniform-dequantization bound), 0.636 bits/dim, fd 108.1, precision 0.525, recall 0.944.
Seeds 0, 1, 2 (--config.seed=S, then scripts/seed_summary.py; 179-187 CPU-s of training each): nll 28.21 +- 0.05
nats (28.22 / 28.30 / 28.13), fd 110.0 +- 4.4.
"""

from configs import flow_digits_base


def get_config():
  c = flow_digits_base.get_config()
  c.model.name = "realnvp"
  c.model.num_scales = 2
  c.model.steps_per_scale = 3
  c.model.channels = 32
  return c
