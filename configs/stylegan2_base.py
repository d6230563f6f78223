"""StyleGAN2's fields on top of configs/default.py (model 'stylegan2', gen_jax/gan/stylegan2.py).

Not an experiment by itself: the paper's objective and regularizers (non-saturating loss, R1 gamma 10
every 16 steps, path length w_pl 2 every 4 steps, style mixing 0.9, Adam 0.002 with b1 = 0, b2 = 0.99)
with small networks; the experiment files set the data and the sizes.
"""

from configs import default


def get_config():
  c = default.get_config()
  c.model.name = "stylegan2"
  c.model.latent_dim = 64                  # z ~ N(0, I)
  c.model.style_dim = 64                   # w (the mapping network's width)
  c.model.mapping_depth = 4                # the paper: 8
  c.model.mapping_lr_multiplier = 0.01     # the mapping network learns 100x slower (StyleGAN)
  c.model.features = 64                    # channels at every resolution (G and D)
  c.model.minibatch_group = 4              # minibatch stddev group; divides the batch on each device
  c.model.w_mean_decay = 0.995             # running mean of w, the truncation trick's centre

  c.objective.r1 = 10.0                    # R1 gamma (penalty gamma / 2 ||grad D(x)||^2), 0 = off
  c.objective.r1_interval = 16             # lazy R1: every k steps, weighted by k
  c.objective.path_length = 2.0            # path-length weight w_pl, 0 = off
  c.objective.path_length_interval = 4     # lazy path-length regularization: every k steps, weighted by k
  c.objective.path_length_decay = 0.01     # rate of the path lengths' running mean a
  c.objective.style_mixing = 0.9           # probability of mixing two latents' styles in a generated image
  c.objective.diff_augment = ""            # DiffAugment policy, e.g. 'color,translation,cutout'

  c.optim.learning_rate = 2e-3             # generator (the paper's 0.002)
  c.optim.discriminator_learning_rate = 0.0  # 0 = optim.learning_rate
  c.optim.b1 = 0.0
  c.optim.b2 = 0.99

  c.eval.truncation_psi = 1.0              # samples (and their metrics) use w_mean + psi (w - w_mean)
  c.train.ema_decay = 0.999                # samples use the EMA of the generator's weights
  return c
