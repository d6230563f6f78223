"""Sample-quality evaluation of image models (gen_jax.eval.sample_quality): known answers with
stand-in generators on the real digits, exact repeatability, and the wiring into evaluate_run.

The feature classifier is trained once per module into a temporary cache (few steps)."""

import json

import jax
import numpy as np
import pytest

from configs import default
from gen_jax import data as gdata
from gen_jax.eval import inception, sample_quality
from gen_jax.eval.frechet import features_frechet_distance
from gen_jax.eval.report import run_sample_quality
from gen_jax.train.run_evaluation import evaluate_run
from gen_jax.train.family import Trainer
from gen_jax.train.loop import train_and_evaluate
from tests.helpers.cli import run_at_full_optimization

CLASSIFIER_STEPS = 150  # ~97% test accuracy on the 8x8 digits


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
  """A classifier cache holding the digits metric classifier of `digits_config`, trained by a subprocess at full
  XLA optimization (the test run compiles at level 0, where training is 15x slower; tests/conftest.py)."""
  directory = str(tmp_path_factory.mktemp("classifiers"))
  run_at_full_optimization(
      "from gen_jax import data as gdata; from gen_jax.eval import sample_quality\n"
      f"from tests.test_sample_quality import digits_config\nc = digits_config({directory!r})\n"
      "sample_quality.metric_classifier(c.eval, gdata.load(c.data))")
  return directory


def digits_config(cache_dir, model="gan", **data):
  c = default.get_config()
  c.data.name = "digits"
  c.model.name = model
  for name, value in data.items():
    c.data[name] = value
  c.eval.classifier_cache_dir = cache_dir
  c.eval.classifier_steps = CLASSIFIER_STEPS
  c.eval.progress = False
  return c


@pytest.fixture(scope="module")
def digits():
  c = default.get_config()
  c.data.name = "digits"
  return gdata.load(c.data)


def stand_in_trainer(sample_fn, sample_labelled=None) -> Trainer:
  unused = lambda *args: None
  return Trainer(init=unused, update=unused, sample=sample_fn, save_pictures=unused, evaluate=unused,
                 sample_labelled=sample_labelled)


def resampler(images):
  """sample(state, key, n): n rows of `images` drawn uniformly with replacement."""
  return lambda state, key, n: images[np.asarray(jax.random.randint(key, (n,), 0, len(images)))]


def test_to_unit_range_maps_and_clips():
  x = np.array([0.0, 0.25, 1.0, 1.5, -0.2])
  np.testing.assert_allclose(sample_quality.to_unit_range(x, (0.0, 1.0)), [-1.0, -0.5, 1.0, 1.0, -1.0])
  np.testing.assert_allclose(sample_quality.to_unit_range(x, (-1, 1)), [0.0, 0.25, 1.0, 1.0, -0.2])
  with pytest.raises(ValueError, match="value_range"):
    sample_quality.to_unit_range(x, (1.0, 1.0))


def test_eval_settings_defaults_for_old_runs_and_bad_values():
  c = default.get_config()
  assert sample_quality.eval_settings(c.eval) == sample_quality.DEFAULTS
  old = default.get_config().eval.to_dict()
  del old["num_image_samples"], old["inception_weights"]
  assert sample_quality.eval_settings(old)["num_image_samples"] == 0
  for field, bad in (("num_image_samples", -1), ("image_batch_size", 0), ("classifier_steps", 2.5),
                     ("classifier_steps", True)):
    with pytest.raises(ValueError, match=f"eval.{field}"):
      sample_quality.eval_settings({**old, field: bad})


def test_generate_batches_with_folded_keys():
  sample_fn = lambda state, key, n: state + jax.random.uniform(key, (n, 2))
  key = jax.random.PRNGKey(3)
  out = sample_quality.generate(sample_fn, 10.0, key, 7, 3)
  expected = np.concatenate([np.asarray(sample_fn(10.0, jax.random.fold_in(key, b), 3)) for b in range(3)])[:7]
  np.testing.assert_array_equal(out, expected)
  with pytest.raises(ValueError, match="batch_size"):
    sample_quality.generate(sample_fn, 0.0, key, 7, 0)


def test_intended_labels_restart_each_batch():
  np.testing.assert_array_equal(sample_quality.intended_labels(7, 4, 3), [0, 1, 2, 0, 0, 1, 2])
  with pytest.raises(ValueError, match="num_classes"):
    sample_quality.intended_labels(7, 4, 0)


def test_reference_dataset_undoes_binarization():
  c = digits_config("", scale="0_1", binarize="static")
  binary = gdata.load(c.data)
  grey = sample_quality.reference_dataset(c.data, binary)
  assert set(np.unique(binary.test["x"])) == {0.0, 1.0}
  assert len(np.unique(grey.test["x"])) > 2 and not grey.spec.binarized
  np.testing.assert_array_equal(grey.test["y"], binary.test["y"])
  plain = gdata.load(digits_config("").data)
  assert sample_quality.reference_dataset(c.data, plain) is plain


