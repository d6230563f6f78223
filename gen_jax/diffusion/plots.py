"""Diffusion pictures: samples (2-D scatter with mode centres, or an image grid) and the reverse process,
a strip of the samples' path from x_T ~ N(0, I) down to x_0."""

import os

import numpy as np

from gen_jax.eval import plots
from gen_jax.gan.pictures import save_point_pictures

NUM_POINTS = 2000
NUM_IMAGES = 10
STRIP_PANELS = 7


def path_panels(path: np.ndarray, panels: int = STRIP_PANELS) -> tuple[np.ndarray, np.ndarray]:
  """(P states [P, N, ...] evenly spaced on the reverse path [K, N, ...], their times t / T), where path[k]
  is the state after k + 1 of K reverse steps (at t / T = 1 - (k + 1) / K), the last one x_0."""
  path = np.asarray(path)
  chosen = np.unique(np.linspace(0, len(path) - 1, panels).round().astype(int))
  return path[chosen], 1.0 - (chosen + 1) / len(path)


def save_diffusion_pictures(draw, model, directory: str, step_number: int, data) -> list[str]:
  """`draw(n) -> (samples in data space, path [K, n, ...] in model space, or None for the ODE sampler)`;
  writes the samples' picture and, with a path, reverse_<step>.png (points: scatters over t; images: one row
  per sample, columns over t)."""
  spec = data.spec
  if spec.kind == "points":
    samples, path = draw(NUM_POINTS)
    pictures = save_point_pictures(np.asarray(samples), directory, step_number, data)
    if path is None:
      return pictures
    states, fractions = path_panels(path)
    lo, hi = spec.value_range
    limits = (min(lo, -3.0) - 0.5, max(hi, 3.0) + 0.5)  # the data and the bulk of N(0, I)
    panels = []
    for state, fraction in zip(states, fractions):
      panels.append(plots.save_scatter(state, os.path.join(directory, "reverse", f"t{fraction:.2f}.png"),
                                       title=f"t / T = {fraction:.2f}",
                                       limits=limits, size_inches=2.5))
    return pictures + [plots.save_strip(panels, os.path.join(directory, f"reverse_{step_number:07d}.png"),
                                        max_panels=STRIP_PANELS)]
  samples, path = draw(NUM_IMAGES * NUM_IMAGES)
  grid = plots.save_image_grid(np.asarray(samples), os.path.join(directory, f"samples_{step_number:07d}.png"),
                               NUM_IMAGES, value_range=spec.value_range)
  if path is None:
    return [grid]
  states, _ = path_panels(path)  # [P, N, H, W, C]
  rows = np.swapaxes(states[:, :NUM_IMAGES], 0, 1).reshape((-1,) + states.shape[2:])  # [N P, H, W, C]
  strip = plots.save_image_grid(rows, os.path.join(directory, f"reverse_{step_number:07d}.png"), len(states),
                                value_range=(-1.0, 1.0))
  return [grid, strip]
