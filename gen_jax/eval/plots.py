"""Pictures shared by the model families: image grids, 2-D scatters, strips across training.

Everything renders off-screen (matplotlib's Agg canvas, no pyplot state), takes
host arrays (numpy or jax) and returns the path it wrote.
"""

import os
from typing import Sequence

import matplotlib.image
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from gen_jax.checks import check_positive_int


def _make_parent(path: str) -> None:
  parent = os.path.dirname(path)
  if parent:
    os.makedirs(parent, exist_ok=True)


def image_grid(images, nrow: int, pad: int = 1, value_range=None, pad_value: float = 1.0) -> np.ndarray:
  """Tile images [N, H, W, C] into one [rows*(H+pad)+pad, nrow*(W+pad)+pad, C] array in [0, 1].

  Image i sits at row i // nrow, column i % nrow (as torchvision's make_grid).
  Pixels are mapped by (x - lo) / (hi - lo) and clipped to [0, 1], with
  (lo, hi) = value_range, or the images' own min and max when it is None.
  Unused cells and the `pad`-pixel borders take `pad_value`.
  """
  images = np.asarray(images, np.float32)
  if images.ndim != 4 or images.shape[0] == 0:
    raise ValueError(f"images: expected a non-empty [N, H, W, C] array, got shape {images.shape}")
  if nrow < 1:
    raise ValueError(f"nrow: expected a positive number of images per row, got {nrow}")
  lo, hi = (images.min(), images.max()) if value_range is None else value_range
  scaled = np.clip((images - lo) / max(float(hi - lo), 1e-12), 0.0, 1.0)  # [N, H, W, C]
  n, h, w, c = scaled.shape
  rows = -(-n // nrow)
  grid = np.full((rows * (h + pad) + pad, nrow * (w + pad) + pad, c), pad_value, np.float32)
  for i in range(n):
    top, left = pad + (i // nrow) * (h + pad), pad + (i % nrow) * (w + pad)
    grid[top:top + h, left:left + w] = scaled[i]
  return grid


def save_image_grid(images, path: str, nrow: int, pad: int = 1, value_range=None, scale: int = 4) -> str:
  """Write `image_grid(images, nrow, pad, value_range)` as a PNG, each pixel enlarged `scale` times.

  One-channel images are written in grey scale. Returns `path`.
  """
  return _save_enlarged(image_grid(images, nrow, pad, value_range), path, scale)


def save_image_rows(rows: Sequence, path: str, pad: int = 1, value_range=None, scale: int = 4) -> str:
  """Write rows of images of different sizes as one PNG: row r is `image_grid(rows[r], len(rows[r]))` (the
  images of a row share one size), rows stacked top to bottom, left-aligned on white. Returns `path`."""
  grids = [image_grid(row, len(row), pad, value_range) for row in rows]
  width = max(grid.shape[1] for grid in grids)
  canvas = np.concatenate([np.pad(grid, ((0, 0), (0, width - grid.shape[1]), (0, 0)), constant_values=1.0)
                           for grid in grids])
  return _save_enlarged(canvas, path, scale)


def _save_enlarged(grid: np.ndarray, path: str, scale: int) -> str:
  """Write grid [H, W, C] in [0, 1] as a PNG, each pixel enlarged `scale` times (grey scale for C = 1)."""
  check_positive_int(scale, "scale")
  grid = np.repeat(np.repeat(grid, scale, axis=0), scale, axis=1)
  _make_parent(path)
  if grid.shape[-1] == 1:
    matplotlib.image.imsave(path, grid[..., 0], cmap="gray", vmin=0.0, vmax=1.0)
  else:
    matplotlib.image.imsave(path, grid)
  return path


def save_scatter(points, path: str, reference=None, centres=None, title: str | None = None,
                 limits: tuple[float, float] | None = None, size_inches: float = 4.0) -> str:
  """Scatter 2-D `points` [N, 2] (blue) over optional `reference` points [M, 2] (grey),
  with optional mode `centres` [K, 2] marked as red crosses. Returns `path`.

  `limits` = (lo, hi) fixes both axes (so pictures across training line up);
  by default they fit all the drawn points.
  """
  points = np.asarray(points, np.float32)
  if points.ndim != 2 or points.shape[1] != 2:
    raise ValueError(f"points: expected an [N, 2] array, got shape {points.shape}")
  figure = Figure(figsize=(size_inches, size_inches), dpi=100)
  FigureCanvasAgg(figure)
  axes = figure.add_subplot(1, 1, 1)
  if reference is not None:
    reference = np.asarray(reference, np.float32)
    axes.scatter(reference[:, 0], reference[:, 1], s=2, c="0.7", alpha=0.5, label="real", linewidths=0)
  axes.scatter(points[:, 0], points[:, 1], s=2, c="tab:blue", alpha=0.6, label="generated", linewidths=0)
  if centres is not None:
    centres = np.asarray(centres, np.float32)
    axes.scatter(centres[:, 0], centres[:, 1], s=30, c="tab:red", marker="x", label="mode centres")
  if limits is not None:
    axes.set_xlim(*limits)
    axes.set_ylim(*limits)
  axes.set_aspect("equal")
  axes.legend(loc="upper right", fontsize=6)
  if title:
    axes.set_title(title, fontsize=9)
  figure.tight_layout()
  _make_parent(path)
  figure.savefig(path)
  return path


def save_strip(image_paths: Sequence[str], path: str, max_panels: int = 8) -> str:
  """Concatenate saved PNGs left to right into one picture (e.g. scatters across training).

  At most `max_panels` evenly spaced inputs are used, always including the
  first and the last; shorter pictures are padded with white at the bottom.
  Returns `path`.
  """
  if not image_paths:
    raise ValueError("image_paths: expected at least one PNG path, got none")
  check_positive_int(max_panels, "max_panels")
  chosen = np.unique(np.linspace(0, len(image_paths) - 1, min(max_panels, len(image_paths))).round().astype(int))
  panels = [_read_rgb(image_paths[i]) for i in chosen]
  height = max(p.shape[0] for p in panels)
  padded = [np.pad(p, ((0, height - p.shape[0]), (0, 0), (0, 0)), constant_values=1.0) for p in panels]
  _make_parent(path)
  matplotlib.image.imsave(path, np.concatenate(padded, axis=1))
  return path


def _read_rgb(path: str) -> np.ndarray:
  """A PNG as float RGB [H, W, 3] in [0, 1] (alpha dropped, grey expanded)."""
  image = np.asarray(matplotlib.image.imread(path), np.float32)
  if image.ndim == 2:
    image = np.repeat(image[..., None], 3, axis=-1)
  return image[..., :3]
