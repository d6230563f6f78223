"""The GAN family's fields on top of configs/default.py; every GAN experiment file starts here.

Not an experiment by itself: the defaults are the 2-D benchmark's networks
(generator 4 x 400 ReLU + BatchNorm, z ~ N(0, I_2); discriminator 3 x 200
maxout with 5 pieces) with the non-saturating loss on ring8; images use the
DCGAN networks, by default without BatchNorm in the discriminator.
"""

from configs import default


def get_config():
  c = default.get_config()
  c.model.name = "gan"                     # 'gan', 'cgan', 'infogan', 'aae'
  c.model.latent_dim = 2                   # z ~ N(0, I); the AAE's code size
  c.model.latent = "gaussian"              # 'gan', 'cgan': 'gaussian' (z) or 'categorical' ([onehot(c), z])
  c.model.generator_hidden = (400, 400, 400, 400)  # 2-D generator / decoder (and AAE encoder) widths
  c.model.generator_batch_norm = True
  c.model.discriminator_hidden = (200, 200, 200)  # 2-D (and AAE latent) discriminator widths
  c.model.discriminator_act = "maxout"     # 2-D discriminator units: 'maxout' or 'leaky_relu' (0.2)
  c.model.maxout_pieces = 5
  c.model.architecture = "dcgan"           # image networks: 'dcgan', 'resnet' (SN-GAN) or 'biggan' (cgan only)
  c.model.embed_dim = 32                   # 'biggan': width of the class embedding shared by the blocks
  c.model.features = 32                    # DCGAN base width (images); ResNet: 4x in G's blocks, 2x in D's
  c.model.generator_refine = False         # DCGAN: one more f-channel layer + 3x3 conv at full size
  c.model.discriminator_batch_norm = False  # BatchNorm in the DCGAN discriminator (not with GP or R1)
  c.model.spectral_norm = False            # spectral normalization of every discriminator layer
  c.model.category_offset_scale = 0.0      # model.latent='categorical': > 0 adds a learned offset per category
  c.model.category_offset_init = "normal"  # ... initialised N(0, scale^2), or 'data': the first batch's points
  c.model.num_categories = 10              # InfoGAN categorical code; model.latent='categorical': K
  c.model.num_continuous = 2               # InfoGAN continuous codes ~ U(-1, 1)

  c.objective.loss = "non_saturating"      # see gen_jax.gan.losses.LOSSES
  c.objective.gradient_penalty = 0.0       # WGAN-GP lambda
  c.objective.r1 = 0.0                     # R1 gamma (penalty gamma / 2 * ||grad D(x)||^2)
  c.objective.clip = 0.0                   # WGAN weight clipping bound (0 = off)
  c.objective.n_critic = 1                 # discriminator updates per generator update
  c.objective.pack = 1                     # PacGAN pack size m
  c.objective.orthogonal = 0.0             # BigGAN's orthogonal regularization of G (beta; the paper: 1e-4)
  c.objective.diff_augment = ""            # images: DiffAugment policy, e.g. 'color,translation,cutout'
  c.objective.info_weight = 1.0            # InfoGAN lambda
  c.objective.adversarial_weight = 1.0     # AAE: weight of the encoder's adversarial loss

  c.optim.learning_rate = 3e-4             # generator (AAE: encoder and decoder)
  c.optim.discriminator_learning_rate = 0.0  # 0 = optim.learning_rate; differ for TTUR
  c.optim.b1 = 0.5
  c.optim.b2 = 0.999
  c.optim.schedule = "cosine"              # both rates decay to 0 at train.num_steps (sharper modes)

  c.eval.rejection_steps = 0              # > 0: also evaluate discriminator rejection sampling ('drs/' metrics)
  c.eval.rejection_pool = 50000          # data and generator samples for its log-ratio classifier
  c.eval.rejection_quantile = 0.99       # log M = this quantile of the generator samples' log ratios
  c.eval.rejection_learning_rate = 3e-3  # the classifier's Adam rate (cosine-decayed to 0)
  c.eval.rejection_batch_size = 256      # data (and as many generator) samples per classifier step
  c.eval.latent_scale = 1.0              # model.latent='categorical': samples use z ~ N(0, scale^2 I) (truncation)
  c.eval.mh_proposals = 0                # > 0 (with rejection_steps): also MH-GAN, chains over this many samples ('mh/')

  c.data.batch_size = 100
  c.data.fresh_samples = True
  c.train.num_steps = 3000
  c.train.steps_per_jit = 100
  c.train.log_every = 500
  c.train.eval_every = 1000
  c.train.checkpoint_every = 2000
  c.train.ema_decay = 0.999                # samples use the EMA weights
  return c
