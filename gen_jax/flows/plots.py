"""Pictures of a trained flow: the learned 2-D density as a heat map beside its samples; image sample
grids, and Glow's temperature sweep (one row per temperature T, z ~ N(0, T^2 I))."""

import os

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from gen_jax.eval.plots import save_image_grid

TEMPERATURES = (0.0, 0.25, 0.5, 0.7, 0.85, 1.0)


def density_grid(limits: tuple[float, float], resolution: int) -> np.ndarray:
  """[resolution^2, 2] points of a square grid over limits x limits, row-major in y."""
  axis = np.linspace(limits[0], limits[1], resolution, dtype=np.float32)
  xx, yy = np.meshgrid(axis, axis)
  return np.stack([xx.ravel(), yy.ravel()], axis=1)


def save_density_and_samples(log_density: np.ndarray, samples: np.ndarray, limits: tuple[float, float], path: str,
                             title: str = "", centres=None) -> str:
  """Two panels: exp(log q) on the grid of `density_grid` (log_density [R^2]) and the samples [N, 2]."""
  resolution = int(round(np.sqrt(log_density.size)))
  figure = Figure(figsize=(8, 4), dpi=100)
  FigureCanvasAgg(figure)
  heat, scatter = figure.add_subplot(1, 2, 1), figure.add_subplot(1, 2, 2)
  heat.imshow(np.exp(log_density.reshape(resolution, resolution)), origin="lower", cmap="viridis",
              extent=(limits[0], limits[1], limits[0], limits[1]))
  heat.set_title(f"{title} density q(x)", fontsize=9)
  scatter.scatter(samples[:, 0], samples[:, 1], s=2, alpha=0.5, linewidths=0)
  if centres is not None:
    scatter.scatter(centres[:, 0], centres[:, 1], s=30, c="tab:red", marker="x")
  scatter.set_xlim(*limits)
  scatter.set_ylim(*limits)
  scatter.set_aspect("equal")
  scatter.set_title(f"{title} samples", fontsize=9)
  figure.tight_layout()
  os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
  figure.savefig(path)
  return path


def save_temperature_sweep(rows: list[np.ndarray], path: str, value_range) -> str:
  """Sample grid with one row of images [n, H, W, C] per temperature (TEMPERATURES order)."""
  images = np.concatenate(rows, axis=0)
  return save_image_grid(images, path, nrow=len(rows[0]), value_range=value_range)
