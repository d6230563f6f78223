"""Metrics of image-to-image translation on the digit domains (gen_jax.data.digit_domains), judged by
gen_jax's ConvClassifier trained here on the real images (gen_jax.eval.features, cached like the
sample-quality classifiers; settings eval.classifier_cache_dir, classifier_steps, image_batch_size).

Unpaired translation A -> B (CycleGAN on digits_unpaired: A handwritten, B printed), on the held-out
images a (labels y_a) and b:

  label_preserved  = mean_i [argmax digit_classifier(G(a_i)) = y_a,i]   the digit survives translation
  domain_accuracy  = mean_i [argmax domain_classifier(G(a_i)) = B]      the output looks like domain B
  cycle_error      = mean_i |F(G(a_i)) - a_i|_1                        (mean absolute pixel error)
  fd               = Frechet distance of the digit classifier's features of G(a) and b
  fd_source        = the same between a and b: the distance before translation

The digit classifier is trained on both domains' training images (10 digit classes), the domain
classifier on both labelled by domain; their held-out accuracies on real images are reported
(digit_classifier_accuracy, domain_classifier_accuracy): the ceiling of the two accuracies. The
direction B -> A reports the same keys with the suffix '_ba'.

Attribute editing (StarGAN / AttGAN on digits_attributes): every held-out image x (source digit
y_x) is edited to each of the 9 attribute domains d' (attributes c' = attribute_vectors(d')):

  attribute_accuracy  = mean over edits and the 4 attributes k of [c_k(argmax domain_classifier(y)) = c'_k]
  target_accuracy     = mean over edits of [argmax domain_classifier(y) = d'] (all 4 attributes right)
  identity_preserved  = mean over edits of [argmax digit_classifier(y) = y_x]: the edited image still
                        shows the source digit, as judged by a digit classifier trained on all 9 domains
  fd                  = Frechet distance of the domain classifier's features of the edits and of the
                        held-out images (all domains, each domain as often as in the edits)

with the two classifiers' accuracies on the real held-out images beside them (attribute_accuracy_real,
target_accuracy_real, identity_classifier_accuracy).

The tfds datasets (horse2zebra through 'tfds_unpaired:NAME', celeb_a_attributes) have no digit labels:
there the metrics that need them (label_preserved, identity_preserved and their classifier
accuracies) are left out, `fd` is measured in the domain classifier's features, and the classifiers
are trained on the data.eval_examples reference images of each split. celeb_a_attributes, whose
domains are all 2^K combinations of data.attributes, is scored by single-attribute flips
(`flip_metrics`) instead of edits to every domain.
"""

from typing import Callable

import numpy as np

from gen_jax.data import digit_domains
from gen_jax.eval import features
from gen_jax.eval.frechet import features_frechet_distance
from gen_jax.eval.sample_quality import classifier_name, eval_settings, to_unit_range


def _classifier(name: str, x_train, y_train, x_test, y_test, settings) -> features.Classifier:
  return features.load_or_train_classifier(name, x_train, y_train, x_test, y_test,
                                           settings["classifier_cache_dir"] or None,
                                           steps=settings["classifier_steps"], verbose=settings["progress"])


def _predict(classifier: features.Classifier, images, settings) -> np.ndarray:
  return np.argmax(features.logits_fn(classifier, settings["image_batch_size"])(images), axis=-1)


def _direction(translate: Callable, source, target, labels, digit, domain, target_domain: int, settings) -> dict:
  """The A -> B metrics of `translate` (module doc) on images in [-1, 1]; without `digit` (no digit
  labels) no label_preserved, and fd in the domain classifier's features."""
  translated, cycled = translate(source)
  judge = features.feature_fn(digit if digit is not None else domain, settings["image_batch_size"])
  metrics = {"domain_accuracy": float(np.mean(_predict(domain, translated, settings) == target_domain)),
             "cycle_error": float(np.mean(np.abs(cycled - source))),
             "fd": features_frechet_distance(judge(translated), judge(target)),
             "fd_source": features_frechet_distance(judge(source), judge(target))}
  if digit is not None:
    metrics["label_preserved"] = float(np.mean(_predict(digit, translated, settings) == labels))
  return metrics


