"""Per-example image processing of the streamed pipeline, run in grain's worker processes: uint8 in, uint8 out.

decode (PNG/JPEG bytes or a file -> [H, W, C] uint8, C = 1 or 3) -> centre
crop to the central square and bilinear resize to S x S (PIL, antialiased when
shrinking; skipped when the image is already S x S) -> optional horizontal flip.
Only numpy and PIL: cheap to import in every worker.
"""

import io

import numpy as np
from PIL import Image

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
# PIL mode of each channel count the pipeline produces.
MODES = {1: "L", 3: "RGB"}


def open_image(data, load: bool = True) -> Image.Image:
  """A PIL image of a path or of encoded bytes; `load`: fully decoded (so a truncated file fails here)."""
  image = Image.open(io.BytesIO(data) if isinstance(data, bytes) else data)
  if load:
    image.load()
  return image


def channels_of(image: Image.Image) -> int:
  """1 for grey-scale modes ('L', 'I', '1', 'LA', ...), 3 otherwise (colour, palette)."""
  return 1 if image.mode in ("1", "L", "LA", "I", "I;16", "F") else 3


def square_resized(pixels: np.ndarray, size: int) -> np.ndarray:
  """[H, W, C] uint8 -> [size, size, C] uint8: the central square, resized bilinearly.

  The square is rows [(H - s) // 2, ... + s) and columns [(W - s) // 2, ... + s),
  s = min(H, W); PIL's bilinear filter widens with the scale when shrinking
  (antialiasing).

  Args:
    pixels: [H, W, C] uint8 image, C = 1 or 3.
    size: side S of the result.

  Returns:
    [S, S, C] uint8.

  Example:
    >>> import numpy as np
    >>> square_resized(np.zeros((6, 10, 3), np.uint8), 4).shape
    (4, 4, 3)
    >>> wide = np.arange(12, dtype=np.uint8).reshape(2, 6, 1)
    >>> square_resized(wide, 2)[..., 0]  # the central 2x2 square, unresized
    array([[2, 3],
           [8, 9]], dtype=uint8)
  """
  h, w, c = pixels.shape
  s = min(h, w)
  top, left = (h - s) // 2, (w - s) // 2
  square = pixels[top:top + s, left:left + s]
  if s == size:
    return np.ascontiguousarray(square)
  image = Image.fromarray(square[..., 0] if c == 1 else square)
  out = np.asarray(image.resize((size, size), Image.BILINEAR))
  return out.reshape(size, size, c)


def to_pixels(image: Image.Image, channels: int) -> np.ndarray:
  """[H, W, channels] uint8 of a decoded PIL image (converted to 'L' or 'RGB')."""
  if image.mode != MODES[channels]:
    if image.mode in ("I", "I;16"):  # 16-bit grey: keep the top 8 bits
      image = Image.fromarray((np.asarray(image, np.uint32) >> 8).astype(np.uint8))
    image = image.convert(MODES[channels])
  pixels = np.asarray(image, np.uint8)
  return pixels.reshape(*pixels.shape[:2], channels)


def prepared(pixels: np.ndarray, size: int, flip: bool) -> np.ndarray:
  """[H, W, C] uint8 -> [size, size, C] uint8: centre square, resize, horizontal flip when `flip`.

  Example:
    >>> import numpy as np
    >>> prepared(np.arange(4, dtype=np.uint8).reshape(2, 2, 1), 2, flip=True)[..., 0]
    array([[1, 0],
           [3, 2]], dtype=uint8)
  """
  out = square_resized(pixels, size)
  return np.ascontiguousarray(out[:, ::-1]) if flip else out
