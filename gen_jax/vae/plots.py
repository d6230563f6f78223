"""VAE pictures: samples, reconstructions beside inputs, the latent space by class, interpolations,
latent traversals. Generic grids come from gen_jax.eval.plots; the latent-space geometry is here.
"""

import os

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from gen_jax.eval.plots import save_image_grid


def pca_2d(points: np.ndarray) -> np.ndarray:
  """Project [N, D] points onto their first two principal axes, [N, 2] (D <= 2: zero-padded as is)."""
  points = np.asarray(points, np.float64)
  if points.ndim != 2 or points.shape[0] < 2:
    raise ValueError(f"points: expected [N >= 2, D], got shape {points.shape}")
  if points.shape[1] <= 2:
    return np.pad(points, ((0, 0), (0, 2 - points.shape[1])))
  centred = points - points.mean(axis=0)
  _, _, vt = np.linalg.svd(centred, full_matrices=False)
  return centred @ vt[:2].T


def save_latent_scatter(codes: np.ndarray, labels: np.ndarray, path: str, title: str = "") -> str:
  """Scatter of codes [N, D] (PCA to 2-D when D > 2) coloured by integer class labels [N]."""
  xy = pca_2d(codes)
  labels = np.asarray(labels)
  figure = Figure(figsize=(4.5, 4.0), dpi=100)
  FigureCanvasAgg(figure)
  axes = figure.add_subplot(1, 1, 1)
  points = axes.scatter(xy[:, 0], xy[:, 1], c=labels, cmap="tab10", s=6, alpha=0.8, linewidths=0,
                        vmin=-0.5, vmax=9.5)
  figure.colorbar(points, ax=axes, ticks=range(10), label="class")
  suffix = " (PCA)" if np.shape(codes)[1] > 2 else ""
  axes.set_title((title or "latent codes of held-out examples") + suffix, fontsize=9)
  figure.tight_layout()
  os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
  figure.savefig(path)
  return path


def interleave_rows(top: np.ndarray, bottom: np.ndarray, nrow: int) -> np.ndarray:
  """Rows of `nrow` images alternating: top[0:nrow], bottom[0:nrow], top[nrow:2 nrow], ...

  Puts each reconstruction right below its input in a grid of `nrow` columns.
  """
  if top.shape != bottom.shape or top.shape[0] % nrow:
    raise ValueError(f"top, bottom: expected equal shapes with N divisible by nrow={nrow}, "
                     f"got {top.shape} and {bottom.shape}")
  blocks = [np.concatenate([top[i:i + nrow], bottom[i:i + nrow]]) for i in range(0, top.shape[0], nrow)]
  return np.concatenate(blocks)


def interpolation_codes(start: np.ndarray, end: np.ndarray, steps: int) -> np.ndarray:
  """Linear paths z(a) = (1 - a) start + a end, a in linspace(0, 1, steps): [M * steps, D] row-major."""
  alphas = np.linspace(0.0, 1.0, steps)[None, :, None]  # [1, steps, 1]
  path = (1 - alphas) * start[:, None, :] + alphas * end[:, None, :]  # [M, steps, D]
  return path.reshape(-1, start.shape[-1])


def traversal_codes(code: np.ndarray, dims, values) -> np.ndarray:
  """One row per latent unit in `dims`: `code` [D] with that unit set to each of `values`, [len(dims) * len(values), D]."""
  rows = []
  for d in dims:
    block = np.repeat(np.asarray(code, np.float32)[None], len(values), axis=0)
    block[:, d] = values
    rows.append(block)
  return np.concatenate(rows)


def picture_path(directory: str, name: str, step: int) -> str:
  return os.path.join(directory, f"{name}_{step:07d}.png")


def save_latent_pictures(encode, decode, generate, directory: str, step: int, data, value_range,
                         traversal_units: int = 8, num: int = 64, nrow: int = 8) -> list[str]:
  """Write the family's pictures for one step; returns their paths.

  encode: x [N, ...] -> codes [N, D]; decode: codes -> E[x|z] [N, ...];
  generate: n -> n samples [n, ...]. `data` is the Dataset (held-out split when
  present). Pictures: samples, reconstructions (inputs above, reconstructions
  below), the latent scatter by class, interpolations between held-out pairs
  (one per row), and traversals of the `traversal_units` units whose posterior
  means vary most across the data (one unit per row, values -3..3).
  """
  split = data.test if data.test is not None else data.train
  x, y = np.asarray(split["x"][:512]), np.asarray(split["y"][:512])
  codes = np.asarray(encode(x))  # [N, D]
  paths = [save_image_grid(np.asarray(generate(num)), picture_path(directory, "samples", step), nrow,
                           value_range=value_range)]
  inputs = x[:num // 2]
  recon = np.asarray(decode(codes[:num // 2]))
  paths.append(save_image_grid(interleave_rows(inputs, recon, nrow), picture_path(directory, "reconstructions", step),
                               nrow, value_range=value_range))
  paths.append(save_latent_scatter(codes, y, picture_path(directory, "latent_scatter", step)))
  steps = 10
  pairs = min(8, len(x) // 2)
  path_codes = interpolation_codes(codes[:pairs], codes[pairs:2 * pairs], steps)
  paths.append(save_image_grid(np.asarray(decode(path_codes)), picture_path(directory, "interpolations", step),
                               steps, value_range=value_range))
  if traversal_units > 0:
    units = np.argsort(-np.var(codes, axis=0))[:min(traversal_units, codes.shape[1])]
    values = np.linspace(-3.0, 3.0, 9)
    grid = decode(traversal_codes(codes[0], units, values))
    paths.append(save_image_grid(np.asarray(grid), picture_path(directory, "traversals", step), len(values),
                                 value_range=value_range))
  return paths
