"""ProGAN on tfds CelebA at 64x64, growing 4 -> 8 -> 16 -> 32 -> 64, for users with the data prepared and a
GPU; not run here. Published: the paper trains on CelebA-HQ up to 1024x1024 and reports sliced Wasserstein
distances and MS-SSIM (Karras et al., 2018, section 6 and table 1) and a record unsupervised CIFAR-10
Inception score of 8.80 (its abstract and section 6.4); it gives no FID at CelebA 64x64, so there is no
published number this config's `fid` can be set against. The schedule follows the paper's 800k real images
per fade and per stable phase (12,500 steps at batch 64), WGAN-GP with drift 0.001, Adam 1e-3 with b1 = 0,
b2 = 0.99, an EMA of G and x-flips; one width (128 channels) at every resolution where the paper uses 512
narrowing to 256 at 64x64.

  python scripts/train.py --config=configs/progan_celeba64.py --workdir=runs/progan_celeba64
  python scripts/evaluate.py --workdir=runs/progan_celeba64 \\
      --config.eval.inception_weights=/path/to/inception.npz
"""

from configs import progan_base

IMAGES_PER_PHASE = 800_000


def get_config():
  c = progan_base.get_config()
  c.data.name = "celeb_a"
  c.data.image_size = 64           # centre crop, resized
  c.data.scale = "-1_1"
  c.data.random_flip = True
  c.data.batch_size = 64
  c.model.latent_dim = 512
  c.model.features = 128
  c.model.stable_steps = IMAGES_PER_PHASE // c.data.batch_size
  c.model.fade_steps = IMAGES_PER_PHASE // c.data.batch_size
  c.train.num_steps = 125_000      # 64x64 fades in over steps 87,500-100,000, then trains alone
  c.train.log_every = 1000
  c.train.eval_every = 12_500
  c.train.checkpoint_every = 12_500
  c.train.ema_decay = 0.999
  c.eval.num_samples = 10_000
  return c
