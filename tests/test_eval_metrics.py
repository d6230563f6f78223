"""Known-answer tests of the sample-quality metrics (gen_jax.eval)."""

import jax
import numpy as np
import pytest
import scipy.linalg
import scipy.stats

from gen_jax.eval import classifier_metrics as cm
from gen_jax.eval.frechet import feature_statistics, features_frechet_distance, frechet_distance
from gen_jax.eval.image_metrics import image_metrics
from gen_jax.eval.kernel_distance import kernel_distance, mmd2_unbiased, polynomial_kernel
from gen_jax.eval.precision_recall import knn_radii, manifold_coverage, precision_recall


def gaussian(seed, n, d, mean=0.0, scale=1.0):
  return np.asarray(mean + scale * jax.random.normal(jax.random.PRNGKey(seed), (n, d)), np.float64)


# ---------------------------------------------------------------- Frechet distance

def test_feature_statistics_are_mean_and_unbiased_covariance():
  x = gaussian(0, 50, 3)
  mu, cov = feature_statistics(x)
  np.testing.assert_allclose(mu, x.mean(0))
  np.testing.assert_allclose(cov, (x - mu).T @ (x - mu) / 49)
  with pytest.raises(ValueError, match="features"):
    feature_statistics(np.zeros((1, 3)))


def test_frechet_distance_of_identical_sets_is_zero():
  x = gaussian(1, 2000, 16)
  assert features_frechet_distance(x, x) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_matches_scipy_sqrtm_formula():
  a, b = gaussian(2, 40, 6), gaussian(3, 40, 6)
  cov1, cov2 = a.T @ a / 40, b.T @ b / 40 + 0.1 * np.eye(6)  # non-commuting
  mu1, mu2 = np.arange(6.0), np.ones(6)
  reference = (np.sum((mu1 - mu2) ** 2) + np.trace(cov1) + np.trace(cov2)
               - 2 * np.trace(scipy.linalg.sqrtm(cov1 @ cov2).real))
  assert frechet_distance(mu1, cov1, mu2, cov2) == pytest.approx(reference, rel=1e-9)


def test_frechet_distance_is_finite_for_singular_covariances():
  v = np.array([[1.0, 2.0, 0.0]])
  cov1, cov2 = v.T @ v, np.diag([0.0, 0.0, 4.0])  # both rank 1
  # tr(C1) + tr(C2) - 2 tr((C1^1/2 C2 C1^1/2)^1/2) with orthogonal supports: 5 + 4 - 0
  assert frechet_distance(np.zeros(3), cov1, np.zeros(3), cov2) == pytest.approx(9.0)
  with pytest.raises(ValueError, match="cov1, cov2"):
    frechet_distance(np.zeros(3), cov1, np.zeros(3), np.eye(2))


def test_sample_frechet_distance_approaches_closed_form():
  # N(0, I) vs N(m, s^2 I): FD = ||m||^2 + d (1 - s)^2.
  d, n, s = 8, 20_000, 1.5
  m = np.linspace(-1, 1, d)
  exact = np.sum(m ** 2) + d * (1 - s) ** 2
  estimate = features_frechet_distance(gaussian(4, n, d), gaussian(5, n, d, m, s))
  # The sample estimate's bias is O(d^2 / n) and its spread O(sqrt(d / n)); 0.1 is > 5 of them.
  assert estimate == pytest.approx(exact, abs=0.1)


# ---------------------------------------------------------------- kernel distance

def test_mmd2_unbiased_matches_double_loop():
  x, y = gaussian(6, 7, 3), gaussian(7, 7, 3, 0.5)
  k = lambda a, b: (a @ b / 3 + 1) ** 3
  m = 7
  xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
  yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
  xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / m ** 2
  assert mmd2_unbiased(x, y) == pytest.approx(xx + yy - 2 * xy, rel=1e-10)
  assert polynomial_kernel(x, y).shape == (7, 7)


def test_kid_of_identical_distributions_is_zero_within_its_stderr():
  num_subsets = 10
  kid, stderr = kernel_distance(gaussian(8, 10_000, 16), gaussian(9, 10_000, 16),
                                key=jax.random.PRNGKey(0), num_subsets=num_subsets)
  # Disjoint subsets are independent: kid / stderr ~ Student t with 9 dof; alpha = 0.01.
  assert stderr > 0
  assert abs(kid / stderr) < scipy.stats.t.ppf(0.995, num_subsets - 1)


def test_kid_is_positive_for_shifted_distribution_and_deterministic():
  x, y = gaussian(10, 10_000, 16), gaussian(11, 10_000, 16, mean=0.3)
  kid, stderr = kernel_distance(x, y, key=jax.random.PRNGKey(1))
  assert kid > 0 and kid / stderr > scipy.stats.t.ppf(0.99, 9)
  assert kernel_distance(x, y, key=jax.random.PRNGKey(1)) == (kid, stderr)
  with pytest.raises(ValueError, match="num_subsets"):
    kernel_distance(x, y, key=jax.random.PRNGKey(1), num_subsets=1)


# ---------------------------------------------------------------- precision and recall

