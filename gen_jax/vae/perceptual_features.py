"""The fixed feature network of VQGAN's perceptual loss: a classifier trained here, or VGG16 from a user file.

`model.perceptual_weights` selects it:

* '' (default): gen_jax's `ConvClassifier` trained on the dataset's training split (grey levels,
  as `gen_jax.eval.features` trains the metric network) but with seed 1 and cached apart, as
  '<dataset>-perceptual', so the loss does not train on the very network the `fd` metric reads
  (which is seed 0's penultimate layer). Its layers: the ReLU output of the last convolution at each
  resolution (8x8, 4x4, 2x2, 1x1 on 8x8 digits), as LPIPS reads VGG's last ReLU per block.
* a path to an .npz of torchvision's VGG16 state_dict (`gen_jax.nets.vgg16`): relu1_2 ... relu5_3.

Both take images in [-1, 1] and return a list of feature maps [B, H_l, W_l, C_l].
"""

import os
from typing import Callable

import flax.linen as nn
import jax
import numpy as np

from gen_jax import data as gdata
from gen_jax.eval import features
from gen_jax.eval.sample_quality import metric_classifier, reference_dataset
from gen_jax.nets import vgg16

PERCEPTUAL_SEED = 1  # the metric classifier is seed 0


def classifier_layers(classifier: features.Classifier) -> Callable[[jax.Array], list[jax.Array]]:
  """images [B, H, W, C] -> ReLU of the last convolution at each resolution of the classifier."""

  def apply(x):
    _, state = classifier.model.apply({"params": classifier.params}, x, mutable=["intermediates"],
                                      capture_intermediates=lambda module, _: isinstance(module, nn.Conv))
    convs = state["intermediates"]
    outputs = [convs[f"Conv_{i}"]["__call__"][0] for i in range(2 * len(classifier.model.widths))]
    last_per_size = [h for h, after in zip(outputs, outputs[1:] + [None])
                     if after is None or after.shape[1:3] != h.shape[1:3]]
    return [nn.relu(h) for h in last_per_size]

  return apply


def vgg16_layers(path: str) -> Callable[[jax.Array], list[jax.Array]]:
  """images [B, H, W, 1 or 3] -> VGG16's five block features, weights from the .npz at `path`."""
  if not os.path.isfile(path):
    raise ValueError(f"model.perceptual_weights: expected an .npz file of VGG16 weights, got {path!r}")
  with np.load(path) as arrays:
    params, widths = vgg16.params_from_torchvision(dict(arrays))
  module = vgg16.VGG16Features(widths)
  return lambda x: module.apply({"params": params}, x)


def perceptual_layers(config) -> Callable[[jax.Array], list[jax.Array]]:
  """The feature maps function of `model.perceptual_weights` (module doc), for images in [-1, 1]."""
  if config.model.perceptual_weights:
    return vgg16_layers(config.model.perceptual_weights)
  dataset = gdata.load(config.data)
  reference = reference_dataset(config.data, dataset)
  if dataset.spec.num_classes < 1 or reference.test is None:
    raise ValueError(f"model.perceptual_weights: expected a VGG16 .npz for data without labels or held-out split, "
                     f"got '' with data.name={dataset.spec.name!r}")
  return classifier_layers(metric_classifier(config.eval, reference, "-perceptual", PERCEPTUAL_SEED))
