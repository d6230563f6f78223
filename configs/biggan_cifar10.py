"""BigGAN on tfds CIFAR-10 (class-conditional): for users with the data prepared and a GPU; not run here.
Published: FID 14.73 and Inception score 9.22 (Brock et al., 2019, table 6), 50k samples vs the training
set. Give `eval.inception_weights` to report an Inception `fid` comparable with it (gen_jax.eval.inception).

  python scripts/train.py --config=configs/biggan_cifar10.py --workdir=runs/biggan_cifar10
  python scripts/evaluate.py --workdir=runs/biggan_cifar10
"""

from configs import biggan_digits, sngan_cifar10


def get_config():
  c = sngan_cifar10.on_cifar10(biggan_digits.get_config(), batch_size=50, num_steps=100_000)
  c.model.embed_dim = 128
  c.objective.n_critic = 4                # the paper's CIFAR-10 setting
  return c
