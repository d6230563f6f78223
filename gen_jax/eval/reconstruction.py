"""Reconstruction quality of an autoencoder on the held-out images, in pixels and in the metric feature space.

With x the held-out images and x^ their reconstructions, both mapped to [0, 1] from the dataset's
value range (binarized data: x are the grey levels before binarization, as in
`gen_jax.eval.sample_quality`, and x^ the decoder means):

  reconstruction_mse = mean over images and pixels of (x^ - x)^2
  psnr               = 10 log10(1 / reconstruction_mse)        (dB, of the pooled MSE)
  fd_reconstruction  = Frechet distance of the metric classifier's features of x^ and of x

The classifier is the one `fd` uses (gen_jax.eval.features, eval.classifier_* fields), so
fd_reconstruction sits on the README's sample-quality scale.
"""

from typing import Callable

import numpy as np

from gen_jax import data as gdata
from gen_jax.eval import features
from gen_jax.eval.batching import batched_apply
from gen_jax.eval.frechet import features_frechet_distance
from gen_jax.eval.sample_quality import eval_settings, metric_classifier, reference_dataset, to_unit_range


def reconstruction_quality(config, dataset: gdata.Dataset, reconstruct: Callable, inputs=None) -> dict:
  """{'reconstruction_mse', 'psnr', 'fd_reconstruction'} of reconstruct(held-out inputs) (module doc).

  `reconstruct`: images [b, ...] -> reconstructions [b, ...] in the dataset's value range;
  `inputs`: what the model reads (default the held-out split's 'x').
  """
  settings = eval_settings(config.eval)
  reference = reference_dataset(config.data, dataset)
  if reference.test is None:
    raise ValueError(f"data.name: {dataset.spec.name!r} has no held-out split to evaluate on")
  inputs = dataset.test["x"] if inputs is None else inputs
  outputs = to_unit_range(batched_apply(reconstruct, np.asarray(inputs), settings["image_batch_size"]),
                          dataset.spec.value_range)
  real = to_unit_range(reference.test["x"], reference.spec.value_range)
  mse = float(np.mean(np.square((outputs.astype(np.float64) - real) / 2.0)))  # on the [0, 1] scale
  feature_fn = features.feature_fn(metric_classifier(config.eval, reference), settings["image_batch_size"])
  return {"reconstruction_mse": mse, "psnr": float(10.0 * np.log10(1.0 / max(mse, 1e-12))),
          "fd_reconstruction": features_frechet_distance(feature_fn(outputs), feature_fn(real))}
