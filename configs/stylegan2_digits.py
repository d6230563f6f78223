"""StyleGAN2 on sklearn's 8x8 digits (measurement pending).
"""

from configs import stylegan2_base


def get_config():
  c = stylegan2_base.get_config()
  c.data.name = "digits"
  c.data.image_size = 0            # native 8x8
  c.data.scale = "-1_1"
  c.data.batch_size = 64
  c.model.features = 32
  c.objective.r1 = 1.0             # the paper's gamma 10 is for 1024x1024 faces; at 8x8 it kept D too smooth
  c.optim.learning_rate = 1e-3
  c.train.num_steps = 3000
  c.train.steps_per_jit = 1        # XLA CPU runs conv gradients ~20x slower inside the engine's lax.scan
  c.train.log_every = 250
  c.train.eval_every = 1000
  c.train.checkpoint_every = 1000
  c.train.ema_decay = 0.99
  c.eval.num_samples = 1000
  return c
