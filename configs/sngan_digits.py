"""SN-GAN on 8x8 digits: the ResNet generator and discriminator of SN-GAN's CIFAR-10 benchmarks
(gen_jax.nets.resnet_gan) at small width, a spectrally normalized discriminator, the hinge loss and
n_critic = 5 discriminator steps per generator step (Miyato et al., 2018, table 3 setting C: Adam
2e-4, b1 = 0, b2 = 0.9).

  python scripts/train.py --config=configs/sngan_digits.py --workdir=runs/sngan_digits
  python scripts/evaluate.py --workdir=runs/sngan_digits

Result (measured, seeds 0, 1, 2 (--config.seed=S, one run each), 3,000 steps, 208 ± 1 CPU-seconds of
training each; scripts/evaluate.py, then scripts/seed_summary.py): fd 28.97 ± 4.29 (23.8 / 37.5 / 25.6),
kid 23.3 ± 13.8, precision 0.740 ± 0.002, recall 0.931 ± 0.014, 10 classes covered, class KL 0.035 ± 0.003: the best
unconditional model of the image table.
"""

from configs import dcgan_digits


def get_config():
  c = dcgan_digits.get_config()
  c.model.architecture = "resnet"
  c.model.generator_refine = False        # a DCGAN option
  c.model.features = 16                   # G's blocks 64 channels, D's 32 (SN-GAN: 256 and 128)
  c.model.spectral_norm = True
  c.objective.loss = "hinge"
  c.objective.n_critic = 5
  c.optim.b1 = 0.0
  c.optim.b2 = 0.9
  c.train.num_steps = 3000
  c.train.eval_every = 1000
  c.train.checkpoint_every = 1000
  return c
