"""Shared settings of the flows on statically binarized 8x8 digits (the VAE table's data): uniform
dequantization of the 2 levels, logit pre-processing, batch 100, Adam 1e-3 with a cosine decay.

  python scripts/train.py --config=configs/flow_digits_base.py --workdir=runs/flow_digits --config.model.name=maf
"""

from configs import flow_base


def get_config():
  c = flow_base.get_config()
  c.data.name = "digits"
  c.data.scale = "0_1"
  c.data.binarize = "static"
  c.data.batch_size = 100
  c.objective.levels = 2
  c.model.transform = "affine"
  c.model.hidden = (256, 256)
  c.train.num_steps = 3000
  c.eval.batch_size = 500
  return c
