"""InfoGAN on 8x8 digits: a 10-way categorical and 2 continuous codes, recovered by a head
Q(c | x) on the discriminator's features; the picture sweeps the codes (rows: category,
columns: the first continuous code from -1 to 1).

  python scripts/train.py --config=configs/infogan_digits.py --workdir=runs/infogan_digits
  python scripts/evaluate.py --workdir=runs/infogan_digits

Result (measured, seeds 0, 1, 2 (--config.seed=S, one run each), 40,000 steps as dcgan_digits, 147-181
CPU-seconds of training each; scripts/evaluate.py, then scripts/seed_summary.py): fd 48.4 ± 4.1 (44.3 / 44.3 /
56.6), kid 25.1 ± 4.4, precision 0.76 ± 0.02, recall 0.55 ± 0.04, 10 classes covered, class KL 0.053 ± 0.017. The
categorical code changes the digit's shape from row to row and the continuous code its slant/width along the
row. At 1,000 steps (the old setting) fd was 208.
"""

from configs import dcgan_digits


def get_config():
  c = dcgan_digits.get_config()
  c.model.name = "infogan"
  c.model.latent_dim = 16
  c.model.num_categories = 10
  c.model.num_continuous = 2
  c.objective.info_weight = 1.0
  return c
