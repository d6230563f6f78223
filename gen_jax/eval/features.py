"""The metric feature network: train, checkpoint (orbax), cache and apply gen_jax's classifier.

A `ConvClassifier` trained on a dataset's training split defines the feature space of the
Frechet/kernel distances and precision/recall (its penultimate layer) and the class
predictions of the classifier metrics (its logits). One network per (dataset, image shape)
is cached under `~/.cache/gen_jax/classifiers/<dataset>-<H>x<W>x<C>/` (params by orbax,
`meta.json` with the dataset name, image shape, architecture and test accuracy).
"""

import dataclasses
import functools
import json
import os
import pathlib
import shutil
import tempfile
import time
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp

from gen_jax.eval.batching import batched_apply
from gen_jax.nets.classifier import ConvClassifier

META_FILE = "meta.json"
PARAMS_DIR = "params"


@dataclasses.dataclass(frozen=True)
class Classifier:
  """A trained feature network: the module, its parameters and its metadata dict."""

  model: ConvClassifier
  params: Any
  meta: dict


def _check_split(x, y, name: str) -> tuple[np.ndarray, np.ndarray]:
  x, y = np.asarray(x, np.float32), np.asarray(y)
  if x.ndim != 4:
    raise ValueError(f"x_{name}: expected images [N, H, W, C], got shape {x.shape}")
  if y.shape != (x.shape[0],) or not np.issubdtype(y.dtype, np.integer):
    raise ValueError(f"y_{name}: expected integer labels of shape ({x.shape[0]},), "
                     f"got {y.dtype} {y.shape}")
  return x, y.astype(np.int32)


def _random_shift(key: jax.Array, x: jax.Array, max_shift: int) -> jax.Array:
  """Each image translated by an independent integer offset in [-max_shift, max_shift]^2,
  the uncovered border filled with the image's minimum value (the background)."""
  if max_shift == 0:
    return x
  n, h, w, _ = x.shape
  offsets = jax.random.randint(key, (n, 2), 0, 2 * max_shift + 1)  # [N, 2]
  pad = ((max_shift, max_shift), (max_shift, max_shift), (0, 0))

  def shift_one(image, offset):  # [H, W, C], [2]
    padded = jnp.pad(image, pad, constant_values=image.min())
    return jax.lax.dynamic_slice(padded, (offset[0], offset[1], 0), (h, w, image.shape[-1]))

  return jax.vmap(shift_one)(x, offsets)


def classifier_accuracy(model: ConvClassifier, params, x, y, batch_size: int = 500) -> float:
  """Fraction of rows with argmax_k logits(x_i)_k == y_i."""
  logits = batched_apply(jax.jit(lambda b: model.apply({"params": params}, b)[0]), x, batch_size)
  return float(np.mean(np.argmax(logits, axis=-1) == np.asarray(y)))


def train_classifier(x_train, y_train, x_test, y_test, *, key: jax.Array, steps: int = 400,
                     batch_size: int = 128, learning_rate: float = 3e-3,
                     weight_decay: float = 1e-4, max_shift: int | None = None,
                     model: ConvClassifier | None = None) -> tuple[Any, float]:
  """Fit `model` (default: ConvClassifier with num_classes = max label + 1) by AdamW on the
  mean cross-entropy -log softmax(logits(x_i))_{y_i} over random minibatches (with
  replacement), learning rate cosine-decayed to 0, each batch randomly translated by up to
  `max_shift` pixels (default: image height // 8). Step t draws from fold_in(key', t).

  Returns (params, accuracy on (x_test, y_test)).
  """
  x_train, y_train = _check_split(x_train, y_train, "train")
  x_test, y_test = _check_split(x_test, y_test, "test")
  if x_train.shape[1:] != x_test.shape[1:]:
    raise ValueError(f"x_test: expected image shape {x_train.shape[1:]}, got {x_test.shape[1:]}")
  if steps < 1 or batch_size < 1:
    raise ValueError(f"steps, batch_size: expected >= 1, got {steps}, {batch_size}")
  if model is None:
    model = ConvClassifier(num_classes=int(max(y_train.max(), y_test.max())) + 1)
  if max_shift is None:
    max_shift = x_train.shape[1] // 8
  init_key, loop_key = jax.random.split(key)
  params = model.init(init_key, x_train[:1])["params"]
  tx = optax.adamw(optax.cosine_decay_schedule(learning_rate, steps), weight_decay=weight_decay)
  images, labels = jnp.asarray(x_train), jnp.asarray(y_train)

  def loss_fn(params, x, y):
    logits, _ = model.apply({"params": params}, x)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

  @functools.partial(jax.jit, donate_argnums=(0, 1))
  def step(params, opt_state, step_index, images, labels):
    index_key, shift_key = jax.random.split(jax.random.fold_in(loop_key, step_index))
    index = jax.random.randint(index_key, (batch_size,), 0, images.shape[0])  # [B]
    x = _random_shift(shift_key, images[index], max_shift)
    grads = jax.grad(loss_fn)(params, x, labels[index])
    updates, opt_state = tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state

  opt_state = tx.init(params)
  for step_index in range(steps):  # a Python loop: XLA:CPU convolutions run ~7x slower in a scan
    params, opt_state = step(params, opt_state, step_index, images, labels)
  return params, classifier_accuracy(model, params, x_test, y_test)


def model_from_meta(meta: dict) -> ConvClassifier:
  """The ConvClassifier described by a checkpoint's metadata."""
  return ConvClassifier(num_classes=int(meta["num_classes"]), widths=tuple(meta["widths"]),
                        feature_dim=int(meta["feature_dim"]))


