"""The streamed pipeline (grain): folder / ArrayRecord / tfds sources, batches by (seed, i), process slices, uint8."""

import dataclasses
import os

import numpy as np
import pytest
import tensorflow_datasets as tfds

from configs.default import get_config
from gen_jax import data
from gen_jax.data import disk, images, streaming
from gen_jax.data.pipeline import Positions
from tests.helpers.image_folders import write_folder


def data_config(**fields):
  c = get_config().data
  c.num_workers = 0
  for k, v in fields.items():
    setattr(c, k, v)
  return c


def stream_of(ds, config, batch=4, seed=0, **kwargs):
  return data.batch_stream(ds, batch, seed, config, **kwargs)


@pytest.fixture(name="folder")
def fixture_folder(tmp_path):
  return write_folder(tmp_path / "images", count=12, size=(6, 6), classes=("cat", "dog"))


def test_folder_classes_become_labels_and_batches_are_uint8(folder):
  config = data_config(name=f"folder:{folder}")
  ds = data.load(config)
  assert ds.spec.example_shape == (6, 6, 1) and ds.spec.num_classes == 2 and ds.test is None
  assert ds.train_stream.source.class_names == ["cat", "dog"]
  stream = stream_of(ds, config)
  batch = stream.local_batches(0, 3)
  assert batch["x"].shape == (3, 4, 6, 6, 1) and batch["x"].dtype == np.uint8
  # Example k of the folder is k.png in class k % 2 (sorted paths: cat/0, cat/10, cat/2, ...).
  source = ds.train_stream.source
  expected_labels = [0 if path.startswith("cat") else 1 for path in source.paths]
  np.testing.assert_array_equal(batch["y"][0], np.array(expected_labels)[stream.example_indices(0)])
  # The reference split (evaluation) holds the same pixels, scaled to [-1, 1].
  first = stream.example_indices(0)[0]
  np.testing.assert_allclose(ds.train["x"][first], batch["x"][0, 0] / 255 * 2 - 1, atol=1e-6)
  stream.close()
  few = data.load(data_config(name=f"folder:{folder}", eval_examples=3)).train
  np.testing.assert_array_equal(few["y"], [0, 0, 1])  # examples 0, 5, 11 of 12 (cat: 0-5, dog: 6-11): both classes


def test_unlabeled_folder_and_resize(tmp_path):
  root = write_folder(tmp_path / "flat", count=3, size=(10, 14), classes=(), mode="RGB")
  ds = data.load(data_config(name=f"folder:{root}", image_size=4))
  assert ds.spec.example_shape == (4, 4, 3) and ds.spec.num_classes == 0
  assert ds.train["x"].shape == (3, 4, 4, 3) and not ds.train["y"].any()


def test_batch_i_is_a_function_of_seed_and_i_and_processes_read_disjoint_slices(folder):
  config = data_config(name=f"folder:{folder}")
  ds = data.load(config)
  sequential = stream_of(ds, config).local_batches(0, 6)["x"]  # 24 examples: two epochs of 12
  shuffled = stream_of(ds, config)
  for i in (4, 1, 5, 0):  # random access reopens the iterator at i
    np.testing.assert_array_equal(shuffled.local_batch(i)["x"], sequential[i])
  assert not np.array_equal(stream_of(ds, config, seed=1).local_batch(0)["x"], sequential[0])
  halves = [stream_of(ds, config, process_index=p, process_count=2) for p in range(2)]
  for i in range(6):
    np.testing.assert_array_equal(np.concatenate([h.local_batch(i)["x"] for h in halves]), sequential[i])
  indices = [np.concatenate([h.example_indices(i) for i in range(3)]) for h in halves]
  assert not set(indices[0]) & set(indices[1])  # one epoch: the processes read disjoint examples


def test_grain_workers_give_the_same_batches_as_reading_in_process(folder):
  config = data_config(name=f"folder:{folder}", random_flip=True)
  ds = data.load(config)
  warmup = streaming.WARMUP_BATCHES  # read in this process while the workers start
  in_process = stream_of(ds, config).local_batches(2, warmup + 3)
  config.num_workers = 2
  with_workers = stream_of(ds, config)
  try:
    np.testing.assert_array_equal(with_workers.local_batches(2, warmup + 2)["x"], in_process["x"][:-1])
    np.testing.assert_array_equal(with_workers.local_batch(warmup + 4)["y"], in_process["y"][-1])
  finally:
    with_workers.close()


def test_random_flip_mirrors_the_rows_drawn_by_seed_and_batch(folder):
  plain, flipped = (data_config(name=f"folder:{folder}", random_flip=f) for f in (False, True))
  ds = data.load(plain)
  a, b = stream_of(ds, plain, batch=12).local_batch(0)["x"], stream_of(ds, flipped, batch=12).local_batch(0)["x"]
  mirrored = np.array([not np.array_equal(x, y) for x, y in zip(a, b)])
  assert 0 < mirrored.sum() < 12
  np.testing.assert_array_equal(b[mirrored], a[mirrored][:, :, ::-1])


def test_unreadable_file_is_skipped_named_and_counted(tmp_path, capfd):
  root = write_folder(tmp_path / "images", count=5, classes=(), corrupt=1)
  config = data_config(name=f"folder:{root}")
  stream = stream_of(data.load(config), config, batch=6)
  batch = stream.local_batch(0)
  assert batch["x"].shape == (6, 6, 6, 1)
  assert stream.metrics() == {"data/skipped_examples": 1.0}
  assert f"skipping unreadable {os.path.join(root, 'bad_0.png')}" in capfd.readouterr().err


