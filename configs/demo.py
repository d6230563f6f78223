"""The default demo: a PacGAN-2 on ring8 (8 Gaussians, std 0.01), about a minute on a laptop CPU.

Run: `python scripts/train.py` (no flags) -> runs/demo, then
`python scripts/evaluate.py --workdir=runs/demo` for the mode-collapse metrics
and look at runs/demo/samples/strip.png (generated vs real across training).
"""

from configs import gan_base


def get_config():
  c = gan_base.get_config()
  c.data.name = "ring8"
  c.objective.pack = 2
  c.train.num_steps = 3000
  c.train.steps_per_jit = 100
  c.train.log_every = 500
  c.train.eval_every = 500
  c.train.checkpoint_every = 1000
  c.train.ema_decay = 0.999
  return c
