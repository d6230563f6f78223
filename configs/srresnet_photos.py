"""SRResNet (MSE) x4 super-resolution of photo patches: 8x8 -> 32x32 (photos_sr), the SRGAN initialisation.

python scripts/train.py --config=configs/srresnet_photos.py --workdir=/tmp/srresnet_photos
python scripts/evaluate.py --workdir=/tmp/srresnet_photos

Model 'srgan' with objective.adversarial_weight = 0: the SRResNet generator (48 channels, 4
residual blocks, two x2 sub-pixel stages, plus the bicubic upsampling of the input: model.bicubic_skip)
trained on the pixel MSE alone, no discriminator; configs/srgan_photos.py starts from it. It trains on
the dihedral copies (data.dihedral) of the patches of 12 bundled photographs (data.train_photos: the
default four, scikit-image's stereo_motorcycle and immunohistochemistry, and six grayscale ones).

Measured (seeds 0, 1, 2, `--config.seed=S`; 12,000 steps of batch 16, 808-849 s of CPU each on one core):
on the held-out photographs psnr_whole 30.69 ± 0.03 dB against bicubic 29.64 (+1.05 dB, the whole
photographs upsampled at once: the issue's +1 dB met), psnr 30.43 ± 0.00 against 29.45 (+0.97 dB on the
8x8 test patches); ssim 0.885 ± 0.000 (bicubic 0.866), sharpness 0.0138 ± 0.0000 (HR 0.0258, bicubic
0.0109), fd 89.3 ± 1.2 (bicubic 131.3). `python scripts/seed_summary.py DIR_S0 DIR_S1 DIR_S2` prints the
means. The previous config (four photographs, width 32, 6,000 steps): psnr 30.17 ± 0.02, psnr_whole 30.48 ± 0.02.
"""

from configs import paired_base

TRAIN_PHOTOS = ("sklearn:china", "skimage:astronaut", "skimage:coffee", "skimage:rocket",      # the default four
                "skimage:stereo_motorcycle", "skimage:immunohistochemistry", "skimage:camera", "skimage:brick",
                "skimage:grass", "skimage:gravel", "skimage:moon", "skimage:coins")       # + 2 colour, 6 grayscale


def get_config():
  c = paired_base.get_config()
  c.data.dihedral = True                 # + the 7 rotations/reflections of each training pair (EDSR's augmentation)
  c.data.train_photos = ",".join(TRAIN_PHOTOS)
  c.model.features = 48
  c.model.bicubic_skip = True
  c.objective.adversarial_weight = 0.0
  c.optim.schedule = "cosine"
  c.optim.final_lr_fraction = 0.1
  c.train.num_steps = 12_000
  c.train.steps_per_jit = 1              # XLA:CPU runs conv gradients many times slower inside lax.scan
  return c
