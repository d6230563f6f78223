"""Fields shared by the VAE-family configs (configs/vae_*.py, iwae_*, hvae_*, nfvae_*, wae_*, vaegan_*, vqvae_*).

Not an experiment by itself: each experiment file starts from `get_config()` here
and overrides what it needs. Defaults: statically binarized 8x8 digits, Bernoulli
decoder, an MLP VAE with tanh units, Adam 1e-3, held-out NLL with k = 5,000
importance samples.
"""

import ml_collections

from configs import default


def get_config() -> ml_collections.ConfigDict:
  c = default.get_config()
  c.data.name = "digits"
  c.data.scale = "0_1"
  c.data.binarize = "static"
  c.data.batch_size = 100

  c.model.name = "vae"
  c.model.arch = "mlp"               # 'mlp' or 'conv' bodies next to the data
  c.model.act = "tanh"
  c.model.latent_dims = (16,)        # one size per stochastic layer (z_1 nearest the data)
  c.model.hidden = ((128, 128),)     # widths per layer (encoder order; the decoder reverses them)

  c.objective.likelihood = "bernoulli"   # 'bernoulli', 'gaussian' (learned variance), 'gaussian_fixed'
  c.objective.decoder_log_var = 0.0      # log sigma^2 of 'gaussian_fixed'
  c.objective.beta = 1.0                 # KL weight (beta-VAE: > 1)
  c.objective.estimator = "elbo"         # 'elbo' or 'iwae'
  c.objective.num_samples = 1            # S samples (ELBO) or k (IWAE) per example
  c.objective.kl = "analytic"            # 'analytic' (one Gaussian layer) or 'monte_carlo'

  c.train.num_steps = 3000
  c.train.log_every = 250
  c.train.checkpoint_every = 3000
  c.train.eval_every = 3000

  c.eval.iwae_k = 5000               # importance samples for the held-out NLL (Burda et al. 2016)
  c.eval.iwae_chunk = 500            # samples drawn at once (memory: batch_size * chunk)
  c.eval.batch_size = 120            # held-out examples per evaluation batch
  return c
