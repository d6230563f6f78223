"""SRResNet (MSE) x4 super-resolution of photo patches: 8x8 -> 32x32 (photos_sr), the SRGAN initialisation.

python scripts/train.py --config=configs/srresnet_photos.py --workdir=/tmp/srresnet_photos
python scripts/evaluate.py --workdir=/tmp/srresnet_photos

Model 'srgan' with objective.adversarial_weight = 0: the SRResNet generator (32 channels, 4
residual blocks, two x2 sub-pixel stages) trained on the pixel MSE alone, no discriminator.
"""

from configs import paired_base


def get_config():
  c = paired_base.get_config()
  c.objective.adversarial_weight = 0.0
  c.optim.schedule = "cosine"
  c.optim.final_lr_fraction = 0.1
  c.train.num_steps = 3000
  c.train.steps_per_jit = 1              # XLA:CPU runs conv gradients many times slower inside lax.scan
  return c
