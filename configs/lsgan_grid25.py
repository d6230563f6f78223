"""LSGAN (least-squares loss, targets 0 / 1) on grid25 with the benchmark's networks.

  python scripts/train.py --config=configs/lsgan_grid25.py --workdir=runs/lsgan_grid25
  python scripts/evaluate.py --workdir=runs/lsgan_grid25

Result: not measured (the shared box's CPU went to the PacGAN seeds); the least-squares
objective is unit-tested and runs on the engine (tests/test_gan_models.py).
"""

from configs import gan_grid25


def get_config():
  c = gan_grid25.get_config()
  c.objective.loss = "least_squares"
  return c
