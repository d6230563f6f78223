"""Image datasets: sklearn digits (fixed split, scaling, resizing, binarization) and tfds via mock data."""

import sys

import numpy as np
import pytest
import sklearn.datasets
import tensorflow_datasets as tfds

from configs.default import get_config
from gen_jax import data
from gen_jax.data import images, tfds_source


def data_config(**fields):
  c = get_config().data
  for k, v in fields.items():
    setattr(c, k, v)
  return c


def test_digits_fixed_split_sizes_shapes_and_ranges():
  ds = data.load(data_config(name="digits"))
  assert ds.train["x"].shape == (1437, 8, 8, 1) and ds.test["x"].shape == (360, 8, 8, 1)
  assert ds.train["x"].dtype == np.float32 and ds.train["y"].dtype == np.int32
  assert ds.train["x"].min() == -1.0 and ds.train["x"].max() == 1.0
  spec = ds.spec
  assert (spec.kind, spec.example_shape, spec.num_classes, spec.value_range) == ("images", (8, 8, 1), 10, (-1.0, 1.0))
  assert not spec.binarized and spec.mode_centres is None
  # Stratified: every class has 35 or 36 test images.
  assert set(np.bincount(ds.test["y"], minlength=10)) <= {35, 36, 37}
  # Fixed: the same split every time, and train + test is the whole of sklearn's digits.
  again = data.load(data_config(name="digits"))
  np.testing.assert_array_equal(again.test["x"], ds.test["x"])
  (x_train, _), (x_test, _) = images.digits_splits()
  full = np.round(sklearn.datasets.load_digits().images.reshape(1797, -1)).astype(int)
  split = np.round(16 * np.concatenate([x_train, x_test]).reshape(1797, -1)).astype(int)
  assert sorted(map(tuple, split.tolist())) == sorted(map(tuple, full.tolist()))


def test_scale_0_1_keeps_pixel_probabilities():
  ds = data.load(data_config(name="digits", scale="0_1"))
  assert ds.train["x"].min() == 0.0 and ds.train["x"].max() == 1.0
  assert ds.spec.value_range == (0.0, 1.0)
  values = np.unique(ds.train["x"] * 16)
  np.testing.assert_allclose(values, np.round(values), atol=1e-5)  # 0..16 / 16


@pytest.mark.parametrize("size", [16, 28, 32])
def test_digits_resize_keeps_range_and_mean(size):
  native = data.load(data_config(name="digits", scale="0_1"))
  ds = data.load(data_config(name="digits", scale="0_1", image_size=size))
  assert ds.train["x"].shape == (1437, size, size, 1) and ds.spec.example_shape == (size, size, 1)
  assert ds.train["x"].min() >= 0.0 and ds.train["x"].max() <= 1.0
  assert abs(ds.train["x"].mean() - native.train["x"].mean()) < 0.02
  np.testing.assert_array_equal(ds.train["y"], native.train["y"])


def test_resize_images_crops_non_square_images_to_the_centre():
  x = np.zeros((2, 6, 4, 3), np.float32)
  x[:, 1:5] = 1.0  # the central 4x4 square is ones
  out = images.resize_images(x, 4)
  np.testing.assert_array_equal(out, np.ones((2, 4, 4, 3), np.float32))
  assert images.resize_images(x, 2).shape == (2, 2, 2, 3)


def test_static_binarization_is_a_fixed_bernoulli_draw():
  probs = data.load(data_config(name="digits", scale="0_1"))
  ds = data.load(data_config(name="digits", scale="0_1", binarize="static"))
  assert ds.spec.binarized and set(np.unique(ds.train["x"])) == {0.0, 1.0}
  np.testing.assert_array_equal(ds.train["x"], data.load(data_config(name="digits", scale="0_1", binarize="static")).train["x"])
  # Bernoulli(p): the mean matches mean(p) within 4 standard errors.
  p = probs.train["x"]
  se = np.sqrt(np.sum(p * (1 - p))) / p.size
  assert abs(ds.train["x"].mean() - p.mean()) < 4 * se
  # Pixels with p = 0 or 1 are kept exactly.
  np.testing.assert_array_equal(ds.train["x"][p == 0], 0.0)
  np.testing.assert_array_equal(ds.train["x"][p == 1], 1.0)


def test_dynamic_binarization_keeps_training_probabilities_and_the_static_held_out_images():
  ds = data.load(data_config(name="digits", scale="0_1", binarize="dynamic"))
  assert ds.spec.binarized and len(np.unique(ds.train["x"])) > 2
  # Held-out likelihoods of 'dynamic' and 'static' runs are on the same binary images.
  np.testing.assert_array_equal(ds.test["x"], data.load(data_config(name="digits", scale="0_1", binarize="static")).test["x"])


