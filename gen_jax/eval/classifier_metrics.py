"""Classifier-based sample metrics: mode coverage, KL to the class prior (the stacked-MNIST
metric of Srivastava et al. 2017 / Lin et al. 2018), and accuracy of conditional samples."""

import numpy as np


def _check_logits(logits) -> np.ndarray:
  logits = np.asarray(logits)
  if logits.ndim != 2 or logits.shape[0] == 0:
    raise ValueError(f"logits: expected non-empty [N, K], got shape {logits.shape}")
  return logits


def class_histogram(logits) -> np.ndarray:
  """counts_k = #{i : argmax_j logits_ij = k}, for logits [N, K]: [K] int."""
  logits = _check_logits(logits)
  return np.bincount(np.argmax(logits, axis=1), minlength=logits.shape[1])


def modes_covered(logits, min_count: int = 1) -> int:
  """Number of classes k predicted for at least `min_count` samples: #{k : counts_k >= min_count}."""
  if min_count < 1:
    raise ValueError(f"min_count: expected >= 1, got {min_count}")
  return int(np.sum(class_histogram(logits) >= min_count))


def class_kl(logits, prior=None) -> float:
  """KL(p_hat || prior) = sum_k p_hat_k log(p_hat_k / prior_k), p_hat = counts / N the
  predicted-class frequencies (0 log 0 = 0; +inf where prior_k = 0 < p_hat_k).

  prior: [K] class probabilities; default uniform 1/K.
  """
  counts = class_histogram(logits)
  num_classes = counts.shape[0]
  prior = np.full(num_classes, 1.0 / num_classes) if prior is None else np.asarray(prior, np.float64)
  if prior.shape != (num_classes,) or np.any(prior < 0) or not np.isclose(prior.sum(), 1.0):
    raise ValueError(f"prior: expected {num_classes} non-negative probabilities summing to 1, "
                     f"got {prior}")
  p_hat = counts / counts.sum()
  support = p_hat > 0
  with np.errstate(divide="ignore"):
    return float(np.sum(p_hat[support] * (np.log(p_hat[support]) - np.log(prior[support]))))


def label_accuracy(logits, labels) -> float:
  """Fraction of samples classified as their intended label: mean_i [argmax_k logits_ik = y_i]."""
  logits = _check_logits(logits)
  labels = np.asarray(labels)
  if labels.shape != (logits.shape[0],):
    raise ValueError(f"labels: expected shape ({logits.shape[0]},), got {labels.shape}")
  return float(np.mean(np.argmax(logits, axis=1) == labels))
