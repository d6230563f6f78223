"""SRResNet (MSE) x4 super-resolution of photo patches: 8x8 -> 32x32 (photos_sr), the SRGAN initialisation.

python scripts/train.py --config=configs/srresnet_photos.py --workdir=/tmp/srresnet_photos
python scripts/evaluate.py --workdir=/tmp/srresnet_photos

Model 'srgan' with objective.adversarial_weight = 0: the SRResNet generator (32 channels, 4
residual blocks, two x2 sub-pixel stages, plus the bicubic upsampling of the input: model.bicubic_skip)
trained on the pixel MSE alone, no discriminator; configs/srgan_photos.py starts from it.

Measured (seeds 0, 1, 2, `--config.seed=S`; 6,000 steps of batch 16 on the dihedral copies of the
training patches, data.dihedral; 351-362 s of CPU each on one core): on the held-out photographs psnr
30.17 ± 0.02 dB against bicubic 29.45 (+0.72 dB), psnr_whole 30.48 ± 0.02 against 29.64 (+0.84 dB; the
whole photographs upsampled at once), both short of the +1 dB target; ssim 0.881 ± 0.000 (bicubic 0.866),
sharpness 0.0136 ± 0.0000 (HR 0.0258, bicubic 0.0109), fd 100.6 ± 2.0 (bicubic 131.3).
`python scripts/seed_summary.py DIR_S0 DIR_S1 DIR_S2` prints the means. Without data.dihedral: psnr
29.84 ± 0.04 (+0.39 dB).
"""

from configs import paired_base
from gen_jax.data import photos


def get_config():
  c = paired_base.get_config()
  c.data.dihedral = True                 # + the 7 rotations/reflections of each training pair (EDSR's augmentation)
  c.data.train_photos = ",".join(photos.TRAIN_PHOTOS + photos.EXTRA_PHOTOS)  # 4 + 8 bundled photographs
  c.model.features = 48
  c.model.bicubic_skip = True
  c.objective.adversarial_weight = 0.0
  c.optim.schedule = "cosine"
  c.optim.final_lr_fraction = 0.1
  c.train.num_steps = 12_000
  c.train.steps_per_jit = 1              # XLA:CPU runs conv gradients many times slower inside lax.scan
  return c
