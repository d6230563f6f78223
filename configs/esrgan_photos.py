"""ESRGAN x4 on photo patches (photos_sr, 8x8 -> 32x32): RRDB generator, relativistic average GAN, L1 content.

python scripts/train.py --config=configs/esrgan_photos.py --workdir=/tmp/esrgan_photos
python scripts/evaluate.py --workdir=/tmp/esrgan_photos

Generator: one RRDB (32 channels, growth 16, residual scaling 0.2, no BN) with the sub-pixel x2
stages and the bicubic skip. The first objective.pretrain_steps steps train it on the L1 loss
alone (ESRGAN's PSNR-oriented initialisation, one phase of this run; the discriminator's updates are
computed but not applied), the rest on eta L1 + lambda L_G^Ra with the paper's eta = 1e-2 and
lambda = 5e-3, against a relativistic average PatchGAN (no VGG feature term: see the README).

Result (seed 0, 4,500 steps, 317 s of training CPU; scripts/evaluate.py on the held-out photographs):
psnr 23.50 dB (bicubic 29.45), ssim 0.537 (0.866), sharpness 0.066 (the HR images' 0.026), fd 288.4
(bicubic 131.3). The adversarial phase over-sharpens into high-frequency artefacts at these settings (the
paper's eta and lambda, lr 5e-4, one RRDB): this config does NOT reproduce ESRGAN's gain yet; a lower
learning rate in the adversarial phase or a longer L1 phase are the first things to try.
"""

from configs import srgan_photos


def get_config():
  c = srgan_photos.get_config()
  c.model.generator = "rrdb"
  c.model.num_blocks = 1
  c.objective.relativistic = True
  c.objective.content_weight = 1e-2
  c.objective.adversarial_weight = 5e-3
  c.objective.pretrain_steps = 3000
  c.optim.learning_rate = 5e-4           # Adam's steps do not depend on the loss scale (L1 weighted 1e-2)
  c.train.num_steps = 4500
  return c
