"""ProGAN's fields on top of configs/default.py (model 'progan', gen_jax/gan/progan.py).

Not an experiment by itself: the paper's objective (WGAN-GP, lambda 10, drift 0.001, one critic step per
generator step), Adam 1e-3 with b1 = 0, b2 = 0.99, minibatch stddev in groups of 4 and an EMA of G
(Karras et al., 2018, appendix A.1) with small networks; the experiment files set the data, the sizes and
the growth schedule.
"""

from configs import default


def get_config():
  c = default.get_config()
  c.model.name = "progan"
  c.model.latent_dim = 64                  # z ~ N(0, I), pixel-normalized (the paper: 512)
  c.model.features = 64                    # channels at every resolution (G and D)
  c.model.minibatch_group = 4              # minibatch stddev group; divides the batch on each device
  c.model.stable_steps = 1000              # steps at 4x4, then after each fade-in at the new resolution
  c.model.fade_steps = 1000                # steps over which a new resolution fades in (alpha 0 -> 1)

  c.objective.gradient_penalty = 10.0      # WGAN-GP lambda
  c.objective.drift = 0.001                # eps_drift D(x)^2

  c.optim.learning_rate = 1e-3
  c.optim.discriminator_learning_rate = 0.0  # 0 = optim.learning_rate
  c.optim.b1 = 0.0
  c.optim.b2 = 0.99

  c.train.ema_decay = 0.999                # samples use the EMA of the generator's weights
  return c