def cycle_metrics(translate: Callable, dataset, eval_config) -> dict:
  """CycleGAN's metrics (module doc) on an unpaired `dataset` (digits_unpaired, 'tfds_unpaired:NAME').

  `translate(a, b) -> (G(a), F(b))` maps batches of each domain's images (the dataset's value range).
  """
  settings = eval_settings(eval_config)
  value_range = dataset.spec.value_range
  c = dataset.spec.example_shape[-1] // 2
  unit = {split: to_unit_range(getattr(dataset, split)["x"], value_range) for split in ("train", "test")}
  both = lambda split: np.concatenate([unit[split][..., :c], unit[split][..., c:]])
  domains = lambda split: np.repeat([0, 1], len(unit[split])).astype(np.int32)
  name = classifier_name(dataset.spec)
  labels, digit = {"test": (None, None)}, None
  if dataset.spec.name == "digits_unpaired":
    labels = {split: digit_domains.unpaired_labels(split) for split in ("train", "test")}
    digit = _classifier(f"{name}-digit", both("train"), np.concatenate(labels["train"]), both("test"),
                        np.concatenate(labels["test"]), settings)
  domain = _classifier(f"{name}-domain", both("train"), domains("train"), both("test"), domains("test"), settings)
  lo, hi = value_range
  to_model = lambda x: (np.asarray(x) + 1.0) / 2.0 * (hi - lo) + lo
  to_unit = lambda x: to_unit_range(np.asarray(x), value_range)

  def translate_unit(a, b):
    fake_b, fake_a = translate(to_model(a), to_model(b))
    cycled_b, cycled_a = translate(fake_a, fake_b)
    return to_unit(fake_b), to_unit(fake_a), to_unit(cycled_a), to_unit(cycled_b)

  a, b = unit["test"][..., :c], unit["test"][..., c:]
  fake_b, fake_a, cycled_a, cycled_b = translate_unit(a, b)
  forward = _direction(lambda _: (fake_b, cycled_a), a, b, labels["test"][0], digit, domain, 1, settings)
  backward = _direction(lambda _: (fake_a, cycled_b), b, a, labels["test"][1], digit, domain, 0, settings)
  accuracies = {"domain_classifier_accuracy": float(domain.meta["test_accuracy"])}
  if digit is not None:
    accuracies["digit_classifier_accuracy"] = float(digit.meta["test_accuracy"])
  return {**forward, **{f"{k}_ba": v for k, v in backward.items()}, **accuracies}