def test_image_option_errors_name_their_field():
  with pytest.raises(ValueError, match="data.scale"):
    data.load(data_config(name="digits", scale="0_255"))
  with pytest.raises(ValueError, match="data.binarize"):
    data.load(data_config(name="digits", scale="0_1", binarize="yes"))
  with pytest.raises(ValueError, match="data.scale.*needs data.scale='0_1'"):
    data.load(data_config(name="digits", binarize="static"))
  with pytest.raises(ValueError, match="data.image_size"):
    data.load(data_config(name="digits", image_size=-8))
  with pytest.raises(ValueError, match="data.fresh_samples"):
    data.load(data_config(name="digits", fresh_samples=True))


def test_check_image_shape_names_the_field():
  spec = data.load(data_config(name="digits")).spec
  data.check_image_shape(spec, (8, 8, 1), "model.image_shape")
  with pytest.raises(ValueError, match=r"model.image_shape: the model expects 3 channel"):
    data.check_image_shape(spec, (8, 8, 3), "model.image_shape")
  with pytest.raises(ValueError, match=r"model.image_shape: .*\(28, 28, 1\).*data.image_size=28"):
    data.check_image_shape(spec, (28, 28, 1), "model.image_shape")
  ring = data.load(data_config(name="ring8", num_examples=10)).spec
  with pytest.raises(ValueError, match="model.image_shape: .*points"):
    data.check_image_shape(ring, (8, 8, 1), "model.image_shape")


@pytest.mark.parametrize("name,shape,classes", [
    ("mnist", (28, 28, 1), 10), ("fashion_mnist", (28, 28, 1), 10),
    ("cifar10", (32, 32, 3), 10), ("tfds:cifar10", (32, 32, 3), 10), ("celeb_a", (64, 64, 3), 0)])
def test_tfds_datasets_load_through_data_source_with_mock_data(name, shape, classes):
  with tfds.testing.mock_data(num_examples=6):
    ds = data.load(data_config(name=name))
  assert ds.spec.name == name and ds.spec.example_shape == shape and ds.spec.num_classes == classes
  assert ds.train["x"].shape == (6, *shape) and ds.test["x"].shape == (6, *shape)
  assert ds.train["x"].dtype == np.float32 and -1.0 <= ds.train["x"].min() <= ds.train["x"].max() <= 1.0
  assert ds.train["x"].std() > 0.1  # mock pixels are random, not constant
  if classes:
    assert 0 <= ds.train["y"].min() and ds.train["y"].max() < classes
  else:
    assert not ds.train["y"].any()
  assert "tensorflow" not in sys.modules  # data_source needs no TensorFlow


def test_tfds_options_split_resize_binarize_and_no_test_split():
  with tfds.testing.mock_data(num_examples=5):
    ds = data.load(data_config(name="mnist", split="train[:50%]", test_split="", image_size=16,
                               scale="0_1", binarize="static"))
  assert ds.test is None
  assert ds.train["x"].shape[1:] == (16, 16, 1) and set(np.unique(ds.train["x"])) <= {0.0, 1.0}
  assert ds.spec.binarized and ds.spec.value_range == (0.0, 1.0)


def test_unprepared_tfds_dataset_says_how_to_prepare_it_and_downloads_nothing(tmp_path, monkeypatch):
  def no_download(*args, **kwargs):
    raise AssertionError("a download was attempted")

  monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", no_download)
  with pytest.raises(ValueError) as error:
    data.load(data_config(name="mnist", data_dir=str(tmp_path)))
  message = str(error.value)
  assert message.startswith(f"data.data_dir: tfds dataset 'mnist' is not prepared in {tmp_path}")
  assert "tfds build mnist --file_format=array_record" in message and "\n" not in message
  assert "a download was attempted" not in message


def test_unknown_tfds_name_is_a_data_name_error(tmp_path):
  with pytest.raises(ValueError, match="data.name: tensorflow-datasets has no dataset 'no_such_set'"):
    data.load(data_config(name="tfds:no_such_set", data_dir=str(tmp_path)))


@pytest.mark.parametrize("error", [KeyError("splits is empty"), FileNotFoundError("no files"),
                                   NotImplementedError("TFRECORD")])
def test_each_not_prepared_error_of_tfds_becomes_the_instructions(monkeypatch, error):
  def fail(*args, **kwargs):
    raise error

  monkeypatch.setattr(tfds_source.tfds, "data_source", fail)
  with pytest.raises(ValueError, match="data.data_dir: tfds dataset 'cifar10' is not prepared in .*tensorflow_datasets"):
    data.load(data_config(name="cifar10"))
