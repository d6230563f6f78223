"""The metric feature network (gen_jax.eval.features, gen_jax.nets.classifier) on sklearn's
bundled 8x8 digits: accuracy, orbax checkpoints, the cache, and deterministic features."""

import time

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from gen_jax.eval import features
from gen_jax.eval.batching import batched_apply
from gen_jax.eval.image_metrics import image_metrics
from gen_jax.nets.classifier import ConvClassifier
from tests.helpers.cli import run_at_full_optimization


@pytest.fixture(scope="module")
def digits():
  """(x_train, y_train, x_test, y_test): 8x8x1 images scaled from 0..16 to [-1, 1], 20% test."""
  data = load_digits()
  images = (data.images.astype(np.float32) / 8.0 - 1.0)[..., None]
  x_train, x_test, y_train, y_test = train_test_split(
      images, data.target, test_size=0.2, random_state=0, stratify=data.target)
  return x_train, y_train, x_test, y_test


@pytest.fixture(scope="module")
def trained(digits, tmp_path_factory):
  """The digits classifier, trained into a fresh cache by a subprocess at full XLA optimization (the test run
  compiles at level 0, where training is 15x slower; tests/conftest.py), then loaded here."""
  cache_dir = tmp_path_factory.mktemp("classifiers")
  arrays = tmp_path_factory.mktemp("digits") / "digits.npz"
  np.savez(arrays, *digits)
  start = time.perf_counter()
  run_at_full_optimization(
      "import numpy as np; from gen_jax.eval import features\n"
      f"arrays = np.load({str(arrays)!r})\n"
      "features.load_or_train_classifier('digits', *[arrays[f'arr_{i}'] for i in range(4)],\n"
      f"                                  cache_dir={str(cache_dir)!r})")
  classifier = features.load_or_train_classifier("digits", *digits, cache_dir=cache_dir)
  print(f"digits classifier: test accuracy {classifier.meta['test_accuracy']:.4f}, "
        f"trained in {time.perf_counter() - start:.1f} s")
  return classifier, cache_dir


def assert_trees_equal(a, b):
  chex.assert_trees_all_equal(jax.device_get(a), jax.device_get(b))


@pytest.mark.slow  # trains the digits classifier once per module (~25 s of one core)
def test_classifier_reaches_97_percent_on_digits(trained, digits):
  classifier, cache_dir = trained
  assert classifier.meta["test_accuracy"] >= 0.97
  assert classifier.meta["dataset"] == "digits" and classifier.meta["image_shape"] == [8, 8, 1]
  assert (cache_dir / "digits-8x8x1" / "meta.json").is_file()
  _, _, x_test, y_test = digits
  reloaded_accuracy = features.classifier_accuracy(classifier.model, classifier.params, x_test, y_test)
  assert reloaded_accuracy == classifier.meta["test_accuracy"]


@pytest.mark.slow  # trains the digits classifier once per module (~25 s of one core)
def test_cache_is_reused_without_training(trained, digits, monkeypatch):
  classifier, cache_dir = trained

  def fail(*args, **kwargs):
    raise AssertionError("retrained although a cached classifier exists")

  monkeypatch.setattr(features, "train_classifier", fail)
  again = features.load_or_train_classifier("digits", *digits, cache_dir=cache_dir)
  assert again.meta == classifier.meta
  assert_trees_equal(again.params, classifier.params)


@pytest.mark.slow  # trains the digits classifier once per module (~25 s of one core)
def test_cache_with_other_classes_is_an_error_not_overwritten(trained, digits):
  _, cache_dir = trained
  x_train, y_train, x_test, y_test = digits
  with pytest.raises(ValueError, match="cache_dir"):
    features.load_or_train_classifier("digits", x_train, np.where(y_train == 9, 10, y_train),
                                      x_test, y_test, cache_dir=cache_dir)


def test_failed_run_leaves_no_checkpoint(digits, tmp_path, monkeypatch):
  def crash_after_partial_write(path, params, meta):
    (path / "params").mkdir(parents=True)
    raise OSError("disk full")

  monkeypatch.setattr(features, "train_classifier", lambda *a, **k: ({"w": jnp.ones(1)}, 0.5))
  monkeypatch.setattr(features, "save_classifier", crash_after_partial_write)
  with pytest.raises(OSError, match="disk full"):
    features.load_or_train_classifier("digits", *digits, cache_dir=tmp_path)
  assert list(tmp_path.iterdir()) == []  # neither the destination nor the staging directory


