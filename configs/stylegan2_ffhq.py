"""StyleGAN2 on an FFHQ-style folder of face images at 256x256, for users with the images and a GPU; not run
here. Published: FFHQ 1024x1024 FID 2.84 (config F; Karras et al., 2020, table 1). This config keeps the
paper's objective (R1 gamma 10 every 16 steps, path length 2 every 4, style mixing 0.9, Adam 0.002 with
b1 = 0, b2 = 0.99, EMA of G, x-flips) at 256x256 with one width at every resolution (the paper narrows the
high resolutions), so its FID is not the paper's; set data.image_size=1024 for the paper's size.

  python scripts/train.py --config=configs/stylegan2_ffhq.py --workdir=runs/stylegan2_ffhq \\
      --config.data.name=folder:/data/ffhq
  python scripts/evaluate.py --workdir=runs/stylegan2_ffhq --config=configs/stylegan2_ffhq.py \\
      --config.eval.inception_weights=/path/to/inception.npz
"""

from configs import stylegan2_base


def get_config():
  c = stylegan2_base.get_config()
  c.data.name = "folder:/data/ffhq"  # PNG/JPEG faces below this folder (see README, Data)
  c.data.image_size = 256
  c.data.scale = "-1_1"
  c.data.random_flip = True
  c.data.batch_size = 32
  c.model.latent_dim = 512
  c.model.style_dim = 512
  c.model.mapping_depth = 8
  c.model.features = 256
  c.train.num_steps = 200_000
  c.train.steps_per_jit = 10
  c.train.log_every = 1000
  c.train.eval_every = 10_000
  c.train.checkpoint_every = 10_000
  c.train.ema_decay = 0.999
  c.eval.num_samples = 1000
  return c
