"""Single-image metrics of SinGAN: SIFID in the patch features of a network trained here, and sample diversity.

SIFID (Shaham et al., 2019, section 3.1) is the Frechet distance between the Gaussian fits of the
internal features at every spatial position of two images: here the first stage of gen_jax's
`ConvClassifier` (relu(conv3x3 stride 2), 32 channels at half resolution: each position
describes a 6x6 patch), where the paper uses Inception-v3's features before its second pooling
layer. Inception's weights cannot be downloaded here, so the network is trained here, on a task
that needs patch statistics: telling which of the six bundled photographs
(gen_jax.data.photos.PHOTOS) a 16x16 patch comes from, patches cut from each photograph
resized (scikit-image, antialiased) to several sizes (PATCH_SIDES). It is cached like the other metric networks
(gen_jax.eval.features, name 'photo-patches'). Numbers are therefore comparable between runs
here, not with the paper's.
"""

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.data.photos import PHOTOS, grid_patches, photo
from gen_jax.eval import features
from gen_jax.eval.frechet import features_frechet_distance

PATCH = 16
PATCH_SIDES = (32, 48, 64, 96)   # the photographs' longer sides the patches are cut from
NETWORK_NAME = "photo-patches"
FEATURE_LAYER = "Conv_1"         # the classifier's second convolution: the end of its first (stride-2) stage


def patch_dataset() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
  """(x_train, y_train, x_test, y_test): 16x16 patches in [-1, 1] labelled by photograph; every fifth held out."""
  import skimage.transform  # pylint: disable=import-outside-toplevel  (only when the network is not cached)

  x, y = [], []
  for label, name in enumerate(PHOTOS):
    image = photo(name)
    for side in PATCH_SIDES:
      shape = tuple(max(round(d * side / max(image.shape[:2])), PATCH) for d in image.shape[:2])
      patches = grid_patches(skimage.transform.resize(image, shape, order=1, anti_aliasing=True), PATCH, PATCH // 2)
      x.append(patches * 2.0 - 1.0)
      y.append(np.full(len(patches), label, np.int32))
  x, y = np.concatenate(x).astype(np.float32), np.concatenate(y)
  test = np.arange(len(x)) % 5 == 0
  return x[~test], y[~test], x[test], y[test]


def patch_feature_network(cache_dir=None, steps: int = 400, verbose: bool = False) -> features.Classifier:
  """The cached patch classifier of the module doc (trained and cached if absent)."""
  return features.load_or_train_classifier(NETWORK_NAME, *patch_dataset(), cache_dir, steps=steps, verbose=verbose)


def patch_features(classifier: features.Classifier, images) -> np.ndarray:
  """images [N, H, W, C] in [-1, 1] -> [N, h * w, F]: relu of the FEATURE_LAYER output at every position."""
  _, state = classifier.model.apply({"params": classifier.params}, jnp.asarray(images, jnp.float32),
                                    capture_intermediates=lambda module, _: module.name == FEATURE_LAYER,
                                    mutable=["intermediates"])
  maps = jax.nn.relu(state["intermediates"][FEATURE_LAYER]["__call__"][0])          # [N, h, w, F]
  return np.asarray(maps).reshape(maps.shape[0], -1, maps.shape[-1])


def sifid(sample_features: np.ndarray, real_features: np.ndarray) -> float:
  """Mean over samples i of FD(features of sample i, features of the real image), features [N, P, F] and [P', F].

  FD is gen_jax.eval.frechet's distance between the Gaussian fits of the P positions' feature
  vectors; an image scored against itself gives 0 (up to rounding).
  """
  real_features = np.asarray(real_features)
  return float(np.mean([features_frechet_distance(f, real_features) for f in np.asarray(sample_features)]))


def sample_diversity(samples, reference) -> float:
  """The paper's diversity: mean over pixels of the std across samples, over the std of the training image.

    diversity = mean_{h, w, c} std_i(x_i[h, w, c]) / std(x_train)

  Args:
    samples: [N, H, W, C] generated images (N >= 2).
    reference: the training image [H', W', C] (any size: only its std is used).

  Returns:
    0 for identical samples; about 1 for samples as varied, pixel by pixel, as the image itself.
  """
  samples = np.asarray(samples, np.float64)
  if samples.ndim != 4 or samples.shape[0] < 2:
    raise ValueError(f"samples: expected [N, H, W, C] with N >= 2, got shape {samples.shape}")
  return float(np.mean(np.std(samples, axis=0)) / np.std(np.asarray(reference, np.float64)))
