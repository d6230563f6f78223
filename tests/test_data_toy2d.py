"""2-D datasets: the mixtures match their definitions (VEEGAN / PacGAN), the toy densities their formulas."""

import numpy as np
import pytest
import scipy.stats

from configs.default import get_config
from gen_jax import data
from gen_jax.data import toy2d

ALPHA = 0.01
N = 20_000


def data_config(**fields):
  c = get_config().data
  for k, v in fields.items():
    setattr(c, k, v)
  return c


def test_ring8_centres_are_the_unit_circle_at_multiples_of_45_degrees():
  expected = np.array([[np.cos(2 * np.pi * i / 8), np.sin(2 * np.pi * i / 8)] for i in range(8)])
  np.testing.assert_allclose(toy2d.ring8_centres(), expected, atol=1e-12)
  assert toy2d.RING8_STD == 0.01


def test_grid25_centres_are_the_product_of_minus4_to_4_step_2():
  expected = {(a, b) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)}
  centres = toy2d.grid25_centres()
  assert centres.shape == (25, 2)
  assert {tuple(c) for c in centres.tolist()} == expected
  assert toy2d.GRID25_STD == 0.05


@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_mixture_statistics_match_the_definition(name):
  centres_fn, std = toy2d.MIXTURES[name]
  centres = centres_fn()
  x, y = toy2d.GENERATORS[name](np.random.default_rng(0), N)
  assert x.shape == (N, 2) and x.dtype == np.float32 and y.dtype == np.int32
  # Equal weights: chi-square of the component counts against uniform.
  counts = np.bincount(y, minlength=len(centres))
  assert scipy.stats.chisquare(counts).pvalue > ALPHA
  # Each point's nearest centre is its component (the modes are well separated).
  nearest = np.argmin(((x[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
  np.testing.assert_array_equal(nearest, y)
  # Residuals / std are standard normal (KS), and centred per component.
  residual = (x - centres[y]) / std
  assert scipy.stats.kstest(residual.ravel(), "norm").pvalue > ALPHA
  for k in range(len(centres)):
    r = residual[y == k]
    assert np.all(np.abs(r.mean(0)) * np.sqrt(len(r)) < 4.0)


def test_moons_class_means_match_the_formula():
  x, y = toy2d.moons(np.random.default_rng(1), N)
  assert scipy.stats.chisquare(np.bincount(y, minlength=2)).pvalue > ALPHA
  # E[cos t] = 0, E[sin t] = 2 / pi, t ~ U(0, pi); noise adds 0.1^2 to the variance.
  expected = {0: np.array([0.0, 2 / np.pi]), 1: np.array([1.0, 0.5 - 2 / np.pi])}
  for k, mean in expected.items():
    xs = x[y == k]
    se = xs.std(0) / np.sqrt(len(xs))
    assert np.all(np.abs(xs.mean(0) - mean) < 4 * se)


def test_noiseless_swiss_roll_lies_on_the_curve_r_equals_angle():
  x, y = toy2d.swiss_roll(np.random.default_rng(2), 1000, noise=0.0)
  t = 5 * np.linalg.norm(x, axis=1)  # r = t / 5
  assert np.all((t > 1.5 * np.pi - 1e-4) & (t < 4.5 * np.pi + 1e-4))
  np.testing.assert_allclose(np.cos(t), 5 * x[:, 0] / t, atol=1e-4)
  np.testing.assert_allclose(np.sin(t), 5 * x[:, 1] / t, atol=1e-4)
  assert not y.any()


def test_noiseless_spiral_arms_are_point_reflections():
  x, y = toy2d.spiral(np.random.default_rng(3), 1000, noise=0.0)
  r = 3 * np.linalg.norm(x, axis=1)
  sign = np.where(y == 0, 1.0, -1.0)
  assert np.all(r <= 3 * np.pi + 1e-4)
  np.testing.assert_allclose(sign * -r * np.cos(r) / 3, x[:, 0], atol=1e-4)
  np.testing.assert_allclose(sign * r * np.sin(r) / 3, x[:, 1], atol=1e-4)
  assert set(np.unique(y)) == {0, 1}


def test_checkerboard_is_uniform_on_the_8_dark_squares():
  x, _ = toy2d.checkerboard(np.random.default_rng(4), N)
  assert np.all(np.abs(x) <= 4)
  cells = np.floor(x / 2).astype(int) + 2  # [N, 2] in 0..3
  assert len(np.unique((cells.sum(1)) % 2)) == 1  # one colour only
  counts = np.bincount(cells[:, 0] * 4 + cells[:, 1], minlength=16)
  assert np.count_nonzero(counts) == 8
  assert scipy.stats.chisquare(counts[counts > 0]).pvalue > ALPHA


@pytest.mark.parametrize("name", sorted(toy2d.GENERATORS))
def test_generators_are_deterministic_given_the_generator(name):
  a = toy2d.GENERATORS[name](np.random.default_rng(5), 100)
  b = toy2d.GENERATORS[name](np.random.default_rng(5), 100)
  c = toy2d.GENERATORS[name](np.random.default_rng(6), 100)
  np.testing.assert_array_equal(a[0], b[0])
  assert not np.array_equal(a[0], c[0])


def test_load_ring8_default_size_spec_and_independent_test_split():
  ds = data.load(data_config(name="ring8"))
  assert ds.train["x"].shape == (100_000, 2) and ds.test["x"].shape == (100_000, 2)
  assert ds.spec.kind == "points" and ds.spec.example_shape == (2,) and ds.spec.num_classes == 8
  np.testing.assert_allclose(ds.spec.mode_centres, toy2d.ring8_centres())
  assert ds.spec.mode_std == 0.01 and not ds.spec.binarized
  assert ds.spec.value_range == (float(ds.train["x"].min()), float(ds.train["x"].max()))
  assert not np.array_equal(ds.train["x"][:10], ds.test["x"][:10])
  np.testing.assert_array_equal(data.load(data_config(name="ring8")).train["x"], ds.train["x"])


def test_load_respects_num_examples_and_non_mixtures_have_no_modes():
  ds = data.load(data_config(name="moons", num_examples=500))
  assert ds.train["x"].shape == (500, 2)
  assert ds.spec.mode_centres is None and ds.spec.mode_std is None
  assert ds.sampler is toy2d.moons


def test_user_points_are_loaded_and_validated(tmp_path):
  points = np.random.default_rng(7).normal(size=(50, 2))
  path = tmp_path / "p.npy"
  np.save(path, points)
  ds = data.load(data_config(name="points", points_path=str(path)))
  np.testing.assert_allclose(ds.train["x"], points.astype(np.float32))
  assert ds.test is None and ds.sampler is None and not ds.train["y"].any()
  for bad in (np.zeros((5, 3)), np.zeros(4), np.array([[0.0, np.nan]])):
    np.save(path, bad)
    with pytest.raises(ValueError, match="data.points_path"):
      data.load(data_config(name="points", points_path=str(path)))
  with pytest.raises(ValueError, match="data.points_path"):
    data.load(data_config(name="points", points_path=str(tmp_path / "missing.npy")))
  with pytest.raises(ValueError, match="data.points_path"):
    data.load(data_config(name="points"))


def test_config_errors_name_their_field():
  with pytest.raises(ValueError, match=r"data.name: expected one of \[.*'ring8'.*got 'rings'"):
    data.load(data_config(name="rings"))
  with pytest.raises(ValueError, match="data.num_examples"):
    data.load(data_config(name="ring8", num_examples=0))
  with pytest.raises(ValueError, match="data.binarize"):
    data.load(data_config(name="ring8", binarize="dynamic"))
  assert {"ring8", "grid25", "moons", "swiss_roll", "spiral", "checkerboard", "points",
          "digits", "mnist", "fashion_mnist", "cifar10", "celeb_a", "photos_sr", "photos_color", "div2k_sr",
          "digits_printed", "digits_attributes", "digits_unpaired", "photo",
          "celeb_a_attributes"} == set(data.dataset_names())


def test_mixture_log_density_is_the_normalised_mixture():
  """Integrates to 1 on a fine grid around ring8, and is log N(x; c, std^2 I) for one component."""
  centres = toy2d.ring8_centres()
  std = 0.1
  axis = np.linspace(-1.6, 1.6, 641)
  a, b = np.meshgrid(axis, axis, indexing="ij")
  density = np.exp(toy2d.mixture_log_density(np.stack([a.ravel(), b.ravel()], 1), centres, std))
  assert np.sum(density) * (axis[1] - axis[0]) ** 2 == pytest.approx(1.0, abs=1e-3)
  x = np.array([[0.3, -0.2]])
  expected = -np.sum((x - centres[:1]) ** 2) / (2 * std ** 2) - np.log(2 * np.pi * std ** 2)
  assert toy2d.mixture_log_density(x, centres[:1], std)[0] == pytest.approx(expected)
