"""SRGAN x4 on photo patches (photos_sr, 8x8 -> 32x32): SRResNet-MSE pre-training, then the adversarial phase.

python scripts/train.py --config=configs/srgan_photos.py --workdir=/tmp/srgan_photos
python scripts/evaluate.py --workdir=/tmp/srgan_photos

The first objective.pretrain_steps steps are configs/srresnet_photos.py's run (the same
generator, MSE only; the discriminator's updates are computed but not applied); the rest
add the adversarial term 1e-3 (-log D(G(x))) with a PatchGAN discriminator (34x34 receptive field).
"""

from configs import srresnet_photos


def get_config():
  c = srresnet_photos.get_config()
  c.objective.adversarial_weight = 1e-3
  c.objective.pretrain_steps = c.train.num_steps
  c.optim.schedule = "constant"
  c.train.num_steps = c.objective.pretrain_steps + 2000
  return c
