"""SN-GAN (Miyato et al., 2018) on sklearn's 8x8 digits: the ResNet generator and discriminator of the
paper's CIFAR-10 benchmark (gen_jax.nets.resnet_gan, model.architecture='resnet'), every discriminator
layer spectrally normalized, hinge loss, 5 discriminator steps per generator step, Adam 2e-4 with
b1 = 0, b2 = 0.9 (the paper's setting), EMA 0.999 of the generator for sampling.

  python scripts/train.py --config=configs/sngan_digits.py --workdir=runs/sngan_digits
  python scripts/evaluate.py --workdir=runs/sngan_digits

RESULT_PLACEHOLDER
"""

from configs import dcgan_digits


def get_config():
  c = dcgan_digits.get_config()
  c.model.architecture = "resnet"
  c.model.generator_refine = False
  c.model.features = 16                # G's blocks 64 channels, D's 32 (the paper: 256 / 128 at 32x32)
  c.model.spectral_norm = True
  c.objective.loss = "hinge"
  c.objective.n_critic = 5
  c.optim.learning_rate = 2e-4
  c.optim.b1 = 0.0
  c.optim.b2 = 0.9
  c.optim.schedule = "constant"
  c.train.num_steps = 2000
  c.train.steps_per_jit = 50
  c.train.ema_decay = 0.999
  return c
