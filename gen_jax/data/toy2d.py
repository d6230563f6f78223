"""2-D datasets: the mode-collapse benchmarks and the classic toy densities.

Every generator is `gen(rng, n) -> (x [n, 2] float32, y [n] int32)`, vectorized
numpy driven by an explicit `np.random.Generator`.

- ring8 (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018): 8 equal-weight
  Gaussians, centres (cos 2 pi i/8, sin 2 pi i/8), i = 0..7, std 0.01; y = component.
- grid25 (same papers): 25 equal-weight Gaussians, centres {-4,-2,0,2,4}^2, std 0.05; y = component.
- moons, swiss_roll, spiral, checkerboard: see each function's docstring.
- points: a user's [N, 2] array saved with `np.save` (`data.points_path`).
"""

import numpy as np

from gen_jax.checks import check_positive_int
from gen_jax.data.spec import DataSpec, Dataset, split_dict

RING8_STD = 0.01
GRID25_STD = 0.05


def ring8_centres() -> np.ndarray:
  """[8, 2]: (cos 2 pi i/8, sin 2 pi i/8), i = 0..7."""
  angles = 2 * np.pi * np.arange(8) / 8
  return np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid25_centres() -> np.ndarray:
  """[25, 2]: all (a, b) with a, b in {-4, -2, 0, 2, 4}, row-major in a."""
  axis = np.arange(-4.0, 5.0, 2.0)
  a, b = np.meshgrid(axis, axis, indexing="ij")
  return np.stack([a.ravel(), b.ravel()], axis=1)


def mixture(rng: np.random.Generator, n: int, centres: np.ndarray, std: float):
  """Equal-weight isotropic Gaussian mixture: y ~ U{0..M-1}, x = centres[y] + std * N(0, I)."""
  y = rng.integers(0, len(centres), n)  # [n]
  x = centres[y] + std * rng.standard_normal((n, 2))  # [n, 2]
  return x.astype(np.float32), y.astype(np.int32)


def mixture_log_density(x: np.ndarray, centres: np.ndarray, std: float) -> np.ndarray:
  """log p(x) of the equal-weight mixture `mixture` draws from, for x [N, 2]: [N] (float64),

  log p(x) = logsumexp_m [-||x - c_m||^2 / (2 std^2)] - log M - log(2 pi std^2).
  """
  x = np.asarray(x, np.float64)
  sq = np.sum(np.square(x[:, None, :] - np.asarray(centres, np.float64)[None]), axis=-1)  # [N, M]
  logits = -sq / (2 * std ** 2)
  top = logits.max(axis=1)
  log_sum = top + np.log(np.sum(np.exp(logits - top[:, None]), axis=1))
  return log_sum - np.log(len(centres)) - np.log(2 * np.pi * std ** 2)


def ring8(rng: np.random.Generator, n: int):
  """n points of the ring of 8 Gaussians (std 0.01); y = component."""
  return mixture(rng, n, ring8_centres(), RING8_STD)


def grid25(rng: np.random.Generator, n: int):
  """n points of the grid of 25 Gaussians (std 0.05); y = component."""
  return mixture(rng, n, grid25_centres(), GRID25_STD)


def moons(rng: np.random.Generator, n: int, noise: float = 0.1):
  """Two interleaved half circles (as sklearn's make_moons), y = moon.

  t ~ U(0, pi); moon 0: (cos t, sin t); moon 1: (1 - cos t, 1/2 - sin t); plus noise * N(0, I).
  """
  y = rng.integers(0, 2, n)  # [n]
  t = np.pi * rng.random(n)
  outer = np.stack([np.cos(t), np.sin(t)], axis=1)
  inner = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
  x = np.where(y[:, None] == 0, outer, inner) + noise * rng.standard_normal((n, 2))
  return x.astype(np.float32), y.astype(np.int32)


def swiss_roll(rng: np.random.Generator, n: int, noise: float = 1.0):
  """The 2-D swiss roll (sklearn's make_swiss_roll, axes 0 and 2, divided by 5 as in FFJORD); y = 0.

  t = 1.5 pi (1 + 2u), u ~ U(0, 1); x = ((t cos t, t sin t) + noise * N(0, I)) / 5.
  """
  t = 1.5 * np.pi * (1 + 2 * rng.random(n))
  x = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) + noise * rng.standard_normal((n, 2))
  return (x / 5).astype(np.float32), np.zeros(n, np.int32)


