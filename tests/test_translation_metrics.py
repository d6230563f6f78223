"""The translation metrics (gen_jax.eval.translation) against translators whose answers are known: the identity,
a domain swap that returns real images of the other domain, an oracle that returns the real held-out image of
the requested domain, and single-attribute flips on a synthetic attribute dataset (celeb_a_attributes' path).

The judges are gen_jax's ConvClassifiers trained for few steps, so the tests compare the metrics with the
judges' own accuracies on real images rather than with fixed values. Training and judging run in one
subprocess at full XLA optimization (the test run compiles at level 0, where they are ~15x slower).
"""

import json

import ml_collections
import numpy as np
import pytest

from gen_jax.data import digit_domains
from gen_jax.data.spec import DataSpec, Dataset, split_dict
from gen_jax.eval import translation
from tests.helpers.cli import run_at_full_optimization
from tests.helpers.digit_domains import load as load_domain

pytestmark = pytest.mark.slow  # ~100 CPU-s: six judges trained, ~60,000 images judged


def oracle_edit(dataset):
  """edit(x, c') -> the real held-out image of the same source digit in the domain with attributes c'."""
  x = np.asarray(dataset.test["x"])
  n = len(x) // digit_domains.NUM_DOMAINS
  source_index = {image.tobytes(): k % n for k, image in enumerate(x)}
  table = np.asarray(dataset.spec.attribute_table)

  def edit(images, targets):
    domains = [int(np.flatnonzero((table == t).all(axis=1))[0]) for t in np.asarray(targets)]
    return np.stack([x[d * n + source_index[image.tobytes()]] for image, d in zip(np.asarray(images), domains)])
  return edit


def pattern(attributes: np.ndarray) -> np.ndarray:
  """8x8 images in [-1, 1] showing two binary attributes: a bright left half (0) and a bright top half (1)."""
  image = np.full((len(attributes), 8, 8, 1), -0.5, np.float32)
  image[:, :, :4] += attributes[:, 0, None, None, None]
  image[:, :4, :] += attributes[:, 1, None, None, None]
  return image


def flip_dataset(rng, n=400) -> Dataset:
  """All 2^2 attribute combinations as domains, the pattern plus noise: celeb_a_attributes' shape of data."""
  table = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)

  def split():
    y = rng.integers(0, 4, n)
    return split_dict(np.clip(pattern(table[y]) + 0.2 * rng.normal(size=(n, 8, 8, 1)), -1, 1), y)
  spec = DataSpec(name="flip_attributes", kind="images", example_shape=(8, 8, 1), num_classes=4,
                  value_range=(-1.0, 1.0), mode_centres=None, mode_std=None, binarized=False,
                  attribute_table=table, attribute_names=("left", "top"))
  return Dataset(spec=spec, train=split(), test=split())


def painted_edit(dataset):
  """edit(x, c') -> x with its own attribute pattern replaced by c''s (the same noise)."""
  table = dataset.spec.attribute_table
  source = {x.tobytes(): table[y] for x, y in zip(dataset.test["x"], dataset.test["y"])}
  return lambda x, targets: np.clip(np.stack([image - pattern(source[image.tobytes()][None])[0]
                                              for image in np.asarray(x)]) + pattern(np.asarray(targets)), -1, 1)


def compute_all(cache_dir: str, out_path: str) -> None:
  """Every translator's metrics, as JSON in out_path (run by the fixture at full optimization)."""
  config = ml_collections.ConfigDict({"classifier_cache_dir": cache_dir, "classifier_steps": 150,
                                      "image_batch_size": 512, "progress": False})
  unpaired, attributes = load_domain("digits_unpaired"), load_domain("digits_attributes")
  flips = flip_dataset(np.random.default_rng(0))
  identity = lambda x, _: x
  results = {
      "cycle_identity": translation.cycle_metrics(lambda a, b: (a, b), unpaired, config),
      "cycle_swap": translation.cycle_metrics(lambda a, b: (b, a), unpaired, config),
      "attribute_oracle": translation.attribute_metrics(oracle_edit(attributes), attributes, config),
      "attribute_identity": translation.attribute_metrics(identity, attributes, config),
      "flip_painted": translation.attribute_metrics(painted_edit(flips), flips, config),
      "flip_identity": translation.attribute_metrics(identity, flips, config),
      "num_attribute_images": len(attributes.test["x"]), "num_flip_images": len(flips.test["x"])}
  with open(out_path, "w", encoding="utf-8") as f:
    json.dump(results, f)


