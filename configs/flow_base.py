"""Shared defaults of the flow family (gen_jax.flows.models): 2-D points unless a config says otherwise.

  python scripts/train.py --config=configs/flow_base.py --workdir=runs/flow_base --config.model.name=maf
"""

from configs import default


def get_config():
  c = default.get_config()
  c.data.name = "ring8"
  c.data.batch_size = 256
  c.model.name = "maf"
  c.model.num_layers = 4           # vector flows: coupling / MAF layers (glow: steps)
  c.model.hidden = (64, 64)        # conditioner / MADE widths
  c.model.transform = "spline"     # 'affine', 'affine_softplus' or 'spline' (rational-quadratic); 'nice': additive
  c.model.init_scheme = "identity" # vector flows' conditioners: 'identity' (zero output layer) or 'uniform'
  c.model.num_bins = 8             # spline bins K
  c.model.bound = 4.0              # spline interval [-B, B]
  c.model.num_scales = 2           # images, 'realnvp' / 'glow': multi-scale levels
  c.model.steps_per_scale = 3      # images: couplings (realnvp) or Glow steps per level
  c.model.channels = 32            # images: conditioner conv channels
  c.objective.levels = 0           # images: discrete values per pixel (dequantization); 0 for points
  c.objective.logit_alpha = 0.05   # images: RealNVP's logit pre-processing
  c.objective.dequantization = "uniform"  # images: 'uniform' or 'variational' (Flow++'s learned q(u | x))
  c.model.dequantizer_hidden = (64, 64)   # images, variational dequantization: its MLP widths
  c.optim.learning_rate = 1e-3
  c.optim.schedule = "cosine"
  c.train.num_steps = 3000
  c.train.log_every = 500
  c.train.eval_every = 3000
  c.train.checkpoint_every = 3000
  c.eval.batch_size = 1000
  c.eval.kl_samples = 10_000       # fresh draws for kl_to_truth on ring8 / grid25
  return c
