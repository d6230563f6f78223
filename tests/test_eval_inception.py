"""FID Inception-v3 (gen_jax.nets.inception, gen_jax.eval.inception): architecture, weight
files and features, with random weights (the real ones cannot be downloaded here)."""

import jax
import numpy as np
import pytest

from gen_jax.eval import inception

# (torch state_dict key, shape) pairs read off torchvision's Inception3 / pytorch-fid.
KNOWN_TORCH_SHAPES = {
    "Conv2d_1a_3x3.conv.weight": (32, 3, 3, 3),
    "Conv2d_4a_3x3.conv.weight": (192, 80, 3, 3),
    "Mixed_5b.branch_pool.conv.weight": (32, 192, 1, 1),
    "Mixed_5d.branch5x5_2.conv.weight": (64, 48, 5, 5),
    "Mixed_6a.branch3x3.conv.weight": (384, 288, 3, 3),
    "Mixed_6b.branch7x7_2.conv.weight": (128, 128, 1, 7),
    "Mixed_6e.branch7x7dbl_5.conv.weight": (192, 192, 1, 7),
    "Mixed_7a.branch7x7x3_4.conv.weight": (192, 192, 3, 3),
    "Mixed_7b.branch3x3dbl_1.conv.weight": (448, 1280, 1, 1),
    "Mixed_7c.branch3x3dbl_3b.conv.weight": (384, 384, 3, 1),
    "Mixed_7c.branch_pool.conv.weight": (192, 2048, 1, 1),
    "Mixed_7c.branch_pool.bn.running_var": (192,),
}


@pytest.fixture(scope="module")
def variables():
  return inception.init_inception_variables(jax.random.PRNGKey(0))


def to_pytorch_fid_state_dict(variables):
  """The inverse of convert_pytorch_fid_state_dict, written independently for the test."""
  names = {"kernel": "weight", "scale": "weight", "bias": "bias", "mean": "running_mean",
           "var": "running_var"}
  state = {"fc.weight": np.zeros((1008, 2048)), "fc.bias": np.zeros(1008)}
  for key, value in inception.flatten_variables(variables).items():
    path = key.split("/")[1:]
    value = np.asarray(value)
    state[".".join(path[:-1] + [names[path[-1]]])] = (
        value.transpose(3, 2, 0, 1) if path[-1] == "kernel" else value)
    if path[-1] == "mean":
      state[".".join(path[:-1] + ["num_batches_tracked"])] = np.zeros((), np.int64)
  return state


def test_architecture_matches_torchvision_names_and_shapes(variables):
  flat = inception.flatten_variables(variables)
  kernels = [key for key in flat if key.endswith("/conv/kernel")]
  assert len(kernels) == 94 and len(flat) == 94 * 5  # Inception-v3's 94 conv + BN layers
  state = to_pytorch_fid_state_dict(variables)
  for key, shape in KNOWN_TORCH_SHAPES.items():
    assert state[key].shape == shape, key


@pytest.mark.slow  # compiles the full network (~15 s of one core)
def test_features_have_2048_dims_and_are_deterministic(variables):
  images = np.asarray(jax.random.uniform(jax.random.PRNGKey(1), (3, 32, 32, 1), minval=-1), np.float32)
  features = inception.inception_feature_fn(variables, batch_size=2, size=75)
  first = features(images)
  assert first.shape == (3, inception.FEATURE_DIM) and np.all(np.isfinite(first))
  assert np.all(first >= 0) and np.std(first) > 0  # means of ReLU outputs, not constant
  np.testing.assert_array_equal(first, features(images))
  # Batching does not change a row: the first image alone gives its row.
  np.testing.assert_allclose(features(images[:1])[0], first[0], rtol=1e-5, atol=1e-6)


def test_npz_round_trip_in_both_layouts(variables, tmp_path):
  inception.save_inception_variables(tmp_path / "flax.npz", variables)
  np.savez(tmp_path / "torch.npz", **to_pytorch_fid_state_dict(variables))
  expected = inception.flatten_variables(variables)
  assert inception.inception_weights_feature_fn("") is None  # the flag's default: off
  assert callable(inception.inception_weights_feature_fn(str(tmp_path / "torch.npz")))
  for name in ["flax.npz", "torch.npz"]:
    loaded = inception.flatten_variables(inception.load_inception_variables(tmp_path / name))
    assert loaded.keys() == expected.keys()
    for key in expected:
      np.testing.assert_array_equal(loaded[key], expected[key])


def test_bad_weight_files_are_rejected(variables, tmp_path):
  flat = {k: np.asarray(v) for k, v in inception.flatten_variables(variables).items()}
  del flat["params/Mixed_7c/branch_pool/conv/kernel"]
  np.savez(tmp_path / "missing.npz", **flat)
  with pytest.raises(ValueError, match="Mixed_7c/branch_pool/conv/kernel"):
    inception.load_inception_variables(tmp_path / "missing.npz")
  flat["params/Mixed_7c/branch_pool/conv/kernel"] = np.zeros((1, 1, 2048, 7), np.float32)
  np.savez(tmp_path / "shape.npz", **flat)
  with pytest.raises(ValueError, match="wrong shape"):
    inception.load_inception_variables(tmp_path / "shape.npz")
  with pytest.raises(ValueError, match="unexpected key"):
    inception.convert_pytorch_fid_state_dict({"Mixed_5b.branch1x1.conv.bias": np.zeros(64)})


def test_preprocess_resizes_and_repeats_gray_channels():
  gray = np.linspace(-1, 1, 4 * 8 * 8).reshape(4, 8, 8, 1).astype(np.float32)
  out = np.asarray(inception.preprocess(gray, 16))
  assert out.shape == (4, 16, 16, 3)
  np.testing.assert_array_equal(out[..., 0], out[..., 2])
  constant = np.full((1, 10, 10, 3), 0.5, np.float32)  # bilinear resizing keeps constants
  np.testing.assert_allclose(inception.preprocess(constant, 299), 0.5, atol=1e-6)
  with pytest.raises(ValueError, match="size"):
    inception.inception_feature_fn({}, size=64)