def spiral(rng: np.random.Generator, n: int, noise: float = 0.1):
  """Two interleaved spiral arms (FFJORD's '2spirals' without its uniform jitter); y = arm.

  r = 3 pi sqrt(u), u ~ U(0, 1); arm 0: (-r cos r, r sin r) / 3, arm 1 its negation; plus noise * N(0, I).
  """
  y = rng.integers(0, 2, n)  # [n]
  r = 3 * np.pi * np.sqrt(rng.random(n))
  arm = np.stack([-r * np.cos(r), r * np.sin(r)], axis=1) / 3
  sign = np.where(y == 0, 1.0, -1.0)[:, None]
  x = sign * arm + noise * rng.standard_normal((n, 2))
  return x.astype(np.float32), y.astype(np.int32)


def checkerboard(rng: np.random.Generator, n: int):
  """Uniform on the 8 dark squares of a 4x4 board on [-4, 4]^2 (FFJORD); y = 0.

  a ~ U(-2, 2); b ~ U(0, 1) - 2 k + (floor(a) mod 2), k ~ U{0, 1}; x = 2 (a, b).
  """
  a = 4 * rng.random(n) - 2
  b = rng.random(n) - 2 * rng.integers(0, 2, n) + np.floor(a) % 2
  return (2 * np.stack([a, b], axis=1)).astype(np.float32), np.zeros(n, np.int32)


GENERATORS = {
    "ring8": ring8,
    "grid25": grid25,
    "moons": moons,
    "swiss_roll": swiss_roll,
    "spiral": spiral,
    "checkerboard": checkerboard,
}

# name -> (centres [M, 2], std) for the Gaussian mixtures.
MIXTURES = {
    "ring8": (ring8_centres, RING8_STD),
    "grid25": (grid25_centres, GRID25_STD),
}


def load_points(path: str) -> np.ndarray:
  """The [N, 2] float32 points stored at `path` (.npy); ValueError naming data.points_path otherwise."""
  if not path:
    raise ValueError("data.points_path: data.name='points' needs a .npy file of [N, 2] points; got ''")
  try:
    points = np.load(path, allow_pickle=False)
  except (OSError, ValueError) as e:
    raise ValueError(f"data.points_path: cannot read {path!r} as a .npy array: {e}") from e
  if points.ndim != 2 or points.shape[1] != 2 or points.shape[0] < 1:
    raise ValueError(f"data.points_path: expected an array of shape [N, 2] with N >= 1, got {points.shape}")
  if not np.issubdtype(points.dtype, np.number) or not np.all(np.isfinite(points)):
    raise ValueError(f"data.points_path: expected finite numbers, got dtype {points.dtype} "
                     "with non-finite or non-numeric entries")
  return points.astype(np.float32)


def _spec(name: str, x: np.ndarray, num_classes: int) -> DataSpec:
  centres, std = MIXTURES.get(name, (None, None))
  return DataSpec(
      name=name, kind="points", example_shape=(2,), num_classes=num_classes,
      value_range=(float(x.min()), float(x.max())),
      mode_centres=None if centres is None else centres(), mode_std=std, binarized=False)


_NUM_CLASSES = {"ring8": 8, "grid25": 25, "moons": 2, "spiral": 2}


def load_generated(name: str, num_examples: int, seed: int = 0) -> Dataset:
  """`num_examples` points of generator `name` (train: rng seeded (seed, 0); test: an independent draw, (seed, 1))."""
  check_positive_int(num_examples, "data.num_examples")
  generate = GENERATORS[name]
  train = split_dict(*generate(np.random.default_rng([seed, 0]), num_examples))
  test = split_dict(*generate(np.random.default_rng([seed, 1]), num_examples))
  return Dataset(_spec(name, train["x"], _NUM_CLASSES.get(name, 0)), train, test, sampler=generate)


def load_user_points(path: str) -> Dataset:
  """The user's points as an unlabeled training set; no test split, no sampler."""
  x = load_points(path)
  return Dataset(_spec("points", x, 0), split_dict(x, np.zeros(len(x))), None)


def loaders() -> dict:
  """name -> loader(data_config) for every 2-D dataset (generated ones use seed 0: a fixed benchmark set)."""
  table = {name: (lambda cfg, name=name: load_generated(name, cfg.num_examples))
           for name in GENERATORS}
  table["points"] = lambda cfg: load_user_points(cfg.points_path)
  return table


def log_density(name: str, x: np.ndarray) -> np.ndarray:
  """The true log-density of mixture `name` ('ring8', 'grid25') at points x [N, 2] -> [N] (float64):
  `mixture_log_density` with that mixture's centres and standard deviation."""
  if name not in MIXTURES:
    raise ValueError(f"name: expected one of {sorted(MIXTURES)} (a known density), got {name!r}")
  centres, std = MIXTURES[name]
  return mixture_log_density(x, centres(), std)
