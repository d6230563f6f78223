"""The paired image-to-image family's pure pieces: objectives at hand-computed points, pixel shuffle and
its inverse, the SRResNet / RRDB / U-Net shapes, the photo-patch datasets and the quality metrics."""

import jax
import ml_collections
import jax.numpy as jnp
import numpy as np
import pytest

from configs import paired_base
from gen_jax import data as gdata
from gen_jax.data import photos
from gen_jax.eval import image_quality
from gen_jax.image2image import paired_losses as pl
from gen_jax.nets.srresnet import RRDB, SRResNet, pixel_shuffle, pixel_unshuffle
from gen_jax.nets.unet import UNetGenerator, unet_depth

softplus = lambda v: float(np.log1p(np.exp(v)))  # -log sigmoid(-v)


def test_pixel_losses_at_hand_computed_points():
  target = jnp.array([[[[1.0], [-1.0]], [[0.0], [2.0]]], [[[0.0], [0.0]], [[0.0], [4.0]]]])  # [2, 2, 2, 1]
  output = jnp.zeros_like(target)
  np.testing.assert_allclose(pl.pixel_l1(output, target), [1.0, 1.0])
  np.testing.assert_allclose(pl.pixel_mse(output, target), [1.5, 4.0])
  np.testing.assert_allclose(pl.feature_mse(jnp.array([[1.0, 3.0], [0.0, 2.0]]), jnp.zeros((2, 2))), [5.0, 2.0])
  with pytest.raises(ValueError, match="output, target: expected equal shapes"):
    pl.pixel_l1(output, target[:, :1])


def test_adversarial_losses_at_hand_computed_points():
  real = jnp.array([[[[2.0]], [[0.0]]]])                          # [1, 2, 1, 1] patch logits
  fake = jnp.array([[[[-1.0]], [[1.0]]]])
  # patch mean of -log sigmoid(l_real) - log sigmoid(-l_fake) = softplus(-l_real) + softplus(l_fake)
  expected_d = np.mean([softplus(-2.0) + softplus(-1.0), softplus(0.0) + softplus(1.0)])
  np.testing.assert_allclose(pl.patch_discriminator_loss(real, fake), [expected_d], rtol=1e-6)
  np.testing.assert_allclose(pl.patch_generator_loss(fake), [np.mean([softplus(1.0), softplus(-1.0)])], rtol=1e-6)
  y, out = jnp.ones((1, 2, 2, 1)), jnp.zeros((1, 2, 2, 1))
  adversarial = np.mean([softplus(1.0), softplus(-1.0)])
  np.testing.assert_allclose(pl.pix2pix_generator_loss(fake, out, y), [adversarial + 100.0], rtol=1e-6)
  np.testing.assert_allclose(pl.pix2pix_generator_loss(fake, out, y, 10.0, 0.5), [0.5 * adversarial + 10.0],
                             rtol=1e-6)
  np.testing.assert_allclose(pl.srgan_generator_loss(fake, jnp.array([0.25])), [0.25 + 1e-3 * adversarial],
                             rtol=1e-6)


def test_relativistic_losses_at_hand_computed_points():
  real, fake = jnp.array([1.0, 3.0]), jnp.array([-1.0, 0.0])       # E[C(real)] = 2, E[C(fake)] = -0.5
  d = [softplus(-(1.0 + 0.5)) + softplus(-1.0 - 2.0), softplus(-(3.0 + 0.5)) + softplus(0.0 - 2.0)]
  g = [softplus(1.0 + 0.5) + softplus(-(-1.0 - 2.0)), softplus(3.0 + 0.5) + softplus(-(0.0 - 2.0))]
  np.testing.assert_allclose(pl.relativistic_discriminator_loss(real, fake), d, rtol=1e-6)
  np.testing.assert_allclose(pl.relativistic_generator_loss(real, fake), g, rtol=1e-6)
  # Given means (the global batch's) replace the local ones.
  given = pl.relativistic_discriminator_loss(real, fake, real_mean=0.0, fake_mean=0.0)
  np.testing.assert_allclose(given, [softplus(-1.0) + softplus(-1.0), softplus(-3.0) + softplus(0.0)], rtol=1e-6)
  y, out = jnp.full((2, 2, 2, 1), 0.5), jnp.zeros((2, 2, 2, 1))
  expected = 5e-3 * np.array(g) + 1e-2 * 0.5 + np.array([1.0, 2.0])
  np.testing.assert_allclose(pl.esrgan_generator_loss(real, fake, out, y, feature_loss=jnp.array([1.0, 2.0])),
                             expected, rtol=1e-6)


