"""Frechet distance between Gaussian fits of two feature sets (FID when the features are
Inception-v3 pool3 activations), computed in float64 on the host."""

import numpy as np


def feature_statistics(features) -> tuple[np.ndarray, np.ndarray]:
  """(mu, Sigma) of features [N, D]: the sample mean [D] and unbiased covariance [D, D]
  Sigma = sum_i (f_i - mu)(f_i - mu)^T / (N - 1), in float64."""
  features = np.asarray(features, np.float64)
  if features.ndim != 2 or features.shape[0] < 2:
    raise ValueError(f"features: expected [N, D] with N >= 2, got shape {features.shape}")
  return features.mean(axis=0), np.cov(features, rowvar=False).reshape(features.shape[1], -1)


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
  """The symmetric square root V diag(sqrt(max(w, 0))) V^T of a symmetric PSD matrix."""
  eigenvalues, eigenvectors = np.linalg.eigh((matrix + matrix.T) / 2)
  return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0, None))) @ eigenvectors.T


def frechet_distance(mu1, cov1, mu2, cov2) -> float:
  """||mu1 - mu2||^2 + tr(C1) + tr(C2) - 2 tr((C1^{1/2} C2 C1^{1/2})^{1/2}).

  The cross term equals tr((C1 C2)^{1/2}) of the usual FID formula; it is computed from
  eigendecompositions of the symmetric PSD matrices C1 and C1^{1/2} C2 C1^{1/2} (negative
  round-off eigenvalues clipped to 0), so it is real and stable even for singular
  covariances, where scipy.linalg.sqrtm(C1 C2) needs an epsilon fix.
  """
  mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
  cov1, cov2 = np.asarray(cov1, np.float64), np.asarray(cov2, np.float64)
  d = mu1.shape[0]
  if mu1.shape != (d,) or mu2.shape != (d,):
    raise ValueError(f"mu1, mu2: expected equal shapes [D], got {mu1.shape}, {mu2.shape}")
  if cov1.shape != (d, d) or cov2.shape != (d, d):
    raise ValueError(f"cov1, cov2: expected [{d}, {d}], got {cov1.shape}, {cov2.shape}")
  sqrt1 = _psd_sqrt(cov1)
  middle = sqrt1 @ cov2 @ sqrt1
  cross = np.sum(np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)))
  value = np.sum((mu1 - mu2) ** 2) + np.trace(cov1) + np.trace(cov2) - 2 * cross
  return float(max(value, 0.0))


def features_frechet_distance(features1, features2) -> float:
  """frechet_distance of the Gaussian fits (feature_statistics) of two feature sets."""
  return frechet_distance(*feature_statistics(features1), *feature_statistics(features2))
