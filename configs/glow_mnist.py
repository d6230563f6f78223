"""Glow on tfds MNIST (256 levels, dequantized, 28x28 -> 2 scales): for users with the data prepared and
a GPU; not run here. Published MNIST bits/dim as listed in FFJORD's table 2 (Grathwohl et al. 2019):
Glow 1.05, RealNVP 1.06, FFJORD 0.99 (on CIFAR-10: Glow 3.35, Kingma & Dhariwal 2018).

  python scripts/train.py --config=configs/glow_mnist.py --workdir=runs/glow_mnist
  python scripts/evaluate.py --workdir=runs/glow_mnist
"""

from configs import flow_base


def get_config():
  c = flow_base.get_config()
  c.data.name = "mnist"
  c.data.scale = "0_1"
  c.data.batch_size = 64
  c.objective.levels = 256
  c.model.name = "glow"
  c.model.transform = "affine"
  c.model.num_scales = 2
  c.model.steps_per_scale = 16
  c.model.channels = 256
  c.optim.learning_rate = 1e-3
  c.train.num_steps = 100_000
  c.train.eval_every = 10_000
  c.train.checkpoint_every = 10_000
  c.eval.batch_size = 500
  return c