def test_knn_radii_match_brute_force():
  x = gaussian(12, 300, 5)
  distances = np.linalg.norm(x[:, None] - x[None], axis=-1)
  expected = np.sort(distances, axis=1)[:, 3]  # column 0 is the point itself
  np.testing.assert_allclose(knn_radii(x, k=3, batch_size=64), expected, rtol=1e-4, atol=1e-4)
  with pytest.raises(ValueError, match="k"):
    knn_radii(x, k=300)


def test_identical_sets_have_precision_and_recall_one():
  x = gaussian(13, 2000, 32)
  assert precision_recall(x, x, batch_size=512) == (1.0, 1.0)


def test_far_apart_sets_have_precision_and_recall_zero():
  assert precision_recall(gaussian(14, 1000, 8), gaussian(15, 1000, 8, mean=100.0)) == (0.0, 0.0)


def test_generator_covering_half_the_modes_has_full_precision_half_recall():
  centers = np.repeat(np.eye(4) * 50, 500, axis=0)  # 4 far-apart modes, 500 points each
  real = centers + gaussian(16, 2000, 4)
  generated = centers[:1000] + gaussian(17, 1000, 4)  # the first two modes only
  precision, recall = precision_recall(real, generated)
  assert precision > 0.95
  assert 0.45 < recall <= 0.5


def test_manifold_coverage_uses_the_radii():
  reference = np.zeros((1, 2))
  query = np.array([[1.0, 0.0], [0.0, 2.0]])
  assert manifold_coverage(query, reference, np.array([1.5])) == 0.5
  with pytest.raises(ValueError, match="radii"):
    manifold_coverage(query, reference, np.array([1.0, 2.0]))


# ---------------------------------------------------------------- classifier metrics

def one_hot_logits(classes, num_classes=10):
  return np.eye(num_classes)[np.asarray(classes)] * 5.0


def test_all_samples_one_class_cover_one_mode_with_kl_log10():
  logits = one_hot_logits(np.full(100, 3))
  assert cm.modes_covered(logits) == 1
  assert cm.class_kl(logits) == pytest.approx(np.log(10))
  np.testing.assert_array_equal(cm.class_histogram(logits), np.eye(10)[3] * 100)


def test_balanced_samples_cover_all_modes_with_zero_kl():
  logits = one_hot_logits(np.arange(1000) % 10)
  assert cm.modes_covered(logits) == 10
  assert cm.class_kl(logits) == pytest.approx(0.0, abs=1e-12)
  assert cm.modes_covered(one_hot_logits([0, 0, 1]), min_count=2) == 1


def test_class_kl_against_a_given_prior():
  logits = one_hot_logits([0, 1, 1, 1], num_classes=2)
  prior = np.array([0.5, 0.5])
  expected = 0.25 * np.log(0.25 / 0.5) + 0.75 * np.log(0.75 / 0.5)
  assert cm.class_kl(logits, prior) == pytest.approx(expected)
  assert cm.class_kl(logits, np.array([0.0, 1.0])) == np.inf
  with pytest.raises(ValueError, match="prior"):
    cm.class_kl(logits, np.array([0.3, 0.3]))


def test_label_accuracy():
  logits = one_hot_logits([0, 1, 2, 3])
  assert cm.label_accuracy(logits, [0, 1, 2, 9]) == 0.75
  with pytest.raises(ValueError, match="labels"):
    cm.label_accuracy(logits, [0, 1])


# ---------------------------------------------------------------- image_metrics

def flatten(images):
  return np.asarray(images).reshape(len(images), -1)


def test_image_metrics_of_identical_images():
  images = np.asarray(jax.random.uniform(jax.random.PRNGKey(18), (400, 4, 4, 1)), np.float32)
  logits_fn = lambda x: one_hot_logits(np.arange(len(x)) % 10)
  labels = np.arange(400) % 10
  metrics = image_metrics(images, images, flatten, logits_fn, labels, key=jax.random.PRNGKey(0))
  assert set(metrics) == {"fd", "kid", "kid_stderr", "precision", "recall", "modes_covered",
                          "class_kl", "label_accuracy"}
  assert metrics["fd"] == pytest.approx(0.0, abs=1e-6)
  assert metrics["precision"] == metrics["recall"] == 1.0
  assert metrics["modes_covered"] == 10 and metrics["label_accuracy"] == 1.0
  assert metrics == image_metrics(images, images, flatten, logits_fn, labels,
                                  key=jax.random.PRNGKey(0))


def test_image_metrics_of_shifted_images_and_bad_arguments():
  real = np.asarray(jax.random.uniform(jax.random.PRNGKey(19), (400, 4, 4, 1)), np.float32)
  metrics = image_metrics(real + 10.0, real, flatten, key=jax.random.PRNGKey(0))
  assert set(metrics) == {"fd", "kid", "kid_stderr", "precision", "recall"}
  assert metrics["fd"] == pytest.approx(16 * 100, rel=1e-3)  # ||10 * 1_16||^2
  assert metrics["precision"] == metrics["recall"] == 0.0 and metrics["kid"] > 0
  with pytest.raises(ValueError, match="labels"):
    image_metrics(real, real, flatten, labels=np.zeros(400), key=jax.random.PRNGKey(0))
