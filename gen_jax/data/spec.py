"""What a loaded dataset is: its arrays (`Dataset`) and the facts a model needs (`DataSpec`)."""

import dataclasses
from typing import Callable, Mapping

import numpy as np

# sampler(rng, n) -> (x [n, 2] float32, y [n] int32): a fresh draw from the generating distribution.
Sampler = Callable[[np.random.Generator, int], tuple[np.ndarray, np.ndarray]]


@dataclasses.dataclass(frozen=True)
class DataSpec:
  """Static description of a dataset, enough to build a model and to evaluate it.

  kind: 'points' (2-D), 'images' or 'paired' (image-to-image pairs, gen_jax.data.photos: the
  splits also hold 'condition', the input images of shape condition_shape; 'x' are the targets).
  example_shape: (2,) or (H, W, C).
  num_classes: 0 when unlabeled. value_range: (lo, hi) the values lie in; for
  images (-1, 1) or (0, 1), for points the training data's bounding box over
  both coordinates. mode_centres [M, 2] and mode_std: the Gaussian mixture the
  points come from (ring8, grid25), else None. binarized: values are {0, 1}
  (static binarization) or become so per batch (dynamic).
  unpaired: each example stacks an image of domain A (channels [0, C)) and an unrelated one of
  domain B (channels [C, 2C)) (digits_unpaired, 'tfds_unpaired:NAME'): CycleGAN's data.
  attribute_table [num_classes, K] and attribute_names (K): attribute-domain data (digits_attributes,
  celeb_a_attributes), whose label y = d has the binary attributes attribute_table[d]; else None, ().
  """
  name: str
  kind: str
  example_shape: tuple[int, ...]
  num_classes: int
  value_range: tuple[float, float]
  mode_centres: np.ndarray | None
  mode_std: float | None
  binarized: bool
  condition_shape: tuple[int, ...] = ()
  unpaired: bool = False
  attribute_table: np.ndarray | None = None
  attribute_names: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Dataset:
  """Arrays of one dataset: `train` and `test` map 'x' -> [N, ...] float32, 'y' -> [N] int32.

  'y' holds class labels, the mixture component for Gaussian mixtures, or zeros
  when unlabeled; paired datasets add 'condition' -> [N, ...] float32 (the inputs). `test` is the held-out split (None when there is none).
  `sampler` draws fresh examples from the generating distribution (generated
  2-D data only; None otherwise). `train_stream` (a `streaming.StreamedSplit`):
  the disk-backed training split the streamed pipeline reads; `train` and
  `test` then hold only the first data.eval_examples examples, for evaluation.
  """
  spec: DataSpec
  train: Mapping[str, np.ndarray]
  test: Mapping[str, np.ndarray] | None
  sampler: Sampler | None = None
  train_stream: object | None = None


def split_dict(x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
  """{'x': x as float32, 'y': y as int32}."""
  return {"x": np.asarray(x, np.float32), "y": np.asarray(y, np.int32)}
