"""Sample quality of a trained image model: its samples against the held-out images, by
`gen_jax.eval.image_metrics`, as `scripts/evaluate.py` reports them.

The metric space is the penultimate layer of gen_jax's digit/image classifier for the dataset
(trained once on the training split and cached, `gen_jax.eval.features`), plus Inception-v3's
pool3 for `fid` when `eval.inception_weights` names a weights file. Everything is computed on
images mapped to [-1, 1] (the classifier's and Inception's input range):

  x' = clip(2 (x - lo) / (hi - lo) - 1, -1, 1),  (lo, hi) = spec.value_range.

The real images are the held-out split. For binarized data they are the held-out split
WITHOUT binarization (grey levels): a Bernoulli decoder's samples are its means E[x | z], which
estimate those grey levels, and every model of a dataset is then measured against the same
images in the same feature space, so their numbers compare.

Config fields (group `eval`; runs saved before a field existed get the default in
`DEFAULTS`): seed (via the caller's key), num_image_samples (0 = as many as held-out images,
so precision and recall compare equal-size sets), image_batch_size, classifier_cache_dir,
classifier_steps, inception_weights, progress.
"""

import sys

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import tqdm

from gen_jax.checks import check_int
from gen_jax import data as gdata
from gen_jax.eval import features, inception
from gen_jax.eval.frechet import features_frechet_distance
from gen_jax.eval.image_metrics import image_metrics

DEFAULTS = dict(num_image_samples=0, image_batch_size=500, classifier_cache_dir="",
                classifier_steps=400, inception_weights="", progress=True)


def eval_settings(eval_config) -> dict:
  """The `DEFAULTS` fields of `eval_config` (defaults for missing ones), validated: ValueError
  naming the field unless the sizes are integers (num_image_samples >= 0, the others >= 1)."""
  settings = {name: eval_config.get(name, default) for name, default in DEFAULTS.items()}
  for name, minimum in (("num_image_samples", 0), ("image_batch_size", 1), ("classifier_steps", 1)):
    check_int(settings[name], f"eval.{name}", minimum)
  return settings


def to_unit_range(images, value_range) -> np.ndarray:
  """clip(2 (x - lo) / (hi - lo) - 1, -1, 1) as float32: images in `value_range` -> [-1, 1]."""
  lo, hi = (float(v) for v in value_range)
  if not hi > lo:
    raise ValueError(f"value_range: expected (lo, hi) with hi > lo, got {value_range!r}")
  images = np.asarray(images, np.float32)
  return np.clip(2.0 * (images - lo) / (hi - lo) - 1.0, -1.0, 1.0).astype(np.float32)


def reference_dataset(data_config, dataset: gdata.Dataset) -> gdata.Dataset:
  """`dataset`, or, when it is binarized, the same data (config `data_config`) without binarization."""
  if not dataset.spec.binarized:
    return dataset
  grey = ml_collections.ConfigDict(data_config.to_dict())
  grey.binarize = "none"
  return gdata.load(grey)


