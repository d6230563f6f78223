"""VDM (Kingma et al. 2021) on statically binarized 8x8 digits, the VAE table's data: continuous time,
learned monotone log-SNR schedule gamma(t) (initialised at [-7, 5]), a small U-Net eps_theta
(16 channels, 8x8 and 4x4 with attention), the -ELBO = L_T + L_inf + L_0 with low-discrepancy times and
VDM's categorical decoder (a Bernoulli on the 2 levels), so `nll` bounds the binary pixels' likelihood;
Adam 2e-3 with cosine decay, 4,000 steps of batch 64, EMA 0.999, 100-step ancestral sampling.

  python scripts/train.py --config=configs/vdm_digits.py --workdir=runs/vdm_digits
  python scripts/evaluate.py --workdir=runs/vdm_digits

Result: see the README's diffusion section (held-out -ELBO with 100 stratified times per image).
"""

from configs import diffusion_base


def get_config():
  c = diffusion_base.get_config()
  c.data.name = "digits"
  c.data.scale = "0_1"
  c.data.binarize = "static"
  c.data.batch_size = 64
  c.model.name = "vdm"
  c.model.sample_steps = 100
  c.objective.schedule = "learned"
  c.objective.gamma_min = -7.0         # binary pixels need less SNR at t = 0 than 8-bit ones (learned from here)
  c.model.net = "mlp"                  # ScoreMLP on the 64 flattened pixels (see the docstring for the U-Net)
  c.model.width = 256
  c.model.channels = 16
  c.objective.gamma_hidden = 64
  c.optim.learning_rate = 1e-3         # cosine decay (diffusion_base)
  c.train.num_steps = 10_000
  c.train.log_every = 1000
  c.train.checkpoint_every = 10_000
  c.train.eval_every = 10_000
  c.eval.batch_size = 120
  return c
