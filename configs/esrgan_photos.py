"""ESRGAN x4 on photo patches (photos_sr, 8x8 -> 32x32): RRDB generator, relativistic average GAN, L1 content.

python scripts/train.py --config=configs/esrgan_photos.py --workdir=/tmp/esrgan_photos
python scripts/evaluate.py --workdir=/tmp/esrgan_photos

Generator: one RRDB (32 channels, growth 16, residual scaling 0.2, no BN) with the sub-pixel x2
stages and the bicubic skip. The first objective.pretrain_steps steps train it on the L1 loss
alone (ESRGAN's PSNR-oriented initialisation, one phase of this run; the discriminator's updates are
computed but not applied), the rest on eta L1 + lambda L_G^Ra with the paper's eta = 1e-2 and
lambda = 5e-3, against a relativistic average PatchGAN (no VGG feature term: see the README).

Not measured yet (the session's CPU budget went to SRResNet/SRGAN); tested for 2 steps on 1 and 4 devices.
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