@pytest.mark.slow  # trains the digits classifier once per module (~25 s of one core)
def test_checkpoint_round_trip(trained, tmp_path):
  classifier, _ = trained
  features.save_classifier(tmp_path / "clf", classifier.params, classifier.meta)
  loaded = features.load_classifier(tmp_path / "clf")
  assert loaded.meta == classifier.meta and loaded.model == classifier.model
  assert_trees_equal(loaded.params, classifier.params)
  with pytest.raises(ValueError, match="already exists"):
    features.save_classifier(tmp_path / "clf", classifier.params, classifier.meta)
  with pytest.raises(ValueError, match="missing keys"):
    features.save_classifier(tmp_path / "other", classifier.params, {"num_classes": 10})
  with pytest.raises(FileNotFoundError, match="no classifier checkpoint"):
    features.load_classifier(tmp_path / "absent")


@pytest.mark.slow  # trains the digits classifier once per module (~25 s of one core)
def test_features_and_logits_are_deterministic_and_batch_invariant(trained, digits):
  classifier, _ = trained
  _, _, x_test, y_test = digits
  first = features.feature_fn(classifier)(x_test)
  assert first.shape == (len(x_test), classifier.meta["feature_dim"])
  np.testing.assert_array_equal(first, features.feature_fn(classifier)(x_test))
  np.testing.assert_allclose(features.feature_fn(classifier, batch_size=7)(x_test), first,
                             rtol=1e-5, atol=1e-5)
  logits = features.logits_fn(classifier)(x_test)
  assert np.mean(np.argmax(logits, 1) == y_test) == classifier.meta["test_accuracy"]


@pytest.mark.slow  # trains the digits classifier once per module (~25 s of one core)
def test_image_metrics_in_classifier_space_rank_real_above_noise_and_half_the_classes(trained, digits):
  classifier, _ = trained
  x_train, _, x_test, y_test = digits
  feature_fn, logits_fn = features.feature_fn(classifier), features.logits_fn(classifier)
  key = jax.random.PRNGKey(0)
  real = image_metrics(x_test, x_train, feature_fn, logits_fn, y_test, key=key)
  assert real["label_accuracy"] == classifier.meta["test_accuracy"]
  assert real["modes_covered"] == 10 and real["class_kl"] < 0.01
  assert real["precision"] > 0.8 and real["recall"] > 0.8  # held-out digits: on the manifold
  noise = np.asarray(jax.random.uniform(jax.random.PRNGKey(1), x_test.shape, minval=-1), np.float32)
  fake = image_metrics(noise, x_train, feature_fn, key=key)
  assert real["fd"] < fake["fd"] / 10 and real["kid"] < fake["kid"] / 10
  assert fake["recall"] < 0.2 and fake["precision"] < real["precision"]
  low = y_test < 5  # a "generator" that only draws digits 0-4
  half = image_metrics(x_test[low], x_train, feature_fn, logits_fn, key=key)
  assert half["precision"] > 0.8 and 0.4 < half["recall"] < 0.6
  assert half["class_kl"] > 0.5  # log 2 = 0.69 for exactly half the classes
  assert real["fd"] < half["fd"] < fake["fd"]


@pytest.mark.parametrize("size", [16, 28, 32])
def test_classifier_network_serves_any_resolution(size):
  model = ConvClassifier(num_classes=10)
  x = jnp.zeros((2, size, size, 1))
  params = model.init(jax.random.PRNGKey(0), x)["params"]
  logits, feats = model.apply({"params": params}, x)
  assert logits.shape == (2, 10) and feats.shape == (2, model.feature_dim)
  reference = model.init(jax.random.PRNGKey(0), jnp.zeros((1, 8, 8, 1)))["params"]
  chex.assert_trees_all_equal_shapes(params, reference)


def test_train_classifier_rejects_bad_input(digits):
  x_train, y_train, x_test, y_test = digits
  with pytest.raises(ValueError, match="x_train"):
    features.train_classifier(x_train[..., 0], y_train, x_test, y_test, key=jax.random.PRNGKey(0))
  with pytest.raises(ValueError, match="y_test"):
    features.train_classifier(x_train, y_train, x_test, y_test[:5], key=jax.random.PRNGKey(0))


def test_cache_location(monkeypatch, tmp_path):
  monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
  assert features.default_cache_dir() == tmp_path / "gen_jax" / "classifiers"
  assert features.classifier_dir("mnist", (28, 28, 1)) == tmp_path / "gen_jax/classifiers/mnist-28x28x1"
  with pytest.raises(ValueError, match="dataset_name"):
    features.classifier_dir("a/b", (8, 8, 1))


def test_batched_apply_pads_the_last_batch_and_compiles_once():
  @jax.jit
  @chex.assert_max_traces(n=1)
  def double(x):
    return 2 * x

  x = np.arange(10, dtype=np.float32).reshape(10, 1)
  np.testing.assert_array_equal(batched_apply(double, x, batch_size=4), 2 * x)
  with pytest.raises(ValueError, match="batch_size"):
    batched_apply(double, x, batch_size=0)
