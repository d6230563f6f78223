"""ESRGAN x4 on photo patches (photos_sr, 8x8 -> 32x32): RRDB generator, relativistic average GAN, L1 content.

python scripts/train.py --config=configs/esrgan_photos.py --workdir=/tmp/esrgan_photos
python scripts/evaluate.py --workdir=/tmp/esrgan_photos

Generator: one RRDB (32 channels, growth 16, residual scaling 0.2, no BN) with the sub-pixel x2
stages and the bicubic skip. The first objective.pretrain_steps steps train it on the L1 loss
alone (ESRGAN's PSNR-oriented initialisation, one phase of this run; the discriminator's updates are
computed but not applied), the rest on eta L1 + lambda L_G^Ra with the paper's eta = 1e-2 and
lambda = 5e-3, against a relativistic average PatchGAN (no VGG feature term: see the README).

Result (seeds 0, 1, 2, --config.seed=S; 4,500 steps on the dihedral copies of the training patches,
402-405 s of training CPU each on one core; scripts/evaluate.py, then scripts/seed_summary.py): psnr
29.72 ± 0.12 dB (bicubic 29.45), psnr_whole 29.53 ± 0.54 (bicubic 29.64; seed 1 over-sharpens whole
photographs: 28.46), ssim 0.847 ± 0.018 (0.866), sharpness 0.0179 ± 0.0017 (HR 0.0258), fd 93.2 ± 8.6
(bicubic 131.3). Without the dihedral copies (seed 0) the adversarial phase produced artefacts: psnr
23.50, sharpness 0.066, fd 288.4. A lower learning rate in the adversarial phase is the next thing to try
for seed-to-seed stability.
"""

from configs import srgan_photos


def get_config():
  c = srgan_photos.get_config()
  c.data.train_photos = ""               # the four photographs and width 32 of its measured runs, not SRResNet's
  c.model.features = 32
  c.model.generator = "rrdb"
  c.model.num_blocks = 1
  c.objective.relativistic = True
  c.objective.content_weight = 1e-2
  c.objective.adversarial_weight = 5e-3
  c.objective.pretrain_steps = 3000
  c.optim.learning_rate = 5e-4           # Adam's steps do not depend on the loss scale (L1 weighted 1e-2)
  c.train.num_steps = 4500
  return c
