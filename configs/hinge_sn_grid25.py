"""Hinge loss with a spectrally normalized discriminator (every maxout layer and the output
layer; power-iteration vectors carried in the train state) on grid25, benchmark networks,
two time-scale learning rates (D 4x G).

  python scripts/train.py --config=configs/hinge_sn_grid25.py --workdir=runs/hinge_sn_grid25
  python scripts/evaluate.py --workdir=runs/hinge_sn_grid25

Result (scripts/mode_benchmark.py, 10 seeds, 3,000 steps, ~85 s of CPU per seed): 15.0 ± 0.5 modes,
2.3 ± 0.2 % high quality, reverse KL 0.786 ± 0.028: the samples still fill the square around the
grid after 3,000 steps (PacGAN's published rows trained 400,000); see the README's mode-collapse
table.

Reproduce (scripts/reproduce.py, seed 0): modes 13, high_quality 1.9, reverse_kl 0.860
"""

from configs import gan_grid25


def get_config():
  c = gan_grid25.get_config()
  c.objective.loss = "hinge"
  c.model.spectral_norm = True
  c.optim.discriminator_learning_rate = 4 * c.optim.learning_rate
  return c
