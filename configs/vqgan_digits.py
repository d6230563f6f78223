"""VQGAN first stage (Esser, Rombach and Ommer 2021) on 8x8 digits (grey levels in [-1, 1]): a conv
encoder to a 4x4 grid of codes (K = 32 codes of dimension D = 8, EMA codebook), L1 + perceptual
loss (the layers of a digit classifier trained here), PatchGAN (hinge) with the adaptive weight
from step `disc_start`.

  python scripts/train.py --config=configs/vqgan_digits.py --workdir=runs/vqgan_digits
  python scripts/evaluate.py --workdir=runs/vqgan_digits

Measured by these commands (seed 0; 181 s of CPU time, 333 s wall): reconstruction_mse 0.0053 (pixels in
[0, 1]), psnr 22.72 dB, fd_reconstruction 0.61, perplexity 30.1 (32 of 32 codes used), sample fd 210.
Seeds 0, 1, 2 in one seed-batched run (`--config.train.num_seeds=3`: 859 s of CPU time for the three,
2,077 s wall on the shared 2-core box; mean ± standard error over the seeds, 360 held-out images):
reconstruction_mse 0.0071 ± 0.0004, psnr 21.53 ± 0.26 dB,
fd_reconstruction 8.6 ± 2.2 (per seed 8.3 / 5.1 / 12.5: the adversarial phase makes the last checkpoint
jumpy, seed 0 alone above reached 0.61), codebook perplexity 28.9 ± 0.6 with 32 of 32 codes
used; `fd` of factorized-prior samples 254 ± 15. `configs/vqvae_digits.py` the same way (17.6 s of CPU for
its three seeds): psnr 13.28 ± 0.13, fd_reconstruction 13.1 ± 1.0, perplexity 30.8 ± 0.3, sample fd 50.5 ± 5.9.
"""

from configs import default


def get_config():
  c = default.get_config()
  c.data.name = "digits"
  c.data.scale = "-1_1"
  c.data.batch_size = 64

  c.model.name = "vqgan"
  c.model.hidden = (32, 64)              # widths per resolution: 8x8 -> a 4x4 code grid (f = 2)
  c.model.num_codes = 32                 # K
  c.model.code_dim = 8                   # D
  c.model.discriminator_features = 32    # PatchGAN
  c.model.discriminator_layers = 1       # 16x16 receptive field: the whole 8x8 image
  c.model.discriminator_norm = "none"
  c.model.perceptual_weights = ""        # '' = the digit classifier trained here; or a torchvision VGG16 .npz

  c.objective.perceptual_weight = 1.0    # w_p (the reference's 1.0)
  c.objective.adversarial_weight = 0.8   # w_adv, the reference's disc_weight
  c.objective.disc_start = 1000          # steps on L_rec alone before the discriminator starts
  c.objective.gan_loss = "hinge"         # or 'non_saturating'
  c.objective.commitment = 0.25          # beta
  c.objective.codebook_decay = 0.99
  c.objective.codebook_epsilon = 1e-5
  c.objective.dead_code_threshold = 0.1  # EMA cluster size below which a code restarts beside a used one
  c.objective.restart_noise = 0.01

  c.optim.learning_rate = 1e-3
  c.optim.discriminator_learning_rate = 0.0  # 0 = optim.learning_rate
  c.optim.b1 = 0.5                       # the reference's Adam betas (0.5, 0.9)
  c.optim.b2 = 0.9

  c.train.num_steps = 3000
  c.train.log_every = 250
  c.train.checkpoint_every = 3000
  c.train.eval_every = 3000
  return c
