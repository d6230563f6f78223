"""One picture of every sampler in gen_jax.sampling: samples over their target density.

  python scripts/demo_samplers.py [--out samplers.png] [--num_samples 50000] [--seed 0]

Panels (the lecture's examples): discrete inverse-CDF sampling of a small pmf; the
closed-form F^{-1}(u) = 2 u^{1/3} of p(x) = 3/8 x^2 on [0, 2]; a tabulated inverse CDF
of an unnormalised bimodal density; rejection sampling of Beta(2, 5) under a uniform
envelope and of 3/8 x^2; a reparameterised 2-D Gaussian with its covariance ellipses.
"""

import jax
import jax.numpy as jnp
import numpy as np
from absl import app, flags
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse

from gen_jax import sampling

OUT = flags.DEFINE_string("out", "samplers.png", "Path of the PNG to write.")
NUM_SAMPLES = flags.DEFINE_integer("num_samples", 50_000, "Samples per panel.")
SEED = flags.DEFINE_integer("seed", 0, "PRNG seed.")

PMF = np.array([0.1, 0.25, 0.0, 0.4, 0.15, 0.1])
BETA_BOUND = 30 * 0.2 * 0.8**4  # max of the Beta(2, 5) density, at x = 1/5
GAUSS_MEAN = np.array([1.0, -0.5])
GAUSS_COV = np.array([[1.0, 0.8], [0.8, 1.5]])


def lecture_pdf(x):
  return 3.0 / 8.0 * x**2


def beta25_pdf(x):
  return 30.0 * x * (1.0 - x) ** 4


def bimodal_pdf(x):
  """Unnormalised: two bumps of different heights and widths."""
  return jnp.exp(-2.0 * (x + 2.0) ** 2) + 0.6 * jnp.exp(-0.6 * (x - 1.5) ** 2)


def uniform_proposal(low: float, high: float):
  return (lambda key, n: jax.random.uniform(key, (n,), minval=low, maxval=high),
          lambda x: jnp.full(x.shape[:1], 1.0 / (high - low)))


def histogram_over_density(ax, samples, pdf, low: float, high: float, title: str, normaliser: float = 1.0):
  grid = np.linspace(low, high, 400)
  ax.hist(np.asarray(samples), bins=60, range=(low, high), density=True, histtype="stepfilled", color="tab:blue", alpha=0.5,
          label="samples")
  ax.plot(grid, np.asarray(pdf(grid)) / normaliser, color="black", lw=1.5, label="target density")
  ax.set_title(title, fontsize=10)
  ax.legend(fontsize=8)


def discrete_panel(ax, key, n: int):
  samples = np.asarray(sampling.sample_discrete(key, PMF, (n,)))
  frequencies = np.bincount(samples, minlength=len(PMF)) / n
  ax.bar(np.arange(len(PMF)), frequencies, color="tab:blue", alpha=0.5, label="sample frequency")
  ax.plot(np.arange(len(PMF)), PMF, "ko", label="pmf")
  ax.set_xticks(np.arange(len(PMF)))
  ax.set_title("sample_discrete: inverse CDF of a pmf\n(category 2 has weight 0)", fontsize=10)
  ax.legend(fontsize=8)


def rejection_panel(ax, key, n: int, pdf, low: float, high: float, bound: float, title: str):
  sample_q, q = uniform_proposal(low, high)
  result = sampling.rejection_sample(key, pdf, sample_q, q, bound, n)
  histogram_over_density(ax, result.samples, pdf, low, high,
                         f"{title}\nacceptance {float(result.acceptance_rate):.3f} (1/bound = {1 / bound:.3f})")
  ax.axhline(bound / (high - low), color="tab:red", ls="--", lw=1, label="envelope bound * q(x)")
  ax.legend(fontsize=8)


def gaussian_panel(ax, key, n: int):
  z = np.asarray(sampling.reparameterize_full(key, GAUSS_MEAN, GAUSS_COV, n))
  ax.scatter(z[:5000, 0], z[:5000, 1], s=2, alpha=0.3, color="tab:blue", label="samples")
  eigenvalues, eigenvectors = np.linalg.eigh(GAUSS_COV)
  angle = np.degrees(np.arctan2(eigenvectors[1, -1], eigenvectors[0, -1]))
  for k in (1, 2):
    ax.add_patch(Ellipse(GAUSS_MEAN, *(2 * k * np.sqrt(eigenvalues[::-1])), angle=angle, fill=False,
                         color="black", lw=1.5, label=f"{k}-sigma ellipse of Sigma"))
  inside = np.mean(np.einsum("ni,ij,nj->n", z - GAUSS_MEAN, np.linalg.inv(GAUSS_COV), z - GAUSS_MEAN) <= 1.0)
  ax.set_title(f"reparameterize_full: z = mu + L eps\n{inside:.3f} inside 1-sigma (expected 0.393)", fontsize=10)
  ax.set_aspect("equal")
  ax.legend(fontsize=8, loc="upper left")


def draw_samplers_figure(path: str, num_samples: int, seed: int = 0) -> str:
  """Write the six-panel PNG to `path` and return it."""
  keys = jax.random.split(jax.random.key(seed), 6)
  figure = Figure(figsize=(15, 9), dpi=100)
  axes = figure.subplots(2, 3).ravel()
  discrete_panel(axes[0], keys[0], num_samples)
  closed_form = sampling.inverse_transform_sample(keys[1], lambda u: 2.0 * jnp.cbrt(u), (num_samples,))
  histogram_over_density(axes[1], closed_form, lecture_pdf, 0.0, 2.0,
                         "inverse_transform_sample: p(x) = 3/8 x^2\nF^{-1}(u) = 2 u^{1/3}")
  low, high = -5.0, 5.0
  tabulated = sampling.tabulated_inverse_cdf(bimodal_pdf, low, high)
  grid = np.linspace(low, high, 100_001)
  normaliser = float(np.trapezoid(np.asarray(bimodal_pdf(grid)), grid))
  histogram_over_density(axes[2], sampling.inverse_transform_sample(keys[2], tabulated, (num_samples,)),
                         bimodal_pdf, low, high, "tabulated_inverse_cdf: unnormalised bimodal density",
                         normaliser=normaliser)
  rejection_panel(axes[3], keys[3], num_samples, beta25_pdf, 0.0, 1.0, BETA_BOUND,
                  "rejection_sample: Beta(2, 5), uniform proposal")
  rejection_panel(axes[4], keys[4], num_samples, lecture_pdf, 0.0, 2.0, 3.0,
                  "rejection_sample: p(x) = 3/8 x^2, uniform proposal")
  gaussian_panel(axes[5], keys[5], num_samples)
  figure.suptitle(f"gen_jax.sampling: {num_samples:,} samples per panel", fontsize=13)
  figure.tight_layout()
  FigureCanvasAgg(figure).print_png(path)
  return path


def main(argv):
  del argv
  print(draw_samplers_figure(OUT.value, NUM_SAMPLES.value, SEED.value))


if __name__ == "__main__":
  app.run(main)
