"""PacGAN-4 on ring8: the benchmark's networks with the discriminator scoring packs of 4
samples (inputs concatenated, 8-D), non-saturating loss, EMA of the weights for sampling.

  python scripts/train.py --config=configs/pacgan_ring8.py --workdir=runs/pacgan_ring8
  python scripts/evaluate.py --workdir=runs/pacgan_ring8
  python scripts/mode_benchmark.py --config=configs/pacgan_ring8.py --seeds=10

Result: RESULT_PENDING
"""

from configs import gan_ring8


def get_config():
  c = gan_ring8.get_config()
  c.objective.pack = 4
  return c
