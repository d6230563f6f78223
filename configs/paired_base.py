"""The paired image-to-image family's fields (models 'srgan', 'pix2pix') on top of configs/default.py.

Not an experiment by itself: a narrow SRResNet (32 channels, 4 residual blocks) for x4
super-resolution of 8x8 -> 32x32 photo patches (photos_sr) with a 2-layer PatchGAN
discriminator (34x34 receptive field: the whole patch); experiment files set the model and objective.
"""

from configs import default


def get_config():
  c = default.get_config()
  c.data.name = "photos_sr"
  c.data.image_size = 32                 # HR patch side (0 = 32)
  c.data.patch_stride = 16               # training patches' grid stride (0 = half a patch)
  c.data.sr_factor = 4                   # photos_sr / div2k_sr: bicubic downsampling factor of the inputs
  c.data.dihedral = False                # photos_sr/photos_color: + the 7 rotations/reflections of each training pair
  c.data.train_photos = ""               # photos_sr/photos_color: comma-separated training photographs ("" = the four)
  c.data.batch_size = 16

  c.model.name = "srgan"                 # 'srgan' (also ESRGAN, SRResNet-MSE) or 'pix2pix'
  c.model.generator = "srresnet"         # srgan: 'srresnet' (residual blocks, BN, PReLU) or 'rrdb' (ESRGAN); pix2pix: 'unet'
  c.model.features = 32                  # generator width (SRResNet trunk channels; the U-Net's first level)
  c.model.num_blocks = 4                 # residual blocks or RRDBs
  c.model.growth = 16                    # RRDB dense-block growth channels
  c.model.bicubic_skip = False          # srgan: add the bicubic upsampling of the input to the output (VDSR's residual)
  c.model.pretrained_workdir = ""        # a run directory: start the generator from its latest checkpoint ('' = none)
  c.model.unet_depth = 0                 # pix2pix: U-Net levels (0 = log2(image size): a 1x1 bottleneck)
  c.model.discriminator_features = 32    # PatchGAN first-layer channels
  c.model.discriminator_layers = 2       # PatchGAN stride-2 layers (2: 34x34 receptive field)
  c.model.discriminator_norm = "batch"   # PatchGAN normalization: 'batch', 'instance' or 'none'

  c.objective.relativistic = False       # srgan: True = ESRGAN's relativistic average GAN with the L1 content term
  c.objective.content_weight = 1.0       # SRGAN MSE weight; ESRGAN eta (1e-2); pix2pix lambda (100)
  c.objective.adversarial_weight = 1e-3  # SRGAN 1e-3, ESRGAN 5e-3, pix2pix 1; 0 = SRResNet-MSE (no discriminator)
  c.objective.pretrain_steps = 0         # content-only generator steps before the adversarial phase

  c.optim.learning_rate = 1e-3           # generator
  c.optim.discriminator_learning_rate = 0.0  # 0 = optim.learning_rate
  c.optim.b1 = 0.9
  c.optim.schedule = "constant"

  c.train.num_steps = 2000
  c.train.steps_per_jit = 50
  c.train.log_every = 250
  c.train.eval_every = 1000
  c.train.checkpoint_every = 1000
  c.eval.image_batch_size = 200
  return c
