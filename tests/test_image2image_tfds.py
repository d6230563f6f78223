"""The tfds translation data and configs on tfds mock data (no download): 'tfds_unpaired:NAME' (CycleGAN's
horse2zebra) pairs its two domains by independent, per-epoch reshuffled orders; 'celeb_a_attributes' packs the
chosen attributes into the label; configs/cyclegan_horse2zebra.py, stargan_celeba.py and attgan_celeba.py build
and train at a tiny size."""

import importlib

import jax
import numpy as np
import pytest
import tensorflow_datasets as tfds

from gen_jax import data as gdata
from gen_jax.data import decode, tfds_source
from gen_jax.train import parallel, registry
from gen_jax.train.train_step import make_train_step

MOCK_EXAMPLES = 12  # per split; mock splits hold the same random images at the same indices
# The papers' configs shrunk to 8x8 images and 4-channel networks; one critic update without the gradient
# penalty (compiled in seconds; WGAN-GP's penalty is tested on digits in test_image2image_domains).
TINY = {
    "cyclegan_horse2zebra": {"model.num_blocks": 1, "model.num_downsampling": 1, "model.discriminator_layers": 1,
                             "objective.pool_size": 2},
    "stargan_celeba": {"model.num_blocks": 1, "model.num_downsampling": 1, "model.discriminator_layers": 2,
                       "objective.n_critic": 1, "objective.lambda_gp": 0.0},
    "attgan_celeba": {"model.num_layers": 1, "model.discriminator_layers": 1, "objective.n_critic": 1,
                      "objective.lambda_gp": 0.0},
}


def config_of(name: str, **fields):
  c = importlib.import_module(f"configs.{name}").get_config()
  c.data.image_size, c.data.batch_size, c.data.num_workers = 8, 2, 0
  c.model.features = c.model.discriminator_features = 4
  c.eval.progress = False
  for dotted, value in fields.items():
    group, field = dotted.split(".")
    c[group][field] = value
  return c


def identify(pixels: np.ndarray, references: np.ndarray) -> list[int]:
  """Index of each image of pixels [n, S, S, C] among references [N, S, S, C] (exact match)."""
  return [int(np.flatnonzero((references == p).all(axis=(1, 2, 3)))[0]) for p in pixels]


def test_unpaired_domains_are_paired_by_independent_orders_reshuffled_every_epoch():
  config = config_of("cyclegan_horse2zebra", **{"data.batch_size": 4, "data.random_flip": False})
  with tfds.testing.mock_data(num_examples=MOCK_EXAMPLES):
    ds = gdata.load(config.data)
    split = ds.train_stream
    references = {domain: np.stack([s.read_example(i)[0] for i in range(MOCK_EXAMPLES)])
                  for domain, s in (("a", split), ("b", split.partner))}
    stream = gdata.batch_stream(ds, 4, 0, config.data)
    batches = stream.local_batches(0, 6)["x"]                                       # 2 epochs of 3 batches
    again = gdata.batch_stream(ds, 4, 0, config.data).local_batches(0, 6)["x"]
    other_seed = gdata.batch_stream(ds, 4, 1, config.data).local_batches(0, 6)["x"]
    test = ds.test["x"]
  assert ds.spec.unpaired and ds.spec.example_shape == (8, 8, 6) and ds.spec.num_classes == 0
  assert batches.shape == (6, 4, 8, 8, 6) and batches.dtype == np.uint8
  pairs = []
  for i, batch in enumerate(batches):
    a, b = identify(batch[..., :3], references["a"]), identify(batch[..., 3:], references["b"])
    assert a == stream.positions.example_indices(i).tolist()
    assert b == stream.partner_positions.example_indices(i).tolist()
    pairs.append(list(zip(a, b)))
  first_epoch, second_epoch = sum(pairs[:3], []), sum(pairs[3:], [])
  for epoch in (first_epoch, second_epoch):  # each epoch reads every image of each domain once
    assert sorted(a for a, _ in epoch) == sorted(b for _, b in epoch) == list(range(MOCK_EXAMPLES))
  assert sum(a == b for a, b in first_epoch) < MOCK_EXAMPLES // 2  # B's order is not A's
  assert set(first_epoch) != set(second_epoch)                    # the pairing is redrawn
  np.testing.assert_array_equal(batches, again)
  assert not np.array_equal(batches, other_seed)
  assert test.shape == (MOCK_EXAMPLES, 8, 8, 6) and -1.0 <= test.min() < test.max() <= 1.0


