"""AttGAN on tfds celeb_a (128x128 faces, the paper's 13 attributes), for users with the prepared dataset:
the paper's CelebA setup on the GPU. Not run here (no GPU and no network access here): no result of ours
is claimed.

Prepare celeb_a once as configs/stargan_celeba.py says (tfds build celeb_a --file_format=array_record
--data_dir=DIR, on a machine with internet and tensorflow), then:

  python scripts/train.py --config=configs/attgan_celeba.py --workdir=runs/attgan_celeba --config.data.data_dir=DIR
  python scripts/evaluate.py --workdir=runs/attgan_celeba

Data as configs/stargan_celeba.py ('celeb_a_attributes', 178x178 centre crop resized to 128, random
flips) with AttGAN's 13 attributes in data.attributes. As in the paper: encoder of 5 stride-2 4x4
convolutions (64 ... 1024) and a mirrored decoder with the attributes injected, one shortcut;
discriminator / attribute classifier of 5 stride-2 convolutions (instance norm, LeakyReLU 0.2);
WGAN-GP, reconstruction lambda_1 = 100, generator attribute term lambda_2 = 10, classifier term
lambda_3 = 1, 5 critic updates per generator update, Adam 2e-4 (b1 0.5), batch 32; targets are the
attributes of another example of the batch (as the authors' code shuffles the batch's labels). Length:
60,000 steps (300,000 critic updates, about 60 epochs of the train split at batch 32), with a cosine
decay.

Published numbers (AttGAN, He et al., IEEE TIP 2019): per-attribute editing accuracy judged by an
attribute classifier, given in a figure rather than a table; no number is quoted here (the search
tool found no copy of it). `scripts/evaluate.py` reports gen_jax.eval.translation.flip_metrics:
attribute_accuracy of single-attribute flips (per attribute too), judged by classifiers trained on
data.eval_examples images.
"""

from configs import attgan_digits, stargan_celeba

ATTGAN_ATTRIBUTES = ("Bald", "Bangs", "Black_Hair", "Blond_Hair", "Brown_Hair", "Bushy_Eyebrows", "Eyeglasses",
                     "Male", "Mouth_Slightly_Open", "Mustache", "No_Beard", "Pale_Skin", "Young")


def get_config():
  c = stargan_celeba.get_config()
  attgan = attgan_digits.get_config()
  c.model.name = "attgan"
  c.model.num_layers = 5                 # encoder 128 -> 4, decoder back
  c.model.discriminator_layers = 5
  c.model.discriminator_normalization = "instance"
  c.data.attributes = ATTGAN_ATTRIBUTES
  c.data.batch_size = 32
  for field in ("lambda_cls", "lambda_cls_real", "lambda_rec"):
    c.objective[field] = attgan.objective[field]  # 10, 1, 100: the paper's lambda_2, lambda_3, lambda_1
  c.optim.learning_rate = 2e-4
  c.train.num_steps = 60_000
  return c