def test_objectives_trace_with_traced_weights():
  fake, out, y = jnp.zeros((2, 2, 2, 1)), jnp.zeros((2, 4, 4, 3)), jnp.ones((2, 4, 4, 3))
  loss = jax.jit(lambda w: pl.pix2pix_generator_loss(fake, out, y, w).sum())
  np.testing.assert_allclose(loss(2.0), 2 * (np.log(2) + 2.0), rtol=1e-6)
  grad = jax.grad(lambda w: pl.esrgan_generator_loss(fake, fake, out, y, 0.0, w).sum())(1.0)
  np.testing.assert_allclose(grad, 2 * 2 * np.log(2), rtol=1e-6)


def test_pixel_shuffle_layout_and_inverse():
  x = jax.random.normal(jax.random.PRNGKey(0), (2, 3, 5, 12))
  y = pixel_shuffle(x, 2)
  assert y.shape == (2, 6, 10, 3)
  # y[b, 2i + p, 2j + q, c] = x[b, i, j, 4c + 2p + q]
  np.testing.assert_array_equal(y[1, 2 * 2 + 1, 2 * 4 + 0, 2], x[1, 2, 4, 4 * 2 + 2 * 1 + 0])
  np.testing.assert_array_equal(pixel_unshuffle(y, 2), x)
  z = jax.random.normal(jax.random.PRNGKey(1), (1, 9, 6, 2))
  np.testing.assert_array_equal(pixel_shuffle(pixel_unshuffle(z, 3), 3), z)
  with pytest.raises(ValueError, match="x: expected channels divisible"):
    pixel_shuffle(x[..., :5], 2)


@pytest.mark.parametrize("block", ["residual", "rrdb"])
def test_sr_generator_shapes(block):
  net = SRResNet(channels=3, factor=4, features=8, num_blocks=1, block=block, growth=4)
  x = jnp.ones((2, 4, 4, 3))
  variables = jax.eval_shape(lambda: net.init(jax.random.PRNGKey(0), x, train=False))
  assert jax.eval_shape(lambda v: net.apply(v, x, train=False), variables).shape == (2, 16, 16, 3)
  assert ("batch_stats" in variables) == (block == "residual")
  with pytest.raises(ValueError, match="factor: expected a power of two"):
    SRResNet(factor=3).init(jax.random.PRNGKey(0), x)


def test_rrdb_with_zero_dense_outputs_scales_by_one_point_two():
  """Each dense block whose last conv outputs 0 is the identity, so RRDB(x) = x + 0.2 x."""
  block = RRDB(features=4, growth=2)
  x = jax.random.normal(jax.random.PRNGKey(0), (1, 3, 3, 4))
  params = block.init(jax.random.PRNGKey(1), x)["params"]
  zeroed = {name: {**p, "Conv_4": jax.tree.map(jnp.zeros_like, p["Conv_4"])} for name, p in params.items()}
  np.testing.assert_allclose(block.apply({"params": zeroed}, x), 1.2 * x, rtol=1e-6)
  assert not np.allclose(block.apply({"params": params}, x), 1.2 * x)


def test_unet_shapes_depth_and_skips():
  assert unet_depth(32) == 5 and unet_depth(256) == 8
  net = UNetGenerator(channels=3, depth=unet_depth(16), features=4)
  x = jax.random.normal(jax.random.PRNGKey(0), (2, 16, 16, 1))
  variables = net.init(jax.random.PRNGKey(1), x, train=False)
  y = net.apply(variables, x, train=False)
  assert y.shape == (2, 16, 16, 3) and float(jnp.max(jnp.abs(y))) < 1
  # Examples are independent (BN uses running averages here), and a change at one input pixel changes the
  # output at that pixel through the full-resolution skip.
  moved = net.apply(variables, x.at[0, 3, 3, 0].add(1.0), train=False)
  assert float(jnp.abs(moved[0, 3, 3] - y[0, 3, 3]).max()) > 0
  np.testing.assert_array_equal(moved[1], y[1])
  with pytest.raises(ValueError, match="size: expected a power of two"):
    unet_depth(24)


def _data_config(**fields):
  c = paired_base.get_config().data
  for k, v in fields.items():
    c[k] = v
  return c


