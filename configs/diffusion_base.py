"""Fields shared by the diffusion configs (configs/ddpm_*.py, vdm_*.py) on top of configs/default.py.

Not an experiment by itself: a DDPM (T = 1000, linear beta_t from 1e-4 to 0.02, L_simple) on grid25 with
the Fourier-feature MLP, Adam 2e-3 with cosine decay for 12,000 steps of batch 256, ancestral sampling with
every step, EMA 0.999 for sampling and evaluation.
"""

from configs import default


def get_config():
  c = default.get_config()
  c.data.name = "grid25"
  c.data.batch_size = 256

  c.model.name = "ddpm"                # 'ddpm' or 'vdm'
  c.model.net = "unet"                 # images: 'unet' or 'mlp' (ScoreMLP on the flattened pixels); 2-D: MLP
  c.model.width = 128                  # ScoreMLP hidden width
  c.model.depth = 3                    # ScoreMLP residual blocks
  c.model.num_frequencies = 16         # Fourier features of t (sin and cos each)
  c.model.channels = 32                # images: U-Net base width
  c.model.multipliers = (1, 2)         # images: U-Net width multiplier per resolution (2x down between)
  c.model.blocks = 1                   # images: residual blocks per resolution
  c.model.dropout = 0.0                # images: U-Net dropout rate in every residual block (training only)
  c.model.sampler = "ancestral"        # 'ancestral', 'ddim', 'ode' (probability flow)
  c.model.sample_steps = 1000          # reverse steps of 'ancestral'/'ddim' (ddpm: <= objective.num_steps)
  c.model.eta = 1.0                    # DDIM's eta (0: deterministic, 1: ancestral)

  c.objective.num_steps = 1000         # ddpm: T
  c.objective.schedule = "linear"      # ddpm: 'linear' or 'cosine'; vdm: 'fixed' or 'learned'
  c.objective.beta_start = 1e-4        # ddpm linear schedule: beta_1
  c.objective.beta_end = 0.02          # ddpm linear schedule: beta_T
  c.objective.gamma_min = -13.3        # vdm: gamma(0) (initial value when learned)
  c.objective.gamma_max = 5.0          # vdm: gamma(1)
  c.objective.gamma_hidden = 1024      # vdm learned schedule: width of the monotone network
  c.objective.num_levels = 256         # values per pixel of non-binarized images (8 bits)

  c.optim.learning_rate = 2e-3
  c.optim.schedule = "cosine"          # decays to 0 at the last step
  c.train.num_steps = 12_000
  c.train.log_every = 2000
  c.train.checkpoint_every = 12_000
  c.train.eval_every = 12_000
  c.train.ema_decay = 0.999

  c.eval.batch_size = 1000             # examples per likelihood batch
  c.eval.likelihood_samples = 10_000   # 2-D: fresh data points for nll and kl_to_truth
  c.eval.nll_times = 100               # images: stratified times per example for the diffusion term
  return c
