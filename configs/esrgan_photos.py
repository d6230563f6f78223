"""ESRGAN x4 on photo patches (photos_sr, 8x8 -> 32x32): RRDB generator, relativistic average GAN, L1 content.

python scripts/train.py --config=configs/esrgan_photos.py --workdir=/tmp/esrgan_photos
python scripts/evaluate.py --workdir=/tmp/esrgan_photos

Generator: 2 RRDBs (32 channels, growth 16, residual scaling 0.2, no BN); pre-trained on the L1
loss for objective.pretrain_steps steps (ESRGAN's PSNR-oriented initialisation), then
eta L1 + lambda L_G^Ra with the paper's eta = 1e-2, lambda = 5e-3 (no VGG feature term: see README).
"""

from configs import srgan_photos


def get_config():
  c = srgan_photos.get_config()
  c.model.generator = "rrdb"
  c.model.num_blocks = 2
  c.objective.relativistic = True
  c.objective.content_weight = 1e-2
  c.objective.adversarial_weight = 5e-3
  c.optim.learning_rate = 2e-4   # the L1 term is 100x smaller than SRGAN's MSE weight: Adam is scale-free, but
  return c                       # the pre-training phase then follows the L1 gradient direction at the same pace