def generate(sample_fn, state, key: jax.Array, n: int, batch_size: int,
             progress: bool = False) -> np.ndarray:
  """n samples as one host array: batch b is sample_fn(state, fold_in(key, b), batch_size) for
  b = 0 .. ceil(n / batch_size) - 1, concatenated and cut to n rows.

  Every batch has the same size (one compilation; a model whose BatchNorm normalizes with the
  sampled batch's statistics always sees batch_size examples), and only one batch is on the
  device at a time.
  """
  if n < 1 or batch_size < 1:
    raise ValueError(f"n, batch_size: expected >= 1, got {n}, {batch_size}")
  num_batches = -(-n // batch_size)
  batches = [np.asarray(sample_fn(state, jax.random.fold_in(key, b), batch_size))
             for b in tqdm.trange(num_batches, desc="sampling", disable=not progress)]
  return np.concatenate(batches)[:n]


def intended_labels(n: int, batch_size: int, num_classes: int) -> np.ndarray:
  """Labels [n] of `generate`'s rows for a conditional model (`Trainer.sample_labelled`): row j of
  each batch has label j mod num_classes."""
  if num_classes < 1:
    raise ValueError(f"num_classes: expected >= 1 for a conditional model, got {num_classes}")
  return np.tile(np.arange(batch_size) % num_classes, -(-n // batch_size))[:n].astype(np.int32)


def classifier_name(spec) -> str:
  """The cache name of a dataset's classifiers: its name ('/' as '_', e.g. in 'tfds:cycle_gan/...'), with the
  attribute names of celeb_a_attributes (whose labels mean different things for different data.attributes)."""
  name = spec.name.replace("/", "_")
  return "-".join((name, *spec.attribute_names)) if spec.name == "celeb_a_attributes" else name


def metric_classifier(eval_config, reference: gdata.Dataset, suffix: str = "", seed: int = 0) -> features.Classifier:
  """The dataset's cached classifier '<classifier_name><suffix>' (trained with PRNGKey(seed) on `reference`'s
  training split in [-1, 1] if absent; eval.classifier_cache_dir, eval.classifier_steps): the metric network with
  the defaults."""
  settings = eval_settings(eval_config)
  value_range = reference.spec.value_range
  return features.load_or_train_classifier(
      classifier_name(reference.spec) + suffix, to_unit_range(reference.train["x"], value_range),
      reference.train["y"],
      to_unit_range(reference.test["x"], value_range), reference.test["y"], settings["classifier_cache_dir"] or None,
      seed=seed, steps=settings["classifier_steps"], verbose=settings["progress"])


def sample_quality_metrics(config, trainer, dataset: gdata.Dataset, state, key: jax.Array) -> dict:
  """Sample-quality metrics of the run's image model; {} for 2-D point data (whose family
  reports its own mode metrics).

  Keys: fd, kid, kid_stderr, precision, recall, modes_covered, class_kl (classifier feature
  space, see `image_metrics`), label_accuracy (conditional models: `Trainer.sample_labelled`), fid (Inception
  pool3 space, only with eval.inception_weights), num_image_samples, classifier_accuracy (the feature
  classifier's held-out accuracy: it identifies the judge, whose weights, trained once per cache on first use,
  depend on XLA's CPU thread count, so two fd values are comparable only when this matches). Data without labels has
  no classifier: then only fid (if configured) is reported. `key` fixes the samples and KID's
  subsets, so two evaluations of one checkpoint agree exactly.
  """
  spec = dataset.spec
  if spec.kind != "images":
    return {}
  settings = eval_settings(config.eval)
  reference = reference_dataset(config.data, dataset)
  if reference.test is None:
    raise ValueError(f"data.name: {spec.name!r} has no held-out split to compare samples with")
  real = to_unit_range(reference.test["x"], reference.spec.value_range)
  n = settings["num_image_samples"] or len(real)
  batch_size, progress = settings["image_batch_size"], settings["progress"]
  sample_key, kid_key = jax.random.split(key)
  conditional = trainer.sample_labelled is not None and spec.num_classes > 0
  sample = trainer.sample
  if conditional:
    sample = lambda state, key, m: trainer.sample_labelled(state, key, jnp.arange(m) % spec.num_classes)
  generated = to_unit_range(generate(sample, state, sample_key, n, batch_size, progress), spec.value_range)
  metrics = {"num_image_samples": n}
  if spec.num_classes > 0:
    classifier = metric_classifier(config.eval, reference)
    metrics["classifier_accuracy"] = float(classifier.meta["test_accuracy"])  # names the judge (see docstring)
    labels = intended_labels(n, batch_size, spec.num_classes) if conditional else None
    metrics.update(image_metrics(
        generated, real, features.feature_fn(classifier, batch_size, progress),
        features.logits_fn(classifier, batch_size), labels, key=kid_key))
  else:
    tqdm.tqdm.write(f"warning: data.name={spec.name!r} has no labels, so no feature classifier: "
                    "fd, kid, precision and recall are skipped", file=sys.stderr)
  inception_features = inception.inception_weights_feature_fn(settings["inception_weights"],
                                                              progress=progress)
  if inception_features is not None:
    metrics["fid"] = features_frechet_distance(inception_features(generated), inception_features(real))
  return metrics
