"""VAE picture geometry (PCA, interleaving, interpolation, traversal codes) and the results table."""

import numpy as np
import pytest

from gen_jax.vae import plots, report


def test_pca_2d_keeps_the_two_directions_of_largest_variance():
  rng = np.random.default_rng(0)
  points = rng.normal(size=(500, 5)) * np.array([5.0, 0.1, 3.0, 0.1, 0.1])
  xy = plots.pca_2d(points)
  assert xy.shape == (500, 2)
  np.testing.assert_allclose(np.var(xy, axis=0), [25.0, 9.0], rtol=0.15)
  np.testing.assert_allclose(plots.pca_2d(points[:, :2]), points[:, :2])  # D = 2: unchanged
  assert plots.pca_2d(points[:, :1]).shape == (500, 2)
  with pytest.raises(ValueError, match="points"):
    plots.pca_2d(points[:1])


def test_interleave_rows_puts_reconstructions_below_inputs():
  top, bottom = np.arange(4)[:, None], 10 + np.arange(4)[:, None]
  np.testing.assert_array_equal(plots.interleave_rows(top, bottom, 2)[:, 0], [0, 1, 10, 11, 2, 3, 12, 13])
  with pytest.raises(ValueError, match="nrow"):
    plots.interleave_rows(top, bottom, 3)


def test_interpolation_and_traversal_codes():
  start, end = np.zeros((2, 3)), np.ones((2, 3)) * np.array([[1.0], [2.0]])
  path = plots.interpolation_codes(start, end, 5)
  assert path.shape == (10, 3)
  np.testing.assert_allclose(path[:5, 0], np.linspace(0, 1, 5))
  np.testing.assert_allclose(path[5:, 2], np.linspace(0, 2, 5))
  codes = plots.traversal_codes(np.array([0.5, -0.5, 2.0]), dims=[2, 0], values=[-1.0, 1.0])
  np.testing.assert_allclose(codes, [[0.5, -0.5, -1.0], [0.5, -0.5, 1.0], [-1.0, -0.5, 2.0], [1.0, -0.5, 2.0]])


def test_latent_scatter_writes_a_png(tmp_path):
  rng = np.random.default_rng(1)
  path = plots.save_latent_scatter(rng.normal(size=(50, 4)), rng.integers(0, 10, 50), str(tmp_path / "s.png"))
  with open(path, "rb") as f:
    assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_markdown_table_rows_and_paper_reference():
  rows = [("vae_digits", {"nll": 22.951, "elbo": -23.66, "reconstruction": -18.4, "kl": 5.26, "active_units": 8,
                          "iwae_k": 5000, "step": 3000}),
          ("vqvae_digits", {"elbo": -29.3, "reconstruction": -17.58, "perplexity": 30.28, "codes_used": 32,
                            "mse": 0.0845, "step": 3000})]
  table = report.markdown_table(rows).splitlines()
  assert table[2].startswith("| vae_digits | 22.95 | -23.66 | -18.40 | 5.26 | 8 | 3000 |")
  assert "k = 5,000" in table[2]
  assert table[3].startswith("| vqvae_digits |  | -29.30 |") and "perplexity 30.3" in table[3]
  assert [line.split("|")[2].strip() for line in table[4:]] == ["86.76", "84.78", "82.90"]


def test_markdown_table_formats_seed_means_of_counts():
  mean = {"nll": 22.88, "active_units": 32 / 3, "iwae_k": 5000.0, "step": 3000,
          "stderr": {"nll": 0.04, "active_units": 1 / 3}}
  row = report.markdown_table([("hvae_digits (3 seeds)", mean)]).splitlines()[2]
  assert "| 22.88 ± 0.04 |" in row and "| 10.7 ± 0.3 |" in row and "k = 5,000 importance" in row


def test_markdown_table_gives_vqvae_notes_their_seed_spread():
  mean = {"elbo": -29.67, "perplexity": 30.8, "codes_used": 32.0, "mse": 0.0809, "step": 3000,
          "stderr": {"elbo": 0.26, "perplexity": 0.45, "codes_used": 0.0, "mse": 0.0012}}
  row = report.markdown_table([("vqvae_digits (3 seeds)", mean)]).splitlines()[2]
  assert "perplexity 30.8 ± 0.5, 32.0 ± 0.0 codes used, MSE 0.0809 ± 0.0012" in row
