"""SRResNet (MSE) x4 super-resolution of photo patches: 8x8 -> 32x32 (photos_sr), the SRGAN initialisation.

python scripts/train.py --config=configs/srresnet_photos.py --workdir=/tmp/srresnet_photos
python scripts/evaluate.py --workdir=/tmp/srresnet_photos

Model 'srgan' with objective.adversarial_weight = 0: the SRResNet generator (32 channels, 4
residual blocks, two x2 sub-pixel stages, plus the bicubic upsampling of the input: model.bicubic_skip)
trained on the pixel MSE alone, no discriminator; configs/srgan_photos.py starts from it.
"""

from configs import paired_base


def get_config():
  c = paired_base.get_config()
  c.model.bicubic_skip = True
  c.objective.adversarial_weight = 0.0
  c.optim.schedule = "cosine"
  c.optim.final_lr_fraction = 0.1
  c.train.num_steps = 6000
  c.train.steps_per_jit = 1              # XLA:CPU runs conv gradients many times slower inside lax.scan
  return c
