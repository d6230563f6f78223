"""The default demo: a PacGAN-2 on ring8 (8 Gaussians, std 0.01), about 40 s of CPU time on a 2-core machine.

Run: `python scripts/train.py` (no flags) -> runs/demo, then
`python scripts/evaluate.py --workdir=runs/demo` for the mode-collapse metrics
and look at runs/demo/samples/strip.png (generated vs real across training).

Measured here (3,000 steps; training and evaluation of seed 0 took 41 s of CPU time by
scripts/reproduce.py, 184 s of wall time on a machine loaded by other jobs; Adam 3e-4 with the family's
cosine decay): seeds 0 / 1 / 2: 8 / 8 / 8 modes, 54.7 / 10.8 / 42.4 % high quality,
reverse KL 0.028 / 0.21 / 0.086. Over seeds 0-9 (python scripts/mode_benchmark.py --config=configs/demo.py
--seeds=10; 35 +- 0.6 CPU-s of training each): 8.0 +- 0.0 modes, 44.2 +- 5.4 % high quality (10.8-69.0),
reverse KL 0.137 +- 0.030. configs/pacgan2_ring8.py trains 4x longer for 91.7 % (10 seeds).

Reproduce (scripts/reproduce.py, seed 0): modes 8, high_quality 54.7, reverse_kl 0.028
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
