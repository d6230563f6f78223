"""ProGAN on sklearn's 8x8 digits, growing 4x4 -> 8x8 (WGAN-GP with drift, Adam 1e-3, b1 = 0, b2 = 0.99).

  python scripts/train.py --config=configs/progan_digits.py --workdir=runs/progan_digits
  python scripts/evaluate.py --workdir=runs/progan_digits

Result (measured, seeds 0, 1, 2 (--config.seed=S, one run each), 16,000 steps, 450 ± 3 CPU-seconds of training
each (7.5 CPU-minutes; 15-17 minutes wall on the loaded 2-core box); scripts/evaluate.py, then
scripts/seed_summary.py): fd 18.66 ± 0.92 (16.89 / 20.01 / 19.09), kid -3.2 ± 6.0, precision 0.818 ± 0.012,
recall 0.911 ± 0.018, 10 classes covered, class KL 0.012 ± 0.002: below sngan_digits' 28.97 ± 4.29.
Tried (seed 0, fd at the last step): 4,000 steps with stable = fade = 1,000 and EMA 0.99: 82.05 (118 CPU-s);
10,000 steps with stable = fade = 2,500 and EMA 0.999: 31.90 (278 CPU-s; 42.71 at step 8,000); 16,000 steps
(this config): 16.89. 64 channels instead of 32 ran ~4x slower per step and was stopped for lack of time.
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
