"""pix2pix colourisation of photo patches (photos_color: luminance -> RGB, 32x32).

python scripts/train.py --config=configs/pix2pix_photos.py --workdir=/tmp/pix2pix_photos
python scripts/evaluate.py --workdir=/tmp/pix2pix_photos

U-Net generator (5 levels to a 1x1 bottleneck, 16 channels first), conditional PatchGAN
D(concat(gray, colour)) with BatchNorm, -log D(x, G(x)) + 100 ||y - G(x)||_1 (the paper's lambda),
Adam 2e-4, beta1 0.5 as in the paper.

Measured (seed 0, 800 steps of batch 16, 54 s of CPU): on the held-out photographs psnr 18.11 dB against
the grayscale input's 18.07, ssim 0.585 (input 0.787), sharpness 0.0377 (HR 0.0258: checkerboard
artefacts), fd 82.5 (input 12.5): plausible colours on textures (see its pictures) but no better than the
grayscale image by these measures at this budget.
"""

from configs import paired_base


def get_config():
  c = paired_base.get_config()
  c.data.name = "photos_color"
  c.model.name = "pix2pix"
  c.model.generator = "unet"
  c.objective.content_weight = 100.0
  c.objective.adversarial_weight = 1.0
  c.optim.learning_rate = 2e-4
  c.optim.b1 = 0.5
  c.model.features = 16
  c.model.discriminator_features = 16
  c.train.num_steps = 800
  c.train.steps_per_jit = 1
  return c
