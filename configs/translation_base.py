"""The translation family's shared fields on top of configs/default.py (cyclegan, stargan, attgan).

Not an experiment by itself: 8x8 digits in batches of 32, Adam (b1 0.5) with a cosine
decay, one step per compiled call (XLA:CPU runs conv gradients much slower inside
lax.scan), pictures and checkpoints every 1,000 steps.
"""

from configs import default


def get_config():
  c = default.get_config()
  c.data.batch_size = 32
  c.optim.learning_rate = 2e-4
  c.optim.discriminator_learning_rate = 0.0  # 0 = optim.learning_rate
  c.optim.b1 = 0.5
  c.optim.schedule = "cosine"
  c.train.num_steps = 3000
  c.train.steps_per_jit = 1
  c.train.log_every = 500
  c.train.eval_every = 1000
  c.train.checkpoint_every = 1000
  return c