def test_to_model_range_scales_uint8_like_the_in_memory_path():
  x = np.arange(256, dtype=np.uint8)
  for scale, value_range in (("-1_1", (-1.0, 1.0)), ("0_1", (0.0, 1.0))):
    split = streaming.StreamedSplit(None, 1, 1, "none", "train")
    stream = streaming.StreamedBatchStream.__new__(streaming.StreamedBatchStream)
    stream.value_range, stream.split = value_range, split
    np.testing.assert_allclose(stream.to_model_range(x), images.scale_images(x / 255, scale), atol=1e-6)


def test_binarization_gives_0_or_255(folder):
  for mode in ("static", "dynamic"):
    config = data_config(name=f"folder:{folder}", scale="0_1", binarize=mode)
    ds = data.load(config)
    x = stream_of(ds, config).local_batches(0, 2)["x"]
    assert set(np.unique(x)) == {0, 255} and ds.spec.binarized
  # A held-out split gets the static draw under 'dynamic' too.
  held_out = {mode: dataclasses.replace(ds.train_stream, split="test", binarize=mode).read_example(3)[0]
              for mode in ("static", "dynamic")}
  np.testing.assert_array_equal(held_out["dynamic"], held_out["static"])
  assert set(np.unique(held_out["dynamic"])) <= {0, 255}


def test_array_record_files(tmp_path):
  from array_record.python.array_record_module import ArrayRecordWriter  # pylint: disable=import-outside-toplevel
  from PIL import Image  # pylint: disable=import-outside-toplevel

  root = write_folder(tmp_path / "png", count=4, classes=(), mode="RGB")
  writer = ArrayRecordWriter(str(tmp_path / "images.array_record"), "group_size:1")
  for k in range(4):
    with open(os.path.join(root, f"{k}.png"), "rb") as f:
      writer.write(f.read())
  writer.close()
  config = data_config(name=f"arrayrecord:{tmp_path}")
  ds = data.load(config)
  assert ds.spec.example_shape == (6, 6, 3) and ds.spec.num_classes == 0
  batch = stream_of(ds, config, batch=2).local_batch(0)
  for row, index in zip(batch["x"], stream_of(ds, config, batch=2).example_indices(0)):
    np.testing.assert_array_equal(row, np.asarray(Image.open(os.path.join(root, f"{index}.png"))))


def test_tfds_is_streamed_in_uint8_with_labels():
  config = data_config(name="mnist", test_split="test")
  with tfds.testing.mock_data(num_examples=10):
    ds = data.load(config)
    stream = stream_of(ds, config)
    batch = stream.local_batches(0, 2)
  assert batch["x"].shape == (2, 4, 28, 28, 1) and batch["x"].dtype == np.uint8
  assert ds.train["x"].shape == (10, 28, 28, 1) and ds.test["x"].shape == (10, 28, 28, 1)
  first = stream.example_indices(0)
  np.testing.assert_array_equal(batch["y"][0], ds.train["y"][first])
  np.testing.assert_allclose(stream.to_model_range(batch["x"][0]), ds.train["x"][first], atol=1e-6)


@pytest.mark.parametrize("make,fields,message", [
    (lambda p: str(p / "missing"), {}, "data.name: folder .*missing' does not exist"),
    (lambda p: (p / "empty").mkdir() or str(p / "empty"), {}, "data.name: folder .*empty' holds no .png"),
    (lambda p: write_folder(p / "mixed", count=2, classes=()) and write_folder(
        p / "mixed", count=1, size=(5, 5), classes=("c",)), {}, None),
    (lambda p: write_folder(p / "sizes", count=4) and write_folder(
        p / "sizes/a/more", count=1, size=(5, 5), classes=()) and str(p / "sizes"), {},
     "data.image_size: the images of .* have different sizes \\(5x5, 6x6\\); set data.image_size"),
    (lambda p: write_folder(p / "wide", count=2, size=(4, 6), classes=()), {},
     "data.image_size: the images of .* are 4x6, not square"),
    (lambda p: write_folder(p / "ok", count=2, classes=()), {"num_workers": -1}, "data.num_workers: expected"),
])
def test_folder_errors_name_the_field(tmp_path, make, fields, message):
  config = data_config(name=f"folder:{make(tmp_path)}", **fields)
  if message is None:  # class subfolders present: root-level images are ignored, no error
    assert data.load(config).spec.num_classes == 1
    return
  with pytest.raises(ValueError, match=message):
    ds = data.load(config)
    data.batch_stream(ds, 2, 0, config)


def test_positions_are_those_of_the_in_memory_stream():
  ds = data.Dataset(None, {"x": np.zeros((10, 1), np.float32), "y": np.zeros(10, np.int32)}, None)
  in_memory = data.BatchStream(ds, 4, seed=3, process_index=1, process_count=2)
  positions = Positions(10, 4, 2, 3, 1)
  for i in range(6):
    np.testing.assert_array_equal(in_memory.example_indices(i), positions.example_indices(i))


def test_disk_prefixes_are_dataset_names():
  for name in (f"{disk.FOLDER_PREFIX}x", f"{disk.ARRAY_RECORD_PREFIX}x", "tfds:mnist", "digits"):
    data.check_dataset_name(name)
  with pytest.raises(ValueError, match="data.name: expected one of .*got 'folder:'"):
    data.check_dataset_name("folder:")
