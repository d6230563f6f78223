"""RealNVP on tfds CIFAR-10 (256 levels, dequantized, 3 scales): for users with the data prepared and a
GPU; not run here. Published: RealNVP 3.49 bits/dim (Dinh et al. 2017, table 1); Glow 3.35, FFJORD 3.40.

  python scripts/train.py --config=configs/realnvp_cifar10.py --workdir=runs/realnvp_cifar10
  python scripts/evaluate.py --workdir=runs/realnvp_cifar10
"""

from configs import flow_base


def get_config():
  c = flow_base.get_config()
  c.data.name = "cifar10"
  c.data.scale = "0_1"
  c.data.batch_size = 64
  c.objective.levels = 256
  c.model.name = "realnvp"
  c.model.transform = "affine"
  c.model.num_scales = 3
  c.model.steps_per_scale = 3
  c.model.channels = 64
  c.optim.learning_rate = 1e-3
  c.train.num_steps = 200_000
  c.train.eval_every = 10_000
  c.train.checkpoint_every = 10_000
  c.eval.batch_size = 500
  return c
