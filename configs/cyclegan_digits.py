"""CycleGAN on 8x8 digits: handwritten (sklearn digits) <-> printed (Pillow's font), unpaired.

  python scripts/train.py --config=configs/cyclegan_digits.py --workdir=runs/cyclegan_digits
  python scripts/evaluate.py --workdir=runs/cyclegan_digits

Result: see the README section "Unpaired and multi-domain translation".
"""

from configs import default


def get_config():
  c = default.get_config()
  c.data.name = "digits_unpaired"
  c.data.batch_size = 32
  c.model.name = "cyclegan"
  c.model.features = 16                  # ResNet generators: c7s1-16, d32, R32 x num_blocks, u16, c7s1-1
  c.model.num_blocks = 3                 # 6 / 9 in the paper at 128 / 256 pixels
  c.model.num_downsampling = 1           # 8x8 -> 4x4 (2 in the paper)
  c.model.discriminator_features = 16    # PatchGAN with instance norm
  c.model.discriminator_layers = 1       # 16x16 receptive field: the whole 8x8 image (3: 70x70 in the paper)
  c.objective.lambda_cyc = 10.0
  c.objective.lambda_id = 5.0            # 0.5 lambda_cyc, as in the paper
  c.objective.pool_size = 50             # history pool of generated images per discriminator
  c.optim.learning_rate = 2e-4
  c.optim.discriminator_learning_rate = 0.0
  c.optim.b1 = 0.5
  c.optim.schedule = "cosine"
  c.train.num_steps = 3000
  c.train.steps_per_jit = 1              # XLA:CPU runs conv gradients much slower inside lax.scan
  c.train.log_every = 500
  c.train.eval_every = 1000
  c.train.checkpoint_every = 1000
  return c
