"""FFJORD (a continuous normalizing flow) on ring8: the field f(y, t) is an MLP 64-64-64 (softplus, time
fed to every layer) integrated over T = 1 by diffrax's adaptive Dopri5 (rtol = atol = 1e-4, at most
32 steps) with the exact 2-D trace; Adam 1e-3 with a cosine decay over 1,000 steps of batch 256.

  python scripts/train.py --config=configs/cnf_ring8.py --workdir=runs/cnf_ring8
  python scripts/evaluate.py --workdir=runs/cnf_ring8

Result: not measured yet.
"""

from configs import flow_base


def get_config():
  c = flow_base.get_config()
  c.data.name = "ring8"
  c.model.name = "cnf"
  c.model.hidden = (64, 64, 64)
  c.model.end_time = 1.0
  c.model.rtol = 1e-4
  c.model.atol = 1e-4
  c.model.max_steps = 32
  c.model.trace = "exact"          # training trace: 'exact' or 'hutchinson' (evaluation is always exact)
  c.train.num_steps = 1000
  c.train.log_every = 100
  c.train.eval_every = 1000
  c.train.checkpoint_every = 1000
  return c
