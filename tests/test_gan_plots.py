"""Tests for gen_jax.eval.plots (shared pictures)."""

import matplotlib.image
import numpy as np
import pytest

from gen_jax.eval import plots


def test_image_grid_places_images_row_major_with_padding():
  images = np.stack([np.full((2, 3, 1), v, np.float32) for v in (0.0, 1.0, 2.0)])  # [3, 2, 3, 1]
  grid = plots.image_grid(images, nrow=2, pad=1, value_range=(0.0, 2.0), pad_value=-1.0)
  assert grid.shape == (2 * 3 + 1, 2 * 4 + 1, 1)
  np.testing.assert_allclose(grid[1:3, 1:4], 0.0)      # image 0: row 0, column 0
  np.testing.assert_allclose(grid[1:3, 5:8], 0.5)      # image 1: row 0, column 1
  np.testing.assert_allclose(grid[4:6, 1:4], 1.0)      # image 2: row 1, column 0
  np.testing.assert_allclose(grid[4:6, 5:8], -1.0)     # empty cell keeps the pad value
  assert grid[0].tolist() == [[-1.0]] * grid.shape[1]  # top border


def test_image_grid_default_range_is_the_images_own():
  images = np.array([-3.0, 5.0], np.float32).reshape(2, 1, 1, 1)
  grid = plots.image_grid(images, nrow=2, pad=0)
  np.testing.assert_allclose(grid[0, :, 0], [0.0, 1.0])


@pytest.mark.parametrize("images, nrow", [(np.zeros((2, 3, 3)), 2), (np.zeros((1, 3, 3, 1)), 0)])
def test_image_grid_rejects_bad_input(images, nrow):
  with pytest.raises(ValueError, match="images|nrow"):
    plots.image_grid(images, nrow)


def test_save_image_grid_writes_scaled_png(tmp_path):
  images = np.random.default_rng(0).uniform(size=(5, 4, 4, 3)).astype(np.float32)
  path = plots.save_image_grid(images, str(tmp_path / "sub" / "grid.png"), nrow=3, scale=2)
  written = matplotlib.image.imread(path)
  assert written.shape[:2] == (2 * (2 * 5 + 1), 2 * (3 * 5 + 1))


def test_save_scatter_and_strip(tmp_path):
  rng = np.random.default_rng(0)
  paths = [plots.save_scatter(rng.normal(size=(50, 2)), str(tmp_path / f"s{i}.png"),
                              reference=rng.normal(size=(50, 2)), centres=np.zeros((1, 2)),
                              title=f"step {i}", limits=(-3, 3), size_inches=2.0)
           for i in range(4)]
  one = matplotlib.image.imread(paths[0])
  assert one.shape[:2] == (200, 200)
  strip = matplotlib.image.imread(plots.save_strip(paths, str(tmp_path / "strip.png"), max_panels=3))
  assert strip.shape[:2] == (200, 600)
  with pytest.raises(ValueError, match="points"):
    plots.save_scatter(np.zeros((3, 3)), str(tmp_path / "bad.png"))
  with pytest.raises(ValueError, match="image_paths"):
    plots.save_strip([], str(tmp_path / "bad.png"))
