"""BigGAN on 8x8 digits (class-conditional): the ResNet generator with a class embedding shared by every
block, hierarchical latents feeding conditional BatchNorm (gen_jax.nets.resnet_gan), a projection
discriminator with spectral norm, the hinge loss, orthogonal regularization of G (beta = 1e-4) and the
truncation trick at sampling (Brock et al., 2019; CIFAR-10 setting: Adam 2e-4 for G and D, b1 = 0,
b2 = 0.999, EMA of G).

  python scripts/train.py --config=configs/biggan_digits.py --workdir=runs/biggan_digits
  python scripts/evaluate.py --workdir=runs/biggan_digits
"""

from configs import cgan_digits


def get_config():
  c = cgan_digits.get_config()
  c.model.architecture = "biggan"
  c.model.generator_refine = False        # a DCGAN option
  c.model.features = 16                   # G's blocks 64 channels, D's 32
  c.model.embed_dim = 16
  c.model.spectral_norm = True
  c.objective.loss = "hinge"
  c.objective.orthogonal = 1e-4
  c.objective.n_critic = 2
  c.optim.b1 = 0.0
  c.optim.b2 = 0.999
  return c