def test_photos_sr_holds_out_whole_photographs_and_is_deterministic():
  ds = gdata.load(_data_config(name="photos_sr", image_size=16, patch_stride=16))
  assert ds.spec.kind == "paired" and ds.spec.example_shape == (16, 16, 3) and ds.spec.condition_shape == (4, 4, 3)
  assert ds.train["condition"].shape == (len(ds.train["x"]), 4, 4, 3)
  assert set(np.unique(ds.train["y"])) == {0, 1, 2, 3} and set(np.unique(ds.test["y"])) == {0, 1}
  assert ds.train["x"].min() >= -1 and ds.train["x"].max() <= 1
  # Test patches tile the held-out photographs: flower (427x640) and chelsea (300x451) at 16x16.
  assert len(ds.test["x"]) == (424 // 16) * (640 // 16) + (300 // 16) * (448 // 16)
  photo = photos.photo(photos.TEST_PHOTOS[1])
  first = photo[None, :16, :16] * 2 - 1
  np.testing.assert_allclose(ds.test["x"][ds.test["y"] == 1][0], first[0], atol=1e-6)
  # The LR inputs are the bicubic downsampling of the whole photograph, cut at the same place.
  small = photos.bicubic_downsample(photo[None, :300, :448], 4)[0, :4, :4] * 2 - 1
  np.testing.assert_allclose(ds.test["condition"][ds.test["y"] == 1][0], small, atol=1e-5)
  again = gdata.load(_data_config(name="photos_sr", image_size=16, patch_stride=16))
  np.testing.assert_array_equal(again.train["condition"], ds.train["condition"])
  batch = gdata.batch_stream(ds, 4, 0, _data_config()).local_batches(0, 2)
  assert batch["condition"].shape == (2, 4, 4, 4, 3) and batch["x"].shape == (2, 4, 16, 16, 3)


def test_photos_color_pairs_luminance_with_colour_and_checks_fields():
  ds = gdata.load(_data_config(name="photos_color", image_size=16, patch_stride=16, scale="0_1"))
  assert ds.spec.condition_shape == (16, 16, 1)
  np.testing.assert_allclose(ds.train["condition"][5, ..., 0], ds.train["x"][5] @ np.array(photos.LUMINANCE),
                             atol=1e-5)
  with pytest.raises(ValueError, match="data.sr_factor: expected a divisor"):
    gdata.load(_data_config(name="photos_sr", image_size=16, sr_factor=3))


def test_quality_metrics_at_known_points():
  rng = np.random.default_rng(0)
  targets = rng.random((4, 12, 12, 3)).astype(np.float32)
  ids = np.array([0, 0, 1, 1])
  noisy = targets + np.array([0.1, 0.1, 0.01, 0.01], np.float32)[:, None, None, None]
  # Photo 0 has MSE 0.01 (20 dB), photo 1 MSE 1e-4 (40 dB): mean 30 dB.
  assert image_quality.photo_psnr(noisy, targets, ids) == pytest.approx(30.0, abs=1e-4)
  assert image_quality.mean_ssim(targets, targets) == pytest.approx(1.0, abs=1e-5)
  ramp = np.tile(np.arange(5.0)[None, :, None, None], (1, 1, 5, 1)) * 0.1  # vertical gradient 0.1 per row
  assert image_quality.sharpness(ramp) == pytest.approx(0.1)
  results = image_quality.paired_quality(noisy, targets, targets * 0, ids, "bicubic",
                                         feature_fn=lambda x: np.asarray(x).reshape(len(x), -1)[:, :4])
  assert {"psnr", "ssim", "sharpness", "psnr_bicubic", "fd", "fd_bicubic", "sharpness_target"} <= set(results)
  assert results["fd"] < results["fd_bicubic"]


def test_shaved_psnr_ignores_the_border():
  target = np.zeros((10, 10, 3))
  output = np.full((10, 10, 3), 0.1)  # MSE 0.01 inside: 20 dB
  output[:2], output[:, -2:] = 1.0, 1.0  # wrong only within 2 pixels of the edges
  assert image_quality.shaved_psnr(output, target, 2) == pytest.approx(20.0)
  assert image_quality.shaved_psnr(output, target, 0) < 10.0


def test_whole_photo_psnr_upsamples_each_held_out_photograph_at_once():
  config = _data_config(name="photos_sr", image_size=16, patch_stride=16)
  pairs = photos.held_out_sr_photos(config)
  assert [(x.shape, c.shape) for x, c in pairs] == [((424, 640, 3), (106, 160, 3)), ((300, 448, 3), (75, 112, 3))]
  test = gdata.load(config).test  # the patches of the test split are cut from these images
  np.testing.assert_allclose(test["x"][test["y"] == 1][0], pairs[1][0][:16, :16], atol=1e-6)
  np.testing.assert_allclose(test["condition"][test["y"] == 1][0], pairs[1][1][:4, :4], atol=1e-6)
  shapes = []

  def bicubic(condition):  # [1, h, w, 3] -> [1, 4h, 4w, 3], recording what it was given
    shapes.append(condition.shape)
    n, h, w, c = condition.shape
    return jax.image.resize(condition, (n, 4 * h, 4 * w, c), "bicubic")

  scores = image_quality.whole_photo_psnr(bicubic, pairs, (-1.0, 1.0), 4)
  assert shapes == [(1, 106, 160, 3), (1, 75, 112, 3)]
  assert scores["psnr_whole"] == pytest.approx(scores["psnr_whole_bicubic"], abs=1e-9)
  assert 25.0 < scores["psnr_whole_bicubic"] < 35.0
  perfect = iter([x[None] for x, _ in pairs])
  assert image_quality.whole_photo_psnr(lambda c: next(perfect), pairs, (-1.0, 1.0), 4)["psnr_whole"] == 120.0


def test_dihedral_copies_are_the_eight_symmetries_of_each_pair():
  x = np.arange(2 * 4 * 4 * 1, dtype=np.float32).reshape(2, 4, 4, 1)
  split = {"x": x, "condition": x[:, ::2, ::2], "y": np.array([0, 1])}
  out = photos.dihedral_copies(split)
  assert out["x"].shape == (16, 4, 4, 1) and out["condition"].shape == (16, 2, 2, 1)
  np.testing.assert_array_equal(out["y"], np.tile([0, 1], 8))
  np.testing.assert_array_equal(out["x"][:2], x)                          # the originals first
  np.testing.assert_array_equal(out["x"][2:4], np.rot90(x, 1, axes=(1, 2)))
  np.testing.assert_array_equal(out["x"][8:10], x[:, :, ::-1])            # mirrored
  assert len({out["x"][k].tobytes() for k in range(0, 16, 2)}) == 8       # eight different images
  # bicubic downsampling commutes with the symmetries: each copy's input is its target's downsampling
  ds = gdata.load(_data_config(name="photos_sr", image_size=16, patch_stride=16, dihedral=True))
  plain = gdata.load(_data_config(name="photos_sr", image_size=16, patch_stride=16))
  n = len(plain.train["x"])
  assert len(ds.train["x"]) == 8 * n and len(ds.test["x"]) == len(plain.test["x"])
  np.testing.assert_array_equal(ds.train["condition"][3 * n:4 * n], np.rot90(plain.train["condition"], 3, axes=(1, 2)))
  bad = ml_collections.ConfigDict({**_data_config(name="photos_sr").to_dict(), "dihedral": "yes"})  # a typo'd config
  with pytest.raises(ValueError, match="data.dihedral: expected True or False, got 'yes'"):
    gdata.load(bad)


def test_train_photos_adds_bundled_photographs_and_keeps_the_test_ones_out():
  # A stereo pair gives its left view; a grayscale image its value in all three channels.
  motorcycle = photos.photo("skimage:stereo_motorcycle")
  camera = photos.photo("skimage:camera")
  assert motorcycle.shape == (500, 741, 3) and camera.shape == (512, 512, 3)
  np.testing.assert_array_equal(camera[..., 0], camera[..., 2])
  ds = gdata.load(_data_config(name="photos_sr", image_size=16, patch_stride=16,
                               train_photos="skimage:camera, skimage:stereo_motorcycle"))
  np.testing.assert_array_equal(np.unique(ds.train["y"]), [0, 1])
  assert len(ds.train["x"]) == (512 // 16) ** 2 + (500 // 16) * (740 // 16)
  np.testing.assert_allclose(ds.train["x"][0], camera[:16, :16] * 2 - 1, atol=1e-6)
  plain = gdata.load(_data_config(name="photos_sr", image_size=16, patch_stride=16))
  np.testing.assert_array_equal(ds.test["x"], plain.test["x"])             # the held-out photographs unchanged
  for bad, message in (("skimage:chelsea", "data.train_photos: expected one of"),
                       ("skimage:camera,skimage:camera", "data.train_photos: expected distinct")):
    with pytest.raises(ValueError, match=message):
      gdata.load(_data_config(name="photos_sr", image_size=16, train_photos=bad))
