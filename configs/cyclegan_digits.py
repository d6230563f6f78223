"""CycleGAN on 8x8 digits: handwritten (sklearn digits) <-> printed (Pillow's font), unpaired.

  python scripts/train.py --config=configs/cyclegan_digits.py --workdir=runs/cyclegan_digits
  python scripts/evaluate.py --workdir=runs/cyclegan_digits

Result: see the README section "Unpaired and multi-domain translation".
"""

from configs import translation_base


def get_config():
  c = translation_base.get_config()
  c.data.name = "digits_unpaired"
  c.model.name = "cyclegan"
  c.model.features = 16                  # ResNet generators: c7s1-16, R16 x num_blocks, c7s1-1
  c.model.num_blocks = 2                 # 6 / 9 in the paper at 128 / 256 pixels
  c.model.num_downsampling = 0           # blocks at 8x8 (2 downsamplings in the paper)
  c.model.discriminator_features = 32    # PatchGAN with instance norm
  c.model.discriminator_layers = 1       # 16x16 receptive field: the whole 8x8 image (3: 70x70 in the paper)
  c.objective.lambda_cyc = 10.0
  c.objective.lambda_id = 5.0            # 0.5 lambda_cyc, as in the paper
  c.objective.pool_size = 50             # history pool of generated images per discriminator
  c.optim.learning_rate = 5e-4
  c.train.num_steps = 4000
  c.train.ema_decay = 0.999              # pictures and metrics use the EMA generators
  return c
