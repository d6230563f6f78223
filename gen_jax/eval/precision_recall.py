"""Improved precision and recall (Kynkaanniemi et al. 2019) with k-nearest-neighbour manifolds.

The manifold of a feature set {phi_j} is the union of balls B(phi_j, r_j), r_j the distance
from phi_j to its k-th nearest neighbour in the set. Precision is the fraction of generated
features inside the real manifold; recall is the fraction of real features inside the
generated manifold. Distances are computed in batches of query rows on the device.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.eval.batching import batched_apply


def _squared_distances(query: jax.Array, reference: jax.Array) -> jax.Array:
  """||q_i - r_j||^2 = ||q_i||^2 + ||r_j||^2 - 2 q_i . r_j, clipped at 0: [B, D], [M, D] -> [B, M]."""
  cross = query @ reference.T
  return jnp.maximum(jnp.sum(query ** 2, 1)[:, None] + jnp.sum(reference ** 2, 1)[None] - 2 * cross, 0.0)


def _check_features(features, name: str) -> np.ndarray:
  features = np.asarray(features, np.float32)
  if features.ndim != 2 or features.shape[0] == 0:
    raise ValueError(f"{name}: expected non-empty features [N, D], got shape {features.shape}")
  return features


@functools.partial(jax.jit, static_argnums=2)
def _kth_neighbour_sq(query, reference, k):  # [B, D], [M, D] -> [B]
  return -jax.lax.top_k(-_squared_distances(query, reference), k + 1)[0][:, k]


@jax.jit
def _inside(query, reference, radii_sq):  # [B, D], [M, D], [M] -> [B] bool
  return jnp.any(_squared_distances(query, reference) <= radii_sq[None], axis=1)


def knn_radii(features, k: int = 3, batch_size: int = 1000) -> np.ndarray:
  """r_j = distance from row j of features [N, D] to its k-th nearest other row: [N].

  Each row is its own 0-th neighbour; exact duplicates count as neighbours at distance 0.
  """
  features = _check_features(features, "features")
  if not 1 <= k < features.shape[0]:
    raise ValueError(f"k: expected 1 <= k < N = {features.shape[0]}, got {k}")
  reference = jnp.asarray(features)
  return np.sqrt(batched_apply(lambda q: _kth_neighbour_sq(q, reference, k), features, batch_size))


def manifold_coverage(query, reference, radii, batch_size: int = 1000) -> float:
  """Fraction of query rows q [N, D] with ||q - r_j|| <= radii_j for some reference row r_j."""
  query = _check_features(query, "query")
  reference = _check_features(reference, "reference")
  radii = np.asarray(radii, np.float32)
  if radii.shape != (reference.shape[0],) or query.shape[1] != reference.shape[1]:
    raise ValueError(f"query, reference, radii: expected [N, D], [M, D], [M], got "
                     f"{query.shape}, {reference.shape}, {radii.shape}")
  reference_device, radii_sq = jnp.asarray(reference), jnp.asarray(radii ** 2)
  inside = batched_apply(lambda q: _inside(q, reference_device, radii_sq), query, batch_size)
  return float(np.mean(inside))


def precision_recall(real_features, generated_features, k: int = 3,
                     batch_size: int = 1000) -> tuple[float, float]:
  """(precision, recall): precision = P_gen[phi in real manifold],
  recall = P_real[phi in generated manifold], manifolds built with k-th-neighbour radii."""
  real = _check_features(real_features, "real_features")
  generated = _check_features(generated_features, "generated_features")
  precision = manifold_coverage(generated, real, knn_radii(real, k, batch_size), batch_size)
  recall = manifold_coverage(real, generated, knn_radii(generated, k, batch_size), batch_size)
  return precision, recall
