"""StarGAN on tfds celeb_a (128x128 faces; hair colour black / blond / brown, male, young), for users with the
prepared dataset: the paper's CelebA setup on the GPU. Not run here (no GPU and no network access here):
no result of ours is claimed.

Prepare the data once, on a machine with internet (tensorflow is needed to prepare, not to read; celeb_a
downloads from Google Drive, which may need several tries):

  pip install tensorflow
  tfds build celeb_a --file_format=array_record --data_dir=DIR

then train and evaluate:

  python scripts/train.py --config=configs/stargan_celeba.py --workdir=runs/stargan_celeba \\
      --config.data.data_dir=DIR
  python scripts/evaluate.py --workdir=runs/stargan_celeba

Data ('celeb_a_attributes', gen_jax.data.tfds_source): the train split (162,770 aligned 218x178 faces)
centre-cropped to 178x178 and resized to 128x128 as in StarGAN's code, flipped at random, labelled by
the 5 attributes of data.attributes packed as bits (32 domains); held out: data.eval_examples images
spread over the test split (the paper holds out 2,000 random images). Smaller faces: set
--config.data.image_size=64 (and model.discriminator_layers=5).

As in the paper: generator c7s1-64, two stride-2 downsamplings, 6 residual blocks (instance norm),
two upsamplings, c7s1-3 with the 5 target attributes tiled as input channels; discriminator 6 stride-2
4x4 convolutions (64 ... 2048, LeakyReLU 0.01, no normalization) with the patch score and the
attribute classifier heads; WGAN-GP (lambda_gp 10), lambda_cls 1, lambda_rec 10, 5 critic updates
per generator update, Adam 1e-4 (b1 0.5, b2 0.999), batch 16, 200,000 critic iterations (40,000 steps
here; the paper decays the rate linearly over the second half, here a cosine decay over the run).
Targets are the attributes of another example of the batch (objective.target_domains 'batch'), as
StarGAN's code shuffles the batch's labels, so an edit never asks for two hair colours at once.

Published numbers (StarGAN, Choi et al. 2018, CelebA): no classifier score; CelebA is judged by an AMT
study in which workers pick the best of four methods (DIAT, CycleGAN, IcGAN, StarGAN; the paper's Table 1,
not reproducible here); its one classifier score is on RaFD expressions, not CelebA: 2.12 % classification
error. `scripts/evaluate.py` reports
gen_jax.eval.translation.flip_metrics: attribute_accuracy of single-attribute flips judged by
classifiers trained on data.eval_examples images (not the paper's metric).
"""

from configs import stargan_digits

STARGAN_ATTRIBUTES = ("Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young")


def get_config():
  c = stargan_digits.get_config()
  c.data.name = "celeb_a_attributes"
  c.data.attributes = STARGAN_ATTRIBUTES
  c.data.image_size = 128
  c.data.random_flip = True
  c.data.batch_size = 16
  c.data.eval_examples = 2000            # held-out edits, and the classifiers' training images
  c.model.features = 64
  c.model.num_blocks = 6
  c.model.num_downsampling = 2
  c.model.outer_kernel = 7               # c7s1, the paper's
  c.model.discriminator_features = 64
  c.model.discriminator_layers = 6       # 128 -> 2x2 patch scores
  c.model.discriminator_normalization = "none"
  c.objective.n_critic = 5
  c.objective.lambda_cls = 1.0
  c.objective.lambda_cls_real = 1.0
  c.objective.lambda_rec = 10.0
  c.objective.lambda_gp = 10.0
  c.objective.lambda_id = 0.0            # the paper's StarGAN (stargan_digits adds Fixed-Point GAN's identity term)
  c.objective.target_domains = "batch"
  c.optim.learning_rate = 1e-4
  c.optim.b2 = 0.999
  c.train.num_steps = 40_000             # x 5 critic updates = the paper's 200,000 iterations
  c.train.ema_decay = 0.0                # the paper evaluates the trained generator itself
  c.train.log_every = 1000
  c.train.eval_every = 10_000
  c.train.checkpoint_every = 5000
  return c