def test_points_data_gets_no_image_metrics():
  c = default.get_config()
  data = gdata.load(c.data)
  trainer = stand_in_trainer(lambda state, key, n: np.zeros((n, 2)))
  assert sample_quality.sample_quality_metrics(c, trainer, data, None, jax.random.PRNGKey(0)) == {}


@pytest.mark.slow  # trains the digits classifier once for the module (~30-60 s on a busy core)
def test_good_generator_beats_collapsed_one_and_repeats_exactly(cache_dir, digits):
  c = digits_config(cache_dir)
  key = jax.random.PRNGKey(c.eval.seed)
  good = stand_in_trainer(resampler(digits.train["x"]))
  metrics = sample_quality.sample_quality_metrics(c, good, digits, None, key)
  again = sample_quality.sample_quality_metrics(c, good, digits, None, key)
  assert metrics == again
  zeros = digits.train["x"][digits.train["y"] == 0]
  collapsed = stand_in_trainer(resampler(zeros))
  bad = sample_quality.sample_quality_metrics(c, collapsed, digits, None, key)
  assert metrics["num_image_samples"] == len(digits.test["x"]) == 360
  assert metrics["classifier_accuracy"] > 0.9  # the judge's own held-out accuracy, reported beside its metrics
  assert metrics["modes_covered"] == 10 and metrics["class_kl"] < 0.05
  assert metrics["precision"] > 0.8 and metrics["recall"] > 0.8
  assert bad["modes_covered"] <= 2 and bad["class_kl"] > 1.5  # log 10 = 2.30 for one class
  assert bad["recall"] < 0.3 and bad["fd"] > 5 * metrics["fd"] and bad["kid"] > 5 * metrics["kid"]
  assert "label_accuracy" not in metrics


@pytest.mark.slow
def test_conditional_model_gets_label_accuracy(cache_dir, digits):
  by_class = [digits.train["x"][digits.train["y"] == k] for k in range(10)]

  def conditional(state, key, labels):  # row i shows a training image of class labels[i]
    keys = jax.random.split(key, len(labels))
    return np.stack([by_class[int(y)][int(jax.random.randint(k, (), 0, len(by_class[int(y)])))]
                     for k, y in zip(keys, labels)])

  c = digits_config(cache_dir, model="cgan")
  c.eval.num_image_samples = 250
  c.eval.image_batch_size = 100
  trainer = stand_in_trainer(None, conditional)
  metrics = sample_quality.sample_quality_metrics(c, trainer, digits, None, jax.random.PRNGKey(0))
  assert metrics["num_image_samples"] == 250 and metrics["label_accuracy"] > 0.9
  shifted = stand_in_trainer(None, lambda state, key, labels: conditional(state, key, (labels + 1) % 10))
  assert sample_quality.sample_quality_metrics(c, shifted, digits, None, jax.random.PRNGKey(0))[
      "label_accuracy"] < 0.2


@pytest.mark.slow
def test_fid_uses_the_inception_weights_feature_space(cache_dir, digits, monkeypatch):
  flat = lambda images: np.asarray(images).reshape(len(images), -1)[:, :16]
  monkeypatch.setattr(inception, "inception_weights_feature_fn",
                      lambda path, progress=False: flat if path == "weights.npz" else None)
  c = digits_config(cache_dir)
  c.eval.inception_weights = "weights.npz"
  trainer = stand_in_trainer(resampler(digits.train["x"]))
  key = jax.random.PRNGKey(c.eval.seed)
  metrics = sample_quality.sample_quality_metrics(c, trainer, digits, None, key)
  generated = sample_quality.generate(trainer.sample, None, jax.random.split(key)[0], 360, 500)
  assert metrics["fid"] == features_frechet_distance(flat(generated), flat(digits.test["x"]))


@pytest.mark.slow  # trains a VAE for 20 steps, then evaluates it twice
def test_evaluate_run_adds_image_metrics_and_repeats_exactly(cache_dir, tmp_path):
  from configs import vae_digits  # pylint: disable=import-outside-toplevel
  c = vae_digits.get_config()
  c.train.num_steps = 20
  c.train.log_every = c.train.checkpoint_every = c.train.eval_every = 20
  c.train.progress = False
  c.eval.iwae_k = 10
  c.eval.classifier_cache_dir = cache_dir
  c.eval.classifier_steps = CLASSIFIER_STEPS
  c.eval.progress = False
  workdir = str(tmp_path / "vae")
  train_and_evaluate(c, workdir)
  first = evaluate_run(workdir)
  second = evaluate_run(workdir)
  assert first == second
  for name in ("fd", "kid", "kid_stderr", "precision", "recall", "modes_covered", "class_kl"):
    assert np.isfinite(first[name]), name
  assert "label_accuracy" not in first and "fid" not in first
  only_quality = run_sample_quality(workdir)  # scripts/image_table.py's numbers are evaluate.py's
  assert only_quality == {k: first[k] for k in only_quality} and "nll" in first and "nll" not in only_quality
  with open(tmp_path / "vae" / "eval.json", encoding="utf-8") as f:
    assert json.load(f) == first
