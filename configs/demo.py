"""The default demo: a PacGAN-2 on ring8 (8 Gaussians, std 0.01), about a minute on a 2-core CPU.

Run: `python scripts/train.py` (no flags) -> runs/demo, then
`python scripts/evaluate.py --workdir=runs/demo` for the mode-collapse metrics
and look at runs/demo/samples/strip.png (generated vs real across training).

Measured here (3,000 steps, 52 s wall for train + evaluate): seed 0: 8/8 modes,
62.2 % high quality, reverse KL 0.055; seed 1: 6 modes, 9.9 %, 0.54; seed 2:
8 modes, 49.9 %, 0.16. (At the family's default lr 1e-4, seed 0 reached 5 modes, 12.8 %.)
"""

from configs import gan_base


def get_config():
  c = gan_base.get_config()
  c.data.name = "ring8"
  c.objective.pack = 2
  c.optim.learning_rate = 3e-4      # generator and discriminator
  c.train.num_steps = 3000
  c.train.steps_per_jit = 100
  c.train.log_every = 500
  c.train.eval_every = 500
  c.train.checkpoint_every = 1000
  c.train.ema_decay = 0.999
  return c
