"""SRGAN x4 on photo patches (photos_sr, 8x8 -> 32x32), started from the SRResNet-MSE run of configs/srresnet_photos.py.

python scripts/train.py --config=configs/srresnet_photos.py --workdir=/tmp/srresnet_photos
python scripts/train.py --config=configs/srgan_photos.py --workdir=/tmp/srgan_photos \
    --config.model.pretrained_workdir=/tmp/srresnet_photos
python scripts/evaluate.py --workdir=/tmp/srgan_photos

The generator starts from the SRResNet (model.pretrained_workdir; fresh Adam state) and trains
on MSE + 1e-3 (-log D(G(x))) against a PatchGAN discriminator (34x34 receptive field, BatchNorm).

Measured (seeds 0, 1, 2, each from that seed's SRResNet; 2,000 steps, 242-251 s of CPU each on one core):
psnr 30.31 ± 0.01 dB (SRResNet 30.43, bicubic 29.45), psnr_whole 30.48 ± 0.05 (SRResNet 30.69), ssim
0.875 ± 0.003, sharpness 0.0156 ± 0.0004 (SRResNet 0.0138, HR 0.0258), fd 80.1 ± 1.6 (SRResNet 89.3):
sharper at lower PSNR on every seed, as in the paper.
"""

from configs import srresnet_photos


def get_config():
  c = srresnet_photos.get_config()
  c.objective.adversarial_weight = 1e-3
  c.optim.learning_rate = 1e-4           # SRGAN's rate; the discriminator's too
  c.optim.schedule = "constant"
  c.train.num_steps = 2000
  return c
