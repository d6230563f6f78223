"""ProGAN on sklearn's 8x8 digits, growing 4x4 -> 8x8 (WGAN-GP with drift, Adam 1e-3, b1 = 0, b2 = 0.99).

  python scripts/train.py --config=configs/progan_digits.py --workdir=runs/progan_digits
  python scripts/evaluate.py --workdir=runs/progan_digits

Result: (to be measured)
"""

from configs import progan_base


def get_config():
  c = progan_base.get_config()
  c.data.name = "digits"
  c.data.image_size = 0            # native 8x8: stages 4x4 and 8x8
  c.data.scale = "-1_1"
  c.data.batch_size = 64
  c.model.features = 32
  c.model.stable_steps = 2500
  c.model.fade_steps = 2500
  c.train.num_steps = 16_000       # 4x4 for 2,500 steps, the fade over 2,500, 8x8 alone for the last 11,000
  c.train.ema_decay = 0.999
  c.train.log_every = 500
  c.train.eval_every = 2500        # pictures at the end of 4x4, when 8x8 has faded in, ...
  c.train.checkpoint_every = 2000
  c.eval.num_samples = 1000
  return c
