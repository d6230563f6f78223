"""SN-GAN on tfds CIFAR-10 (unconditional ResNet, hinge loss, n_critic 5): for users with the data prepared
and a GPU; not run here. Published: FID 21.7 and Inception score 8.22 (Miyato et al., 2018, table 2, the
ResNet with the hinge loss), FID over 50k samples and the training set. Give `eval.inception_weights`
to report an Inception `fid` comparable with it (gen_jax.eval.inception).

  python scripts/train.py --config=configs/sngan_cifar10.py --workdir=runs/sngan_cifar10
  python scripts/evaluate.py --workdir=runs/sngan_cifar10
"""

from configs import sngan_digits


def on_cifar10(c, batch_size: int, num_steps: int):
  """A digits ResNet GAN config `c` moved to CIFAR-10 at the papers' widths (z 128, G's blocks 256 channels,
  D's 128), for `num_steps` generator updates; shared by biggan_cifar10."""
  c.data.name = "cifar10"
  c.data.batch_size = batch_size
  c.model.latent_dim = 128
  c.model.features = 64
  c.train.num_steps = num_steps
  c.train.log_every = 500
  c.train.eval_every = 5_000
  c.train.checkpoint_every = 5_000
  c.train.ema_decay = 0.9999
  c.eval.num_samples = 10_000
  return c


def get_config():
  c = on_cifar10(sngan_digits.get_config(), batch_size=64, num_steps=50_000)  # the paper's 50k G updates
  c.optim.learning_rate = 2e-4
  return c
