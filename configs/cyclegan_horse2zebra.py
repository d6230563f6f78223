"""CycleGAN on tfds cycle_gan/horse2zebra (horses <-> zebras, unpaired, 256x256), for users with the prepared
dataset: the paper's networks and losses on the GPU. Not run here (no GPU and no network access here): no
result of ours is claimed.

Prepare the data once, on a machine with internet (tensorflow is needed to prepare, not to read):

  pip install tensorflow
  tfds build cycle_gan/horse2zebra --file_format=array_record --data_dir=DIR

then train and evaluate:

  python scripts/train.py --config=configs/cyclegan_horse2zebra.py --workdir=runs/cyclegan_horse2zebra \\
      --config.data.data_dir=DIR
  python scripts/evaluate.py --workdir=runs/cyclegan_horse2zebra

Data ('tfds_unpaired:cycle_gan/horse2zebra', gen_jax.data.tfds_source): domain A the horses of trainA
(1,067 images), B the zebras of trainB (1,334); each training pair joins an A and a B image drawn by two
independent seeded orders redrawn every epoch; held out: testA (120) and testB (140), the first 120 of
each evenly spaced. Images are resized to 256x256 and flipped at random (the paper also jitters by a
random 256 crop of a 286 resize, not done here). As in the paper: ResNet generators with 9 blocks and 2
downsamplings (c7s1-64, d128, d256, R256 x 9, u128, u64, c7s1-3), 70x70 PatchGANs (3 stride-2 layers,
64 features, instance norm), least-squares GAN loss, lambda_cyc = 10, identity weight 0.5 lambda_cyc,
50-image history pools, Adam 2e-4 (b1 0.5), batch 1, 200 epochs of the larger domain (266,800 steps);
the paper keeps the rate for 100 epochs and decays it linearly to 0 over the next 100, here a cosine
decay to 0 over the run.

Published numbers: the CycleGAN paper gives no horse2zebra metric (its quantitative tables are
Cityscapes and maps<->photos); MMEditing's evaluation of the authors' horse2zebra model reports FID
62.1 (horse -> zebra) and 138.6 (zebra -> horse). `scripts/evaluate.py` reports gen_jax.eval.translation's
domain_accuracy, cycle_error and fd (in a domain classifier's features, not Inception's; not comparable).
"""

from configs import cyclegan_digits


def get_config():
  c = cyclegan_digits.get_config()
  c.data.name = "tfds_unpaired:cycle_gan/horse2zebra"
  c.data.split, c.data.test_split = "trainA", "testA"
  c.data.split_b, c.data.test_split_b = "trainB", "testB"
  c.data.image_size = 256
  c.data.random_flip = True
  c.data.batch_size = 1
  c.data.eval_examples = 1000            # per domain: the training reference the domain classifier learns from
  c.model.features = 64
  c.model.num_blocks = 9
  c.model.num_downsampling = 2
  c.model.discriminator_features = 64
  c.model.discriminator_layers = 3       # 70x70 receptive field
  c.objective.lambda_cyc = 10.0
  c.objective.lambda_id = 5.0
  c.objective.pool_size = 50
  c.optim.learning_rate = 2e-4
  c.train.num_steps = 266_800            # 200 epochs of trainB's 1,334 images at batch 1
  c.train.ema_decay = 0.0                # the paper evaluates the trained generators themselves
  c.train.log_every = 1000
  c.train.eval_every = 26_680
  c.train.checkpoint_every = 13_340
  return c
