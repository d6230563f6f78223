"""Quality of paired image-to-image outputs against their targets: PSNR, SSIM, sharpness and a feature distance.

All on images mapped to [0, 1] (from the dataset's value range, clipped):

- psnr: per held-out photograph, 10 log10(1 / MSE) with the MSE over all its pixels; the test
  patches tile each photograph without overlap (gen_jax.data.photos), so this is the PSNR of the
  reassembled photograph; reported as the mean over photographs (patches with flat content would
  otherwise dominate a mean of per-patch PSNRs).
- psnr_whole (photos_sr): the SR benchmarks' protocol (Set5, Set14: SRGAN, EDSR, ESRGAN): the
  generator upsamples each whole held-out photograph at once (it is fully convolutional), and the
  PSNR is taken over the photograph less a border of f pixels (`whole_photo_psnr`); the patch psnr
  above instead sees every 8x8 input alone, mostly border.
- ssim: mean SSIM over the patches (dm-pix: 11x11 Gaussian window, sigma 1.5, per channel).
- sharpness: mean gradient magnitude, mean over pixels and channels of
  sqrt((I[i+1, j] - I[i, j])^2 + (I[i, j+1] - I[i, j])^2); `sharpness_target` is the targets'
  value, so a blurry output sits below it and an over-sharpened one above.
- fd: Frechet distance between outputs and targets in the features of a degradation classifier
  trained here (gen_jax.nets.classifier.ConvClassifier, cached by gen_jax.eval.features): it
  learns to tell the training targets from their bicubic x2 and x4 down-up blurs (3 classes),
  so its features measure the local detail that PSNR averages away.
"""

import dm_pix
import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.data import photos
from gen_jax.eval import features
from gen_jax.eval.batching import batched_apply
from gen_jax.eval.frechet import features_frechet_distance
from gen_jax.eval.sample_quality import eval_settings, to_unit_range

BLUR_FACTORS = (2, 4)  # the degradation classifier's classes: sharp, then these bicubic down-up factors


def to_zero_one(images, value_range) -> np.ndarray:
  """Images in `value_range` -> [0, 1], clipped."""
  return (to_unit_range(images, value_range) + 1.0) / 2.0


def psnr_of_mse(mean_squared_error: float) -> float:
  """10 log10(1 / MSE) for images in [0, 1]; the MSE floored at 1e-12 (120 dB for identical images)."""
  return float(10 * np.log10(1.0 / max(mean_squared_error, 1e-12)))


def photo_psnr(outputs, targets, photo_ids) -> float:
  """Mean over photographs of 10 log10(1 / MSE_photo); images [N, H, W, C] in [0, 1], photo_ids [N]."""
  squared = np.mean(np.square(np.asarray(outputs, np.float64) - np.asarray(targets, np.float64)), axis=(1, 2, 3))
  photo_ids = np.asarray(photo_ids)
  return float(np.mean([psnr_of_mse(squared[photo_ids == p].mean()) for p in np.unique(photo_ids)]))


def shaved_psnr(output, target, border: int) -> float:
  """10 log10(1 / MSE) of one image [H, W, C] in [0, 1] against its target, `border` pixels cut from each side."""
  inside = (slice(border, -border or None),) * 2
  difference = np.asarray(output, np.float64)[inside] - np.asarray(target, np.float64)[inside]
  return psnr_of_mse(np.mean(np.square(difference)))


def whole_photo_psnr(output_fn, pairs, value_range, border: int) -> dict[str, float]:
  """{'psnr_whole', 'psnr_whole_bicubic'}: the mean over photographs of `shaved_psnr` of
  output_fn(input[None])[0] and of the input's bicubic upsampling (`baseline`), against the target.

  Args:
    output_fn: inputs [1, h, w, C] -> outputs [1, f h, f w, C], in `value_range`.
    pairs: [(target [f h, f w, C], input [h, w, C])] in `value_range` (gen_jax.data.photos.held_out_sr_photos).
    value_range: the images' (low, high).
    border: pixels left out at each side (the scale factor f, as the SR benchmarks do).
  """
  scores = {"psnr_whole": [], "psnr_whole_bicubic": []}
  for target, condition in pairs:
    for key, output in (("psnr_whole", np.asarray(output_fn(jnp.asarray(condition)[None]))[0]),
                        ("psnr_whole_bicubic", baseline(condition[None], target[None].shape)[0][0])):
      scores[key].append(shaved_psnr(to_zero_one(output, value_range), to_zero_one(target, value_range), border))
  return {k: float(np.mean(v)) for k, v in scores.items()}


def mean_ssim(outputs, targets, batch_size: int = 500) -> float:
  """Mean dm-pix SSIM over the images [N, H, W, C] in [0, 1]."""
  ssim = jax.jit(lambda a, b: dm_pix.ssim(a, b, max_val=1.0))
  values = [np.asarray(ssim(jnp.asarray(outputs[i:i + batch_size]), jnp.asarray(targets[i:i + batch_size])))
            for i in range(0, len(outputs), batch_size)]
  return float(np.mean(np.concatenate(values)))


def sharpness(images) -> float:
  """Mean gradient magnitude of images [N, H, W, C] (forward differences, the last row/column dropped)."""
  images = np.asarray(images, np.float64)
  dy = images[:, 1:, :-1] - images[:, :-1, :-1]
  dx = images[:, :-1, 1:] - images[:, :-1, :-1]
  return float(np.mean(np.sqrt(dy ** 2 + dx ** 2)))


