"""Hinge loss with a spectrally normalized discriminator (every maxout layer and the output
layer; power-iteration vectors carried in the train state) on grid25, benchmark networks,
two time-scale learning rates (D 4x G).

  python scripts/train.py --config=configs/hinge_sn_grid25.py --workdir=runs/hinge_sn_grid25
  python scripts/evaluate.py --workdir=runs/hinge_sn_grid25

Result: not measured (the shared box's CPU went to the PacGAN seeds); hinge loss and
spectral norm run on the engine on 1 and 4 devices (tests/test_gan_models.py).
"""

from configs import gan_grid25


def get_config():
  c = gan_grid25.get_config()
  c.objective.loss = "hinge"
  c.model.spectral_norm = True
  c.optim.discriminator_learning_rate = 4 * c.optim.learning_rate
  return c
