"""SRGAN x4 on photo patches (photos_sr, 8x8 -> 32x32), started from the SRResNet-MSE run of configs/srresnet_photos.py.

python scripts/train.py --config=configs/srresnet_photos.py --workdir=/tmp/srresnet_photos
python scripts/train.py --config=configs/srgan_photos.py --workdir=/tmp/srgan_photos \
    --config.model.pretrained_workdir=/tmp/srresnet_photos
python scripts/evaluate.py --workdir=/tmp/srgan_photos

The generator starts from the SRResNet (model.pretrained_workdir; fresh Adam state) and trains
on MSE + 1e-3 (-log D(G(x))) against a PatchGAN discriminator (34x34 receptive field, BatchNorm).

Measured (seeds 0 and 1, each from that seed's SRResNet; 2,000 steps, about 150 s of CPU each): psnr
29.50 ± 0.00 dB (SRResNet 29.86, bicubic 29.45), ssim 0.844 ± 0.009, sharpness 0.0184 ± 0.0007 (SRResNet
0.0149, HR 0.0258), fd 88.7 ± 9.0 (SRResNet 97.5): sharper at lower PSNR, as in the paper.
"""

from configs import srresnet_photos


def get_config():
  c = srresnet_photos.get_config()
  c.objective.adversarial_weight = 1e-3
  c.optim.learning_rate = 1e-4           # SRGAN's rate; the discriminator's too
  c.optim.schedule = "constant"
  c.train.num_steps = 2000
  return c
