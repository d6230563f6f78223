"""BigGAN (Brock et al., 2019) on sklearn's 8x8 digits, class-conditional: the ResNet generator with
class-conditional BatchNorm (a class embedding shared by the blocks, concatenated with each block's
chunk of the hierarchical latent), the ResNet discriminator with the projection head, every
discriminator layer spectrally normalized, hinge loss, orthogonal regularization of G (beta 1e-4),
Adam 2e-4 for G and 4x for D with b1 = 0, b2 = 0.999 (the paper's CIFAR setting uses two D steps
per G step; n_critic is 1 for conditional models here, the faster D stands in for it), EMA 0.999.

  python scripts/train.py --config=configs/biggan_digits.py --workdir=runs/biggan_digits
  python scripts/evaluate.py --workdir=runs/biggan_digits

RESULT_PLACEHOLDER
"""

from configs import cgan_digits


def get_config():
  c = cgan_digits.get_config()
  c.model.architecture = "biggan"
  c.model.generator_refine = False
  c.model.features = 16                # G's blocks 64 channels, D's 32
  c.model.latent_dim = 32              # 2 chunks of 16 at 8x8 (one up-block)
  c.model.embed_dim = 32
  c.model.spectral_norm = True
  c.objective.loss = "hinge"
  c.objective.orthogonal = 1e-4
  c.optim.learning_rate = 2e-4
  c.optim.discriminator_learning_rate = 8e-4
  c.optim.b1 = 0.0
  c.optim.b2 = 0.999
  c.optim.schedule = "constant"
  c.train.ema_decay = 0.999
  return c
