"""Kernel distance (KID, Binkowski et al. 2018): unbiased MMD^2 with the cubic polynomial
kernel, averaged over disjoint subsets, with its standard error."""

import jax
import numpy as np


def polynomial_kernel(x, y) -> np.ndarray:
  """k(x, y) = (x . y / d + 1)^3 for rows x [N, D], y [M, D]: the Gram matrix [N, M]."""
  return (x @ y.T / x.shape[1] + 1.0) ** 3


def mmd2_unbiased(x, y) -> float:
  """Unbiased MMD^2 between equal-size samples x, y [m, D] under `polynomial_kernel`:
  sum_{i!=j} k(x_i, x_j) / (m(m-1)) + sum_{i!=j} k(y_i, y_j) / (m(m-1))
  - 2 sum_{i,j} k(x_i, y_j) / m^2  (the estimator of KID's reference implementation)."""
  m = x.shape[0]
  k_xx, k_yy, k_xy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
  within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
  return float(within - 2 * k_xy.mean())


def kernel_distance(features1, features2, *, key: jax.Array,
                    num_subsets: int = 10) -> tuple[float, float]:
  """(KID, standard error): the mean of `mmd2_unbiased` over `num_subsets` disjoint random
  subsets of size m = min(N1, N2) // num_subsets drawn from each feature set, and
  std(ddof=1) / sqrt(num_subsets) over those subsets.

  Each subset's MMD^2 is unbiased for the population MMD^2, so the mean is too (its value does
  not depend on m in expectation); disjoint subsets are independent, so the standard error is
  honest. Computed in float64 on the host; `key` fixes the random subsets.
  """
  x, y = np.asarray(features1, np.float64), np.asarray(features2, np.float64)
  if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
    raise ValueError(f"features1, features2: expected [N, D] and [M, D], got {x.shape}, {y.shape}")
  if num_subsets < 2:
    raise ValueError(f"num_subsets: expected >= 2 (for a standard error), got {num_subsets}")
  m = min(len(x), len(y)) // num_subsets
  if m < 2:
    raise ValueError(f"features1, features2: need >= {2 * num_subsets} rows each for "
                     f"{num_subsets} subsets of >= 2, got {len(x)}, {len(y)}")
  key_x, key_y = jax.random.split(key)
  order_x = np.asarray(jax.random.permutation(key_x, len(x)))[:m * num_subsets]
  order_y = np.asarray(jax.random.permutation(key_y, len(y)))[:m * num_subsets]
  values = np.array([mmd2_unbiased(x[ix], y[iy]) for ix, iy in
                     zip(order_x.reshape(num_subsets, m), order_y.reshape(num_subsets, m))])
  return float(values.mean()), float(values.std(ddof=1) / np.sqrt(num_subsets))
