"""gen_jax's best grid25 GAN: a categorical + Gaussian latent with a learned offset per category,
small networks at two time-scale learning rates, and MH-GAN sampling on a fitted density ratio.

  python scripts/train.py --config=configs/best_grid25.py --workdir=runs/best_grid25
  python scripts/evaluate.py --workdir=runs/best_grid25
  python scripts/mode_benchmark.py --config=configs/best_grid25.py --seeds=10 --workdir=runs/bench_best_grid25

Recipe: the generator's input is [onehot(c), z], c uniform over K = 50 categories (twice the modes,
so that spare categories can share a mode), z ~ N(0, I_2); G(c, z) = MLP(c, z) + offset_c with one
learned output offset per category, initialised N(0, 2.5^2) over the square, so that no continuous map
has to bridge the grid's 25 separated blobs (gen_jax.gan.latents.categorical_latent,
gen_jax.gan.networks.Generator). G: 2 x 64 ReLU, no BatchNorm, Adam 1e-3; D: 3 x 128 maxout (5 pieces),
Adam 4e-3 (TTUR); non-saturating loss, batch 100, 12,000 steps, both rates cosine-decayed to 0, EMA
0.999 of the weights for sampling. Samples use z ~ N(0, 0.5^2 I) (eval.latent_scale, the truncation
trick: tighter blobs, every category still drawn as often). Categories settle on modes in whole
numbers (one, two or three per mode), so the generator alone is unbalanced; MH-GAN (Turner et al. 2019,
gen_jax.gan.metropolis: independence chains over 50 generator samples each, accepted with
min(1, exp(c(x') - c(x))), c the log-ratio classifier of discriminator rejection sampling trained for
4,000 steps with the generator frozen) reweights the modes.

Result: see the README's mode-collapse table (filled in from the 10-seed benchmark below).
"""

from configs import gan_grid25


def get_config():
  c = gan_grid25.get_config()
  c.model.latent = "categorical"
  c.model.num_categories = 50
  c.model.category_offset_scale = 2.5
  c.model.generator_hidden = (64, 64)
  c.model.generator_batch_norm = False
  c.model.discriminator_hidden = (128, 128, 128)
  c.optim.learning_rate = 1e-3
  c.optim.discriminator_learning_rate = 4e-3
  c.train.num_steps = 12000
  c.train.eval_every = 3000
  c.train.checkpoint_every = 4000
  c.eval.latent_scale = 0.5
  c.eval.rejection_steps = 4000  # the log-ratio classifier of DRS (the 'drs/' metrics) ...
  c.eval.mh_proposals = 50       # ... and MH-GAN chains over 50 generator samples each (the 'mh/' metrics)
  return c