def quality(outputs, targets, photo_ids) -> dict[str, float]:
  """{'psnr', 'ssim', 'sharpness'} of outputs against targets, all [N, H, W, C] in [0, 1]."""
  return {"psnr": photo_psnr(outputs, targets, photo_ids), "ssim": mean_ssim(outputs, targets),
          "sharpness": sharpness(outputs)}


def blurred(images, factor: int) -> np.ndarray:
  """Bicubic down-up blur of images [N, H, W, C] in [0, 1] by `factor` (antialiased down, then up)."""
  n, h, w, c = images.shape
  small = jax.image.resize(jnp.asarray(images), (n, h // factor, w // factor, c), "bicubic", antialias=True)
  return np.clip(np.asarray(jax.image.resize(small, (n, h, w, c), "bicubic")), 0.0, 1.0)


def degradation_dataset(images) -> tuple[np.ndarray, np.ndarray]:
  """(images [3N, ...] in [-1, 1], labels [3N]): the sharp images (0) and their x2 (1) and x4 (2) blurs."""
  versions = [images] + [blurred(images, f) for f in BLUR_FACTORS]
  x = np.concatenate(versions) * 2.0 - 1.0
  y = np.repeat(np.arange(len(versions), dtype=np.int32), len(images))
  return x.astype(np.float32), y


def degradation_features(name: str, train_targets, test_targets, cache_dir=None, steps: int = 400,
                         batch_size: int = 500, verbose: bool = False):
  """features(images in [0, 1]) -> [N, F]: the penultimate layer of the degradation classifier of
  dataset `name` (trained on its training targets and cached as '<name>-degradation')."""
  classifier = features.load_or_train_classifier(f"{name}-degradation", *degradation_dataset(train_targets),
                                                 *degradation_dataset(test_targets), cache_dir, steps=steps,
                                                 verbose=verbose)
  apply = features.feature_fn(classifier, batch_size)
  return lambda images: apply(np.asarray(images, np.float32) * 2.0 - 1.0)


def paired_quality(outputs, targets, baseline, photo_ids, baseline_name: str, feature_fn=None) -> dict:
  """psnr, ssim, sharpness (and fd with `feature_fn`) of the outputs, the same with suffix
  '_<baseline_name>' for the baseline (bicubic upsampling, or the grayscale input), and sharpness_target.
  Images [N, H, W, C] in [0, 1]."""
  results = quality(outputs, targets, photo_ids)
  results.update({f"{k}_{baseline_name}": v for k, v in quality(baseline, targets, photo_ids).items()})
  results["sharpness_target"] = sharpness(targets)
  if feature_fn is not None:
    target_features = feature_fn(targets)
    results["fd"] = features_frechet_distance(feature_fn(outputs), target_features)
    results[f"fd_{baseline_name}"] = features_frechet_distance(feature_fn(baseline), target_features)
  return results


def _to_target_channels(images, channels: int) -> np.ndarray:
  """One-channel images repeated to `channels` (a grayscale input beside colour images)."""
  return np.repeat(images, channels, axis=-1) if images.shape[-1] == 1 and channels > 1 else np.asarray(images)


def baseline(condition, target_shape) -> tuple[np.ndarray, str]:
  """(the trivial answer [N, *target_shape[1:]], its name): inputs smaller than the targets upsampled
  bicubically ('bicubic'), else the input itself, a grayscale one repeated over the colour channels ('input')."""
  n, (h, w, c) = condition.shape[0], target_shape[1:]
  if condition.shape[1:3] != (h, w):
    up = jax.image.resize(jnp.asarray(condition), (n, h, w, condition.shape[-1]), "bicubic")
    return _to_target_channels(np.asarray(up), c), "bicubic"
  return _to_target_channels(condition, c), "input"


def shown_input(condition, target_shape) -> np.ndarray:
  """Inputs as pictures beside the targets: pixels repeated (nearest neighbour) up to the target size."""
  factor = target_shape[1] // condition.shape[1]
  return _to_target_channels(np.repeat(np.repeat(condition, factor, axis=1), factor, axis=2), target_shape[-1])


def evaluate_paired(config, data, output_fn, feature_fn=None) -> dict:
  """`paired_quality` of output_fn(held-out inputs) [N, ...] against the held-out targets, beside the
  `baseline`; fd in the dataset's degradation-classifier features (eval.classifier_steps,
  classifier_cache_dir) unless `feature_fn` (images in [0, 1] -> [N, F]) is given."""
  settings = eval_settings(config.eval)
  value_range, test = data.spec.value_range, data.test
  trivial, name = baseline(test["condition"], test["x"].shape)
  targets = to_zero_one(test["x"], value_range)
  if feature_fn is None:
    feature_fn = degradation_features(data.spec.name, to_zero_one(data.train["x"], value_range), targets,
                                      settings["classifier_cache_dir"] or None, settings["classifier_steps"],
                                      settings["image_batch_size"], settings["progress"])
  outputs = batched_apply(output_fn, test["condition"], settings["image_batch_size"])
  results = paired_quality(to_zero_one(outputs, value_range), targets, to_zero_one(trivial, value_range),
                           test["y"], name, feature_fn)
  if data.spec.name == "photos_sr":
    results.update(whole_photo_psnr(output_fn, photos.held_out_sr_photos(config.data), value_range,
                                    photos.patch_options(config.data)[2]))
  return {**results, "num_test": len(targets)}
