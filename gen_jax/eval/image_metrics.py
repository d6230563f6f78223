"""All sample-quality metrics of a set of generated images against real images, in one call."""

from typing import Callable

import jax
import numpy as np

from gen_jax.eval import classifier_metrics
from gen_jax.eval.frechet import features_frechet_distance
from gen_jax.eval.kernel_distance import kernel_distance
from gen_jax.eval.precision_recall import precision_recall


def image_metrics(generated, real, feature_fn: Callable[[np.ndarray], np.ndarray],
                  logits_fn: Callable[[np.ndarray], np.ndarray] | None = None, labels=None, *,
                  key: jax.Array, k: int = 3, kid_subsets: int = 10, class_prior=None,
                  min_count: int = 1) -> dict[str, float]:
  """Metrics of generated images [N, H, W, C] against real images [M, H, W, C].

  feature_fn: images -> features [N, F] (e.g. gen_jax.eval.features.feature_fn(classifier)
    or gen_jax.eval.inception.inception_feature_fn(...)).
  logits_fn: images -> class logits [N, K]; adds `modes_covered` (classes predicted for
    >= min_count samples) and `class_kl` (KL(predicted-class frequencies || class_prior),
    uniform prior by default).
  labels: intended labels [N] of conditional samples; adds `label_accuracy` (needs logits_fn).
  key: fixes KID's random subsets, so repeated evaluations agree exactly.

  Returns a dict with `fd` (Frechet distance of the feature Gaussians), `kid` and `kid_stderr`
  (unbiased cubic-kernel MMD^2 over `kid_subsets` disjoint subsets), `precision` and `recall`
  (k-NN manifolds), plus the classifier keys above.
  """
  if labels is not None and logits_fn is None:
    raise ValueError("labels: label_accuracy needs logits_fn, got logits_fn=None")
  generated_features, real_features = feature_fn(generated), feature_fn(real)
  kid, kid_stderr = kernel_distance(generated_features, real_features, key=key,
                                    num_subsets=kid_subsets)
  precision, recall = precision_recall(real_features, generated_features, k=k)
  metrics = dict(fd=features_frechet_distance(generated_features, real_features), kid=kid,
                 kid_stderr=kid_stderr, precision=precision, recall=recall)
  if logits_fn is not None:
    logits = logits_fn(generated)
    metrics["modes_covered"] = float(classifier_metrics.modes_covered(logits, min_count))
    metrics["class_kl"] = classifier_metrics.class_kl(logits, class_prior)
    if labels is not None:
      metrics["label_accuracy"] = classifier_metrics.label_accuracy(logits, labels)
  return metrics
