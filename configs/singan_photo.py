"""SinGAN on one bundled photograph (scikit-learn's china.jpg at 32x48): a pyramid of 5 patch GANs.

python scripts/train.py --config=configs/singan_photo.py --workdir=/tmp/singan_photo
python scripts/evaluate.py --workdir=/tmp/singan_photo

Scales: 10x15, 14x20, 18x27, 24x36, 32x48 (r = 4/3, model.min_size 10); per scale 5-conv
generators and patch critics of 16 channels (the paper: 32; 11x11 receptive field, no batch norm),
trained one scale at a time for 600 steps of 3 critic + 3 generator Adam updates (lr 5e-4, betas
0.5 / 0.999; the paper: 2,000), WGAN-GP (lambda 0.1) + 10 x the reconstruction MSE, as the paper;
a batch of 2 noise draws per update. Narrower and shorter than the paper to fit 15 CPU-minutes.
Pictures: DIR/samples/singan_*.png.

Result (seeds 0, 1, 2, --config.seed=S, each trained on one core: 758-797 s of training CPU (user + sys);
scripts/evaluate.py, 50 samples per size, then scripts/seed_summary.py): sifid 0.0226 +- 0.0016, diversity
0.192 +- 0.006 at 32x48; sifid_2x 0.060 +- 0.014, diversity_2x 0.193 +- 0.003 at 32x96. An earlier seed-0 run
with both cores (690 s; the README's pictures): sifid 0.0134, sifid_2x 0.0584. The samples at the training
size stay close to the photograph; the 2x-wide ones keep one pagoda at the left and fill the new width with
smooth water and hills, blurrier than the source, with no repeated tiles.
"""

from configs import default


def get_config():
  c = default.get_config()
  c.data.name = "photo"
  c.data.photo = "sklearn:china"        # one of gen_jax.data.photos.PHOTOS
  c.data.image_size = 48                # the photograph's longer side in pixels (0 = 48)
  c.data.num_examples = 16              # copies of the image in the training split (batches of noise draws)
  c.data.batch_size = 2

  c.model.name = "singan"
  c.model.width = 16                    # channels of every scale's hidden convolutions
  c.model.depth = 5                     # convolutions per network (5: an 11x11 receptive field)
  c.model.min_size = 10                 # the coarsest scale's shorter side is at least this
  c.model.scale_factor = 4 / 3          # r: size ratio of neighbouring scales
  c.model.steps_per_scale = 600         # global steps per scale (the last scale trains to train.num_steps)

  c.objective.critic_steps = 3          # critic updates per step
  c.objective.generator_steps = 3       # generator updates per step
  c.objective.gradient_penalty = 0.1    # WGAN-GP lambda (the paper's code: 0.1)
  c.objective.reconstruction_weight = 10.0  # alpha
  c.objective.noise_base = 0.1          # sigma_k = noise_base * RMSE(up(x~_{k-1}), x_k)

  c.optim.learning_rate = 5e-4          # both networks
  c.optim.discriminator_learning_rate = 0.0  # 0 = optim.learning_rate
  c.optim.b1 = 0.5
  c.optim.b2 = 0.999
  c.optim.schedule = "constant"

  c.train.num_steps = 3000              # 5 scales x model.steps_per_scale
  c.train.log_every = 100
  c.train.checkpoint_every = 600
  c.train.eval_every = 600

  c.eval.num_samples = 50               # samples for sifid and diversity (each size)
  c.eval.inject_scale = 2               # harmonisation: the pasted image enters at this scale (0 = coarsest)
  c.eval.paste_photo = "sklearn:flower"  # what is pasted into the training image for the harmonisation picture
  c.eval.aspect_scale = (1.5, 0.75)     # (height, width) factors of the other-aspect-ratio samples
  return c
