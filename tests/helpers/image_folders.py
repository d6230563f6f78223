"""Tiny image folders for the data and engine tests: random PNG pixels, class subfolders, deterministic."""

import os

import numpy as np
from PIL import Image


def write_folder(root, count: int = 12, size=(6, 6), classes=("a", "b"), mode: str = "L", seed: int = 0,
                 corrupt: int = 0) -> str:
  """Write `count` PNGs of `size` (H, W) into root/<class>/k.png (round robin; root/k.png if no classes).

  `corrupt` extra files root/<class>/bad_k.png hold bytes no decoder reads. Returns str(root).
  """
  rng = np.random.default_rng(seed)
  folders = [os.path.join(root, c) for c in classes] or [str(root)]
  for folder in folders:
    os.makedirs(folder, exist_ok=True)
  channels = {"L": (), "RGB": (3,)}[mode]
  for k in range(count):
    pixels = rng.integers(0, 256, (*size, *channels), dtype=np.uint8)
    Image.fromarray(pixels).save(os.path.join(folders[k % len(folders)], f"{k}.png"))
  for k in range(corrupt):
    with open(os.path.join(folders[k % len(folders)], f"bad_{k}.png"), "wb") as f:
      f.write(b"\x89PNG\r\n\x1a\n" + rng.bytes(40))
  return str(root)
