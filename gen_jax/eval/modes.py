"""The mode-collapse benchmark of VEEGAN (Srivastava et al., 2017) and PacGAN (Lin et al., 2018).

Protocol, on 2,500 generated samples from a mixture of K Gaussians with known
centres mu_k and common standard deviation sigma:

* a sample x is HIGH-QUALITY if min_k ||x - mu_k|| < 3 sigma;
* a mode k is CAPTURED if it is the nearest centre of at least one
  high-quality sample;
* p_hat_k = (high-quality samples nearest to mode k) / (high-quality samples),
  and the REVERSE KL is KL(p_hat || U) = sum_k p_hat_k log(K p_hat_k)
  (0 log 0 = 0): 0 for a perfectly balanced generator, log K when every
  high-quality sample sits in one mode.
"""

import math
from typing import Iterable, Mapping

import numpy as np

NUM_SAMPLES = 2500
QUALITY_STDS = 3.0


def nearest_modes(samples, centres) -> tuple[np.ndarray, np.ndarray]:
  """(index of the nearest centre [N], distance to it [N]) for samples [N, D] and centres [K, D]."""
  samples, centres = np.asarray(samples, np.float64), np.asarray(centres, np.float64)
  if samples.ndim != 2 or centres.ndim != 2 or samples.shape[1] != centres.shape[1]:
    raise ValueError(f"samples, centres: expected [N, D] and [K, D] arrays, got {samples.shape} "
                     f"and {centres.shape}")
  distances = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=-1)  # [N, K]
  nearest = np.argmin(distances, axis=1)
  return nearest, distances[np.arange(len(samples)), nearest]


def mode_histogram(samples, centres, std: float) -> tuple[np.ndarray, np.ndarray]:
  """(high-quality mask [N], counts of high-quality samples per mode [K])."""
  if not std > 0:
    raise ValueError(f"std: expected the mixture's positive standard deviation, got {std}")
  nearest, distance = nearest_modes(samples, centres)
  high_quality = distance < QUALITY_STDS * std
  counts = np.bincount(nearest[high_quality], minlength=len(centres))
  return high_quality, counts


def reverse_kl_to_uniform(counts) -> float:
  """KL(p_hat || U) = sum_k p_hat_k log(K p_hat_k), p_hat = counts / sum(counts); inf if all counts are 0."""
  counts = np.asarray(counts, np.float64)
  total = counts.sum()
  if total == 0:
    return math.inf
  p = counts[counts > 0] / total
  return float(np.sum(p * np.log(len(counts) * p)))


def mode_metrics(samples, centres, std: float) -> dict[str, float]:
  """The benchmark's numbers for samples [N, D] of a K-mode mixture with centres [K, D].

  Returns {'modes': captured modes, 'high_quality': % high-quality samples,
  'reverse_kl': KL(p_hat || U), 'num_modes': K, 'min_mode_fraction': the
  least-populated mode's share of the high-quality samples}.
  """
  high_quality, counts = mode_histogram(samples, centres, std)
  total = counts.sum()
  return {
      "modes": int(np.sum(counts > 0)),
      "high_quality": float(100.0 * np.mean(high_quality)),
      "reverse_kl": reverse_kl_to_uniform(counts),
      "num_modes": int(len(counts)),
      "min_mode_fraction": float(counts.min() / total) if total else 0.0,
  }


def mean_and_stderr(runs: Iterable[Mapping[str, float]]) -> dict[str, tuple[float, float]]:
  """For each key of the runs' dicts: (mean, standard error = sample std (ddof=1) / sqrt(n)).

  With one run the standard error is 0; with a non-finite value (e.g. the
  reverse KL of a run without high-quality samples) the mean is that value and
  the standard error NaN.
  """
  runs = list(runs)
  if not runs:
    raise ValueError("runs: expected at least one run's metrics, got none")
  summary = {}
  for name in runs[0]:
    values = np.array([float(run[name]) for run in runs])
    if not np.all(np.isfinite(values)):
      summary[name] = (float(np.mean(values)), math.nan)
      continue
    stderr = float(np.std(values, ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0
    summary[name] = (float(np.mean(values)), stderr)
  return summary


def table_row(label: str, summary: Mapping[str, tuple[float, float]], num_seeds: int, prefix: str = "") -> str:
  """A Markdown row as PacGAN's Table 1: modes, % high-quality, reverse KL as mean +- stderr
  (of the summary keys prefix + 'modes', ...: e.g. 'drs/' for discriminator rejection sampling)."""
  cells = [f"{summary[prefix + k][0]:.{d}f} ± {summary[prefix + k][1]:.{d}f}"
           for k, d in (("modes", 1), ("high_quality", 1), ("reverse_kl", 3))]
  return f"| {label} | {num_seeds} | " + " | ".join(cells) + " |"
