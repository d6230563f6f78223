"""DDPM on CIFAR-10 (tfds; needs the dataset downloaded and an accelerator): the paper's setting,
T = 1000, linear beta_t from 1e-4 to 0.02, L_simple, a U-Net at 32x32 with width multipliers (1, 2, 2, 2),
2 residual blocks per resolution, EMA 0.9999, Adam 2e-4, batch 128, 800,000 steps.

  python scripts/train.py --config=configs/ddpm_cifar10.py --workdir=runs/ddpm_cifar10
  python scripts/evaluate.py --workdir=runs/ddpm_cifar10 --config=configs/ddpm_cifar10.py \
      --config.eval.inception_weights=PATH.npz

Paper (Ho et al. 2020, table 1): FID 3.17, NLL <= 3.70 bits/dim (with 128 base channels, 35.7M parameters;
here 128 channels but attention only at the lowest resolution). Not run here (no GPU, no CIFAR-10 offline).
"""

from configs import diffusion_base


def get_config():
  c = diffusion_base.get_config()
  c.data.name = "cifar10"
  c.data.scale = "-1_1"
  c.data.batch_size = 128
  c.model.channels = 128
  c.model.multipliers = (1, 2, 2, 2)
  c.model.blocks = 2
  c.optim.learning_rate = 2e-4
  c.optim.schedule = "constant"
  c.optim.grad_clip = 1.0
  c.train.num_steps = 800_000
  c.train.log_every = 1000
  c.train.checkpoint_every = 10_000
  c.train.eval_every = 50_000
  c.train.ema_decay = 0.9999
  c.eval.batch_size = 100
  return c