def test_unpaired_split_fields_name_themselves(monkeypatch):
  with pytest.raises(ValueError, match="^data.split_b: expected the tfds split of domain B's training images of "
                                       "'cycle_gan/horse2zebra' .*got ''$"):
    gdata.load(config_of("cyclegan_horse2zebra", **{"data.split_b": ""}).data)
  opened = tfds_source.tfds.data_source

  def only_cycle_gan_splits(name, split, **kwargs):
    if split not in ("trainA", "trainB", "testA", "testB"):
      raise ValueError(f"Unknown split {split!r}.")
    return opened(name, split=split, **kwargs)

  monkeypatch.setattr(tfds_source.tfds, "data_source", only_cycle_gan_splits)
  with tfds.testing.mock_data(num_examples=2), pytest.raises(
      ValueError, match="^data.test_split_b: cannot read split 'testC' of tfds dataset 'cycle_gan/horse2zebra'"):
    gdata.load(config_of("cyclegan_horse2zebra", **{"data.test_split_b": "testC"}).data)


def test_celeb_a_attributes_pack_the_chosen_attributes_into_the_label():
  config = config_of("stargan_celeba")
  names = config.data.attributes
  with tfds.testing.mock_data(num_examples=6):
    ds = gdata.load(config.data)
    records = [tfds.data_source("celeb_a", split="train")[i] for i in range(6)]
    batch = gdata.batch_stream(ds, 2, 0, config.data).local_batch(0)
    with pytest.raises(ValueError, match=r"^data.attributes: expected distinct names among celeb_a's attributes "
                                         r"\(5_o_Clock_Shadow, .*Young\), got \('Blond_Hair', 'Blonde_Hair'\)$"):
      gdata.load(config_of("stargan_celeba", **{"data.attributes": ("Blond_Hair", "Blonde_Hair")}).data)
  spec = ds.spec
  assert spec.name == "celeb_a_attributes" and spec.num_classes == 32 and spec.attribute_names == names
  wanted = np.array([[r["attributes"][n] for n in names] for r in records], np.float32)  # [6, 5]
  np.testing.assert_array_equal(spec.attribute_table[ds.train["y"]], wanted)
  np.testing.assert_array_equal(ds.train["y"], wanted @ 2 ** np.arange(5))           # y = sum_k a_k 2^k
  first = np.asarray(records[0]["image"])                                            # [218, 178, 3]
  np.testing.assert_allclose(ds.train["x"][0], decode.square_resized(first, 8) / 127.5 - 1.0, atol=1e-5)
  index = gdata.batch_stream(ds, 2, 0, config.data).example_indices(0)
  np.testing.assert_array_equal(batch["y"], ds.train["y"][index])


@pytest.mark.parametrize("name", sorted(TINY))
def test_tfds_translation_config_builds_and_trains_on_mock_data(name, tmp_path):
  config = config_of(name, **TINY[name])
  with tfds.testing.mock_data(num_examples=6):
    ds = gdata.load(config.data)
    trainer = registry.get_model(config.model.name)(config, ds.spec)
    stream = gdata.batch_stream(ds, config.data.batch_size * trainer.batches_per_step, 0, config.data)
    batches = stream.local_batches(0, 1)
  mesh = parallel.make_mesh(1)
  step = make_train_step(trainer, mesh, to_model_range=stream.to_model_range)
  state = parallel.put_replicated(trainer.init(jax.random.PRNGKey(0)), mesh)
  before = jax.device_get(state.params)
  for _ in range(2):
    state, metrics = step(state, parallel.put_batch(batches, mesh, leading_axes=1), np.ones(1, bool))
    assert bool(metrics["applied"][0])
  moved = jax.tree.map(lambda x, y: float(np.abs(np.asarray(x) - np.asarray(y)).max()), before,
                       jax.device_get(state.params))
  assert all(np.isfinite(v) for v in jax.tree.leaves(moved)) and max(jax.tree.leaves(moved)) > 0
  if name != "cyclegan_horse2zebra":  # the attribute-flip columns (cyclegan's pictures are as on digits)
    pictures = trainer.save_pictures(state, jax.random.PRNGKey(1), str(tmp_path), 2, ds)
    assert pictures and all(p.endswith(".png") for p in pictures)


def test_div2k_patches_and_their_dihedral_copies_on_mock_data():
  config = importlib.import_module("configs.srgan_div2k").get_config()
  config.data.image_size, config.data.patch_stride, config.data.num_examples = 16, 16, 8
  config.data.dihedral = False
  with tfds.testing.mock_data(num_examples=2):
    plain = gdata.load(config.data)
    config.data.dihedral = True
    augmented = gdata.load(config.data)
  assert plain.spec.name == "div2k_sr" and plain.spec.condition_shape == (4, 4, 3)
  n = len(plain.train["x"])
  assert n >= 2 and len(augmented.train["x"]) == 8 * n and len(augmented.test["x"]) == len(plain.test["x"])
  np.testing.assert_array_equal(augmented.train["x"][:n], plain.train["x"])
  np.testing.assert_array_equal(augmented.train["condition"][n:2 * n], np.rot90(plain.train["condition"], 1, axes=(1, 2)))