@pytest.fixture(scope="module")
def metrics(tmp_path_factory):
  directory = tmp_path_factory.mktemp("translation")
  out = str(directory / "metrics.json")
  run_at_full_optimization("from tests.test_translation_metrics import compute_all\n"
                           f"compute_all({str(directory / 'judges')!r}, {out!r})")
  with open(out, encoding="utf-8") as f:
    return json.load(f)


def test_identity_translation_keeps_labels_and_domains(metrics):
  m = metrics["cycle_identity"]
  for suffix in ("", "_ba"):
    assert m["cycle_error" + suffix] < 1e-6
    assert m["fd" + suffix] == pytest.approx(m["fd_source" + suffix], rel=1e-4)  # nothing moved
    assert m["domain_accuracy" + suffix] < 0.1        # still looks like its own domain
    assert m["label_preserved" + suffix] > 0.8        # and still shows its digit
  assert m["domain_classifier_accuracy"] > 0.9 and m["digit_classifier_accuracy"] > 0.8


def test_swapping_in_real_images_of_the_other_domain_fools_the_domain_judge_but_loses_the_digit(metrics):
  m = metrics["cycle_swap"]  # G(a) = the unrelated printed digit beside a, F(b) = a
  for suffix in ("", "_ba"):
    assert m["fd" + suffix] < 1e-3                    # G(a) is exactly the held-out set of domain B
    assert m["cycle_error" + suffix] < 1e-6           # F(G(a)) = a again
    assert m["domain_accuracy" + suffix] > 0.9
    assert m["label_preserved" + suffix] < 0.3        # unpaired: the digits are unrelated (chance 0.1)


def test_an_oracle_editor_scores_what_the_judges_score_on_real_images(metrics):
  m = metrics["attribute_oracle"]
  assert m["num_edits"] == 9 * metrics["num_attribute_images"]
  # Each held-out image is requested once from every source domain: the edits are the held-out set 9 times.
  assert m["target_accuracy"] == pytest.approx(m["target_accuracy_real"], abs=0.01)
  assert m["attribute_accuracy"] == pytest.approx(m["attribute_accuracy_real"], abs=0.01)
  assert m["identity_preserved"] == pytest.approx(m["identity_classifier_accuracy"], abs=0.01)
  assert m["fd"] < 1e-2 and m["target_accuracy_real"] > 0.5


def test_the_identity_editor_reaches_only_its_own_domain(metrics):
  m = metrics["attribute_identity"]
  assert m["target_accuracy"] <= 1 / 9 + 0.02          # right only when the target is the source's domain
  assert m["identity_preserved"] == pytest.approx(m["identity_classifier_accuracy"], abs=1e-6)
  assert m["attribute_accuracy"] < m["attribute_accuracy_real"]


def test_single_attribute_flips_are_judged_per_attribute(metrics):
  good, same = metrics["flip_painted"], metrics["flip_identity"]
  assert good["num_edits"] == 2 * metrics["num_flip_images"]
  for name in ("left", "top"):
    assert good[f"attribute_accuracy_real_{name}"] > 0.95
    assert good[f"attribute_accuracy_{name}"] > 0.95   # the flipped attribute shows
    assert same[f"attribute_accuracy_{name}"] < 0.05   # an unedited image never shows the flip
  assert good["attribute_accuracy"] == pytest.approx(
      (good["attribute_accuracy_left"] + good["attribute_accuracy_top"]) / 2)
