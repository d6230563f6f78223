"""Write a folder of N small JPEGs cut from real photographs, for `data.name='folder:PATH'` and the input benchmarks.

  python scripts/make_image_folder.py --out=/tmp/images --count=10000 [--size=64] [--seed=0]
      [--grey] [--corrupt=0] [--format=folder|arrayrecord]

The photographs are the two bundled with scikit-learn (`load_sample_images`:
china.jpg and flower.jpg, 427x640). Image k is a random square crop (side
uniform in [size, 256], position uniform) of photograph k mod 2, resized
bilinearly to size x size, flipped horizontally with probability 1/2, saved as
JPEG (quality 90) in OUT/china/ or OUT/flower/ (two classes) as k.jpg.
`--grey` saves grey-scale images; `--corrupt=K` adds K files named bad_k.jpg
holding random bytes (the pipeline must skip them). `--format=arrayrecord`
writes OUT/images.array_record instead (one JPEG per record, unlabeled, for
`data.name='arrayrecord:PATH'`). The same arguments always give the same files.
Prints one JSON line: the folder, the image count and the seconds taken.
"""

import io
import json
import os
import time

import numpy as np
from absl import flags
from PIL import Image

from gen_jax import cli

OUT = flags.DEFINE_string("out", None, "Folder to write (created; must not hold images already).")
COUNT = flags.DEFINE_integer("count", 1000, "Number of images.")
SIZE = flags.DEFINE_integer("size", 64, "Side of the square images in pixels.")
SEED = flags.DEFINE_integer("seed", 0, "Seed of the crops and flips.")
GREY = flags.DEFINE_bool("grey", False, "Save grey-scale images.")
CORRUPT = flags.DEFINE_integer("corrupt", 0, "Also write this many unreadable files (random bytes).")
FORMAT = flags.DEFINE_enum("format", "folder", ["folder", "arrayrecord"], "Class folders of JPEGs, or one "
                           "ArrayRecord file of JPEG records.")

CLASSES = ("china", "flower")
MAX_CROP = 256


def photographs() -> list[Image.Image]:
  import sklearn.datasets  # pylint: disable=import-outside-toplevel

  return [Image.fromarray(image) for image in sklearn.datasets.load_sample_images().images]


def jpeg_bytes(photos, k: int, size: int, rng: np.random.Generator, grey: bool) -> bytes:
  """Image k: a random square crop of photograph k mod 2, resized to size x size, maybe flipped, as JPEG."""
  photo = photos[k % len(photos)]
  side = int(rng.integers(size, min(MAX_CROP, *photo.size) + 1))
  left, top = int(rng.integers(0, photo.width - side + 1)), int(rng.integers(0, photo.height - side + 1))
  image = photo.crop((left, top, left + side, top + side)).resize((size, size), Image.BILINEAR)
  if rng.random() < 0.5:
    image = image.transpose(Image.FLIP_LEFT_RIGHT)
  if grey:
    image = image.convert("L")
  buffer = io.BytesIO()
  image.save(buffer, format="JPEG", quality=90)
  return buffer.getvalue()


def write_folder(out: str, count: int, size: int, seed: int, grey: bool, corrupt: int):
  photos, rng = photographs(), np.random.default_rng(seed)
  for name in CLASSES:
    os.makedirs(os.path.join(out, name), exist_ok=True)
  for k in range(count):
    with open(os.path.join(out, CLASSES[k % len(CLASSES)], f"{k}.jpg"), "wb") as f:
      f.write(jpeg_bytes(photos, k, size, rng, grey))
  for k in range(corrupt):
    with open(os.path.join(out, CLASSES[k % len(CLASSES)], f"bad_{k}.jpg"), "wb") as f:
      f.write(rng.bytes(100))


def write_array_record(out: str, count: int, size: int, seed: int, grey: bool):
  from array_record.python.array_record_module import ArrayRecordWriter  # pylint: disable=import-outside-toplevel

  photos, rng = photographs(), np.random.default_rng(seed)
  os.makedirs(out, exist_ok=True)
  writer = ArrayRecordWriter(os.path.join(out, "images.array_record"), "group_size:1")
  for k in range(count):
    writer.write(jpeg_bytes(photos, k, size, rng, grey))
  writer.close()


def main(argv):
  if len(argv) > 1:
    cli.fail(f"unexpected arguments: {' '.join(argv[1:])}")
  if not OUT.value:
    cli.fail("--out: expected the folder to write, got nothing")
  for flag in (COUNT, SIZE):
    if flag.value < 1:
      cli.fail(f"--{flag.name}: expected a positive int, got {flag.value}")
  start = time.time()
  if FORMAT.value == "folder":
    write_folder(OUT.value, COUNT.value, SIZE.value, SEED.value, GREY.value, CORRUPT.value)
  else:
    write_array_record(OUT.value, COUNT.value, SIZE.value, SEED.value, GREY.value)
  print(json.dumps({"out": OUT.value, "count": COUNT.value, "format": FORMAT.value,
                    "seconds": round(time.time() - start, 1)}))


if __name__ == "__main__":
  cli.run(main)
