"""BigGAN on 8x8 digits (class-conditional): the ResNet generator with a class embedding shared by every
block, hierarchical latents feeding conditional BatchNorm (gen_jax.nets.resnet_gan), a projection
discriminator with spectral norm, the hinge loss, orthogonal regularization of G (beta = 1e-4) and the
truncation trick at sampling (Brock et al., 2019; CIFAR-10 setting: Adam 2e-4 for G and D, b1 = 0,
b2 = 0.999, EMA of G).

  python scripts/train.py --config=configs/biggan_digits.py --workdir=runs/biggan_digits
  python scripts/evaluate.py --workdir=runs/biggan_digits

Result (measured, seed 0, 10,000 steps, 399 CPU-seconds of training on the shared 2-core box): fd 6.01,
kid 23.2 ± 21.2, precision 0.91, recall 0.81, label accuracy 0.992, class KL 0.0007. Its truncation sweep
(samples/truncation_*.png: rows |z_i| <= inf, 1, 0.5, 0.25) turns varied digits into typical ones. n_critic is
2 rather than CIFAR-10's 4 to stay within the budget.
Seeds 0, 1, 2 (--config.seed=S, then scripts/seed_summary.py; 399-453 CPU-s each): fd 5.31 +- 0.42
(6.01 / 4.58 / 5.35), precision 0.926 +- 0.010, recall 0.836 +- 0.015, label accuracy 0.986 +- 0.003.
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
  c.train.num_steps = 10_000
  return c