def save_classifier(path, params, meta: dict) -> None:
  """Write `params` (orbax StandardCheckpointer) to PATH/params and `meta` to PATH/meta.json.

  `meta` must hold num_classes, widths and feature_dim (see `model_from_meta`); PATH must not
  exist yet.
  """
  missing = {"num_classes", "widths", "feature_dim"} - set(meta)
  if missing:
    raise ValueError(f"meta: missing keys {sorted(missing)}")
  path = pathlib.Path(path).absolute()
  if path.exists():
    raise ValueError(f"path: {path} already exists")
  path.mkdir(parents=True)
  with ocp.StandardCheckpointer() as checkpointer:
    checkpointer.save(path / PARAMS_DIR, params)
    checkpointer.wait_until_finished()
  (path / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True))


def load_classifier(path) -> Classifier:
  """The Classifier saved by `save_classifier` at PATH."""
  path = pathlib.Path(path).absolute()
  if not (path / META_FILE).is_file() or not (path / PARAMS_DIR).is_dir():
    raise FileNotFoundError(f"path: no classifier checkpoint ({META_FILE}, {PARAMS_DIR}/) in {path}")
  meta = json.loads((path / META_FILE).read_text())
  model = model_from_meta(meta)
  shape = tuple(meta["image_shape"])
  abstract = jax.eval_shape(lambda: model.init(jax.random.key(0), jnp.zeros((1, *shape)))["params"])
  with ocp.StandardCheckpointer() as checkpointer:
    params = checkpointer.restore(path / PARAMS_DIR, abstract)
  return Classifier(model, params, meta)


def default_cache_dir() -> pathlib.Path:
  """$XDG_CACHE_HOME/gen_jax/classifiers (XDG_CACHE_HOME defaults to ~/.cache)."""
  root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
  return pathlib.Path(root) / "gen_jax" / "classifiers"


def classifier_dir(dataset_name: str, image_shape, cache_dir=None) -> pathlib.Path:
  """CACHE_DIR/<dataset_name>-<H>x<W>x<C>."""
  if not dataset_name or "/" in dataset_name:
    raise ValueError(f"dataset_name: expected a non-empty name without '/', got {dataset_name!r}")
  shape = "x".join(str(int(s)) for s in image_shape)
  return pathlib.Path(cache_dir or default_cache_dir()) / f"{dataset_name}-{shape}"


def load_or_train_classifier(dataset_name: str, images_train, labels_train, images_test,
                             labels_test, cache_dir=None, *, seed: int = 0, steps: int = 400,
                             verbose: bool = False) -> Classifier:
  """The cached classifier for (dataset_name, image shape), trained and cached if absent.

  A new network is trained (`train_classifier` with key PRNGKey(seed)), written to a temporary
  directory beside its destination and renamed into place only once complete, so a crashed
  or concurrent run never leaves or overwrites a partial checkpoint. A cached network whose
  metadata disagrees with the data (image shape, number of classes) is an error, never
  silently replaced.
  """
  images_train, labels_train = _check_split(images_train, labels_train, "train")
  image_shape = list(images_train.shape[1:])
  num_classes = int(max(np.max(labels_train), np.max(labels_test))) + 1
  destination = classifier_dir(dataset_name, image_shape, cache_dir)
  if not destination.exists():
    start = time.perf_counter()
    model = ConvClassifier(num_classes=num_classes)
    params, accuracy = train_classifier(images_train, labels_train, images_test, labels_test,
                                        key=jax.random.PRNGKey(seed), steps=steps, model=model)
    meta = dict(dataset=dataset_name, image_shape=image_shape, num_classes=num_classes,
                widths=list(model.widths), feature_dim=model.feature_dim,
                test_accuracy=accuracy, steps=steps, seed=seed,
                train_seconds=round(time.perf_counter() - start, 2))
    if verbose:
      print(f"trained {dataset_name} classifier: test accuracy {accuracy:.4f}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=f".{destination.name}-", dir=destination.parent))
    try:
      save_classifier(staging / "checkpoint", params, meta)
      os.rename(staging / "checkpoint", destination)
    except OSError:
      if not destination.exists():  # not a lost race with a concurrent writer
        raise
    finally:
      shutil.rmtree(staging, ignore_errors=True)
  classifier = load_classifier(destination)
  cached = (classifier.meta["image_shape"], classifier.meta["num_classes"])
  if cached != (image_shape, num_classes):
    raise ValueError(f"cache_dir: {destination} holds a classifier for (image_shape, num_classes)"
                     f" = {cached}, but the data has {(image_shape, num_classes)}; delete it or"
                     " pass another cache_dir")
  return classifier


def _apply_fn(classifier: Classifier, output: int, batch_size: int,
              progress: bool) -> Callable[[Any], np.ndarray]:
  apply = jax.jit(lambda x: classifier.model.apply({"params": classifier.params}, x)[output])
  return lambda images: batched_apply(apply, images, batch_size, progress)


def feature_fn(classifier: Classifier, batch_size: int = 500,
               progress: bool = False) -> Callable[[Any], np.ndarray]:
  """images [N, H, W, C] -> penultimate features [N, F] (host float32), in batches."""
  return _apply_fn(classifier, 1, batch_size, progress)


def logits_fn(classifier: Classifier, batch_size: int = 500,
              progress: bool = False) -> Callable[[Any], np.ndarray]:
  """images [N, H, W, C] -> class logits [N, K] (host float32), in batches."""
  return _apply_fn(classifier, 0, batch_size, progress)
