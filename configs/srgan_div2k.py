"""SRGAN x4 on DIV2K patches (div2k_sr: 32x32 HR patches of tfds 'div2k''s HR images, LR by bicubic x4), for
users with the prepared dataset (tensorflow-datasets downloads it; nothing here does).

python scripts/train.py --config=configs/srgan_div2k.py --workdir=/tmp/srgan_div2k --config.data.data_dir=DIR

Same networks and schedule as configs/srgan_photos.py on 100,000 training patches (data.num_examples)
and the validation split's patches as the test set. Not measured here (no network access).
"""

from configs import srgan_photos


def get_config():
  c = srgan_photos.get_config()
  c.data.name = "div2k_sr"
  c.data.num_examples = 100_000
  return c
