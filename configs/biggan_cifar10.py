"""BigGAN on tfds CIFAR-10 (class-conditional): for users with the data prepared and a GPU; not run here.
Published: FID 14.73 and Inception score 9.22 (Brock et al., 2019, table 6), 50k samples vs the training
set. Give `eval.inception_weights` to report an Inception `fid` comparable with it (gen_jax.eval.inception).

  python scripts/train.py --config=configs/biggan_cifar10.py --workdir=runs/biggan_cifar10
  python scripts/evaluate.py --workdir=runs/biggan_cifar10
"""

from configs import biggan_digits


def get_config():
  c = biggan_digits.get_config()
  c.data.name = "cifar10"
  c.data.batch_size = 50
  c.model.latent_dim = 128
  c.model.features = 64                   # G's blocks 256 channels, D's 128 (the paper's CIFAR widths)
  c.model.embed_dim = 128
  c.objective.n_critic = 4                # the paper's CIFAR-10 setting
  c.train.num_steps = 100_000
  c.train.log_every = 500
  c.train.eval_every = 5_000
  c.train.checkpoint_every = 5_000
  c.train.ema_decay = 0.9999
  c.eval.num_samples = 10_000
  return c
