"""Pictures of 2-D GAN runs: generated vs real points with the mode centres, and their strip over training."""

import glob
import os

from gen_jax.eval import plots


def points_limits(spec) -> tuple[float, float]:
  lo, hi = spec.value_range
  margin = 0.15 * (hi - lo)
  return lo - margin, hi + margin


def save_point_pictures(samples, directory: str, step_number: int, data) -> list[str]:
  """Scatter of generated vs real points (mode centres marked) at this step, and the strip so far."""
  spec = data.spec
  path = plots.save_scatter(samples, os.path.join(directory, f"scatter_{step_number:07d}.png"),
                            reference=data.train["x"][:len(samples)], centres=spec.mode_centres,
                            title=f"{spec.name}, step {step_number}", limits=points_limits(spec))
  strip = plots.save_strip(sorted(glob.glob(os.path.join(directory, "scatter_*.png"))),
                           os.path.join(directory, "strip.png"))
  return [path, strip]
