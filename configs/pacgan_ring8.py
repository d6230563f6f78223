"""PacGAN-4 on ring8: the benchmark's networks with the discriminator scoring packs of 4
samples (inputs concatenated, 8-D), non-saturating loss, EMA of the weights for sampling.

  python scripts/train.py --config=configs/pacgan_ring8.py --workdir=runs/pacgan_ring8
  python scripts/evaluate.py --workdir=runs/pacgan_ring8
  python scripts/mode_benchmark.py --config=configs/pacgan_ring8.py --seeds=10

Result (scripts/mode_benchmark.py, 10 seeds, 6,000 steps, Adam 3e-4 with cosine decay): 8.0 ± 0.0
modes, 5.9 ± 0.4 % high quality, reverse KL 0.083 ± 0.019 (~95 s of CPU per seed). PacGAN-4 covers
every mode but, scoring 4 samples at once, its discriminator barely sees how far a single sample
lies from a centre: samples spread along the ring. PacGAN-2 (configs/pacgan2_ring8.py) reaches 91.7
%.

Reproduce (scripts/reproduce.py, seed 0): modes 8, high_quality 5.8, reverse_kl 0.032
"""

from configs import gan_ring8


def get_config():
  c = gan_ring8.get_config()
  c.objective.pack = 4
  return c