def attribute_metrics(edit: Callable, dataset, eval_config) -> dict:
  """StarGAN's and AttGAN's metrics (module doc) on an attribute `dataset` (digits_attributes,
  celeb_a_attributes).

  `edit(x, attributes) -> images` edits a batch x [n, H, W, C] (the dataset's value range) towards
  the attribute vectors [n, K]. Datasets whose domains are all 2^K attribute combinations
  (celeb_a_attributes) are scored by `flip_metrics`.
  """
  settings = eval_settings(eval_config)
  spec = dataset.spec
  table = np.asarray(spec.attribute_table)                                        # [domains, K]
  if len(table) == 2 ** table.shape[1]:
    return flip_metrics(edit, dataset, settings)
  value_range = spec.value_range
  train_x, test_x = (to_unit_range(s["x"], value_range) for s in (dataset.train, dataset.test))
  name = classifier_name(spec)
  domain = _classifier(name, train_x, dataset.train["y"], test_x, dataset.test["y"], settings)
  n, num_domains = len(test_x), len(table)
  targets = np.repeat(np.arange(num_domains), n)                                  # [domains n], domain-major
  target_attributes = table[targets]
  sources = np.tile(np.asarray(dataset.test["x"]), (num_domains, 1, 1, 1))        # [domains n, H, W, C]
  batch = settings["image_batch_size"]
  edits = to_unit_range(_edit_all(edit, sources, target_attributes, batch), value_range)
  predicted = _predict(domain, edits, settings)
  predicted_real = _predict(domain, test_x, settings)
  domain_features = features.feature_fn(domain, batch)
  metrics = {
      "attribute_accuracy": float(np.mean(table[predicted] == target_attributes)),
      "target_accuracy": float(np.mean(predicted == targets)),
      "fd": features_frechet_distance(domain_features(edits), domain_features(test_x)),
      "attribute_accuracy_real": float(np.mean(table[predicted_real] == table[dataset.test["y"]])),
      "target_accuracy_real": float(np.mean(predicted_real == dataset.test["y"])),
      "num_edits": int(len(edits)),
  }
  if spec.name == "digits_attributes":
    digit = _classifier(f"{name}-digit", train_x, digit_domains.attribute_digit_labels("train"), test_x,
                        digit_domains.attribute_digit_labels("test"), settings)
    source_digits = np.tile(digit_domains.attribute_digit_labels("test"), num_domains)
    metrics["identity_preserved"] = float(np.mean(_predict(digit, edits, settings) == source_digits))
    metrics["identity_classifier_accuracy"] = float(digit.meta["test_accuracy"])
  return metrics


def _edit_all(edit: Callable, sources: np.ndarray, attributes: np.ndarray, batch: int) -> np.ndarray:
  """edit(sources, attributes) [n, H, W, C] computed `batch` rows at a time."""
  return np.concatenate([np.asarray(edit(sources[i:i + batch], attributes[i:i + batch]))
                         for i in range(0, len(sources), batch)])


def flip_metrics(edit: Callable, dataset, settings: dict) -> dict:
  """Single-attribute edits of an attribute dataset whose domains are all 2^K combinations (celeb_a_attributes):
  every held-out image x (attributes a) is edited to a with attribute k flipped, for each k, and judged by
  a binary classifier C_k of attribute k (trained on the reference training images), as StarGAN and
  AttGAN score their CelebA edits:

    attribute_accuracy_NAME = mean_x [C_k(edit_k(x)) = 1 - a_k]     (the edit shows the flipped attribute)
    attribute_accuracy      = their mean over the K attributes
    attribute_accuracy_real(_NAME) = C_k's accuracy on the real held-out images, the ceiling.
  """
  spec = dataset.spec
  table = np.asarray(spec.attribute_table)
  train_x, test_x = (to_unit_range(s["x"], spec.value_range) for s in (dataset.train, dataset.test))
  train_a, test_a = table[np.asarray(dataset.train["y"])], table[np.asarray(dataset.test["y"])]  # [n, K]
  sources = np.asarray(dataset.test["x"])
  metrics = {}
  for k, attribute in enumerate(spec.attribute_names):
    judge = _classifier(f"{classifier_name(spec)}-{attribute}", train_x, train_a[:, k].astype(np.int32), test_x,
                        test_a[:, k].astype(np.int32), settings)
    targets = test_a.copy()
    targets[:, k] = 1.0 - targets[:, k]
    edits = to_unit_range(_edit_all(edit, sources, targets, settings["image_batch_size"]), spec.value_range)
    metrics[f"attribute_accuracy_{attribute}"] = float(np.mean(_predict(judge, edits, settings) == targets[:, k]))
    metrics[f"attribute_accuracy_real_{attribute}"] = float(np.mean(_predict(judge, test_x, settings) == test_a[:, k]))
  names = spec.attribute_names
  return {"attribute_accuracy": float(np.mean([metrics[f"attribute_accuracy_{a}"] for a in names])),
          "attribute_accuracy_real": float(np.mean([metrics[f"attribute_accuracy_real_{a}"] for a in names])),
          **metrics, "num_edits": len(names) * len(sources)}
