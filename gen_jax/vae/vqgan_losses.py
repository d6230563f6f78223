"""The VQGAN first stage's loss pieces (Esser, Rombach and Ommer 2021): pure functions.

The autoencoder (encoder E, codebook, decoder G) minimizes

  L = L_rec + lambda * f(t) * w_adv * L_GAN + beta * ||z_e - sg(z_q)||^2,
  L_rec = mean |x - x^| + w_p * d_perc(x, x^),        L_GAN = mean over patches of -D(x^) (hinge)
  lambda = ||grad_{G_L} L_rec|| / (||grad_{G_L} L_GAN|| + delta)   (stop-gradient, clipped to [0, 1e4])
  f(t) = 1 if t >= disc_start else 0

with G_L the decoder's last layer, and the patch discriminator D minimizes f(t) * L_D (hinge or
non-saturating, `gen_jax.image2image.paired_losses.patch_discriminator_loss`; the L1 term is
its `pixel_l1`). The perceptual
distance is LPIPS's without its learned channel weights:

  d_perc(x, y) = sum_l mean_{h,w} sum_c (n(phi_l(x)) - n(phi_l(y)))^2,  n(u) = u / (||u||_channels + eps)

over feature maps phi_l of a fixed network. The registered model 'vqgan' that trains with these
pieces is `gen_jax.vae.vqgan`.
"""

from typing import Sequence

import jax
import jax.numpy as jnp

ADAPTIVE_DELTA = 1e-4      # delta of the adaptive weight (the reference's 1e-4)
MAX_ADAPTIVE_WEIGHT = 1e4  # the reference clips lambda to [0, 1e4]
NORMALIZE_EPS = 1e-10      # LPIPS's normalize_tensor epsilon


def _tree_norm(tree) -> jax.Array:
  return jnp.sqrt(sum(jnp.sum(jnp.square(leaf)) for leaf in jax.tree.leaves(tree)))


def adaptive_weight(reconstruction_grad, adversarial_grad, delta=ADAPTIVE_DELTA,
                    max_weight=MAX_ADAPTIVE_WEIGHT) -> jax.Array:
  """VQGAN's adaptive weight of the adversarial loss, from gradients at the decoder's last layer.

    lambda = clip(||grad_{G_L} L_rec|| / (||grad_{G_L} L_GAN|| + delta), 0, max_weight),  stop-gradient

  Args:
    reconstruction_grad: grad of L_rec w.r.t. the decoder's last layer (an array or a pytree, e.g.
      {'kernel', 'bias'}).
    adversarial_grad: grad of L_GAN w.r.t. the same layer (the same structure).
    delta: the denominator's delta > 0, a float scalar (may be traced).
    max_weight: the upper clip (the reference's 1e4).

  Returns:
    lambda, a float scalar without gradient.

  References:
    P. Esser, R. Rombach and B. Ommer, Taming Transformers for High-Resolution Image Synthesis
    (CVPR 2021), eq. 7.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae import vqgan_losses
    >>> print(vqgan_losses.adaptive_weight(jnp.array([3.0, 4.0]), jnp.array([0.0, 2.0]), delta=0.5))
    2.0
  """
  ratio = _tree_norm(reconstruction_grad) / (_tree_norm(adversarial_grad) + delta)
  return jax.lax.stop_gradient(jnp.clip(ratio, 0.0, max_weight))


def adversarial_factor(step, disc_start) -> jax.Array:
  """f(t): the adversarial losses' factor, 0 before the discriminator starts at step `disc_start`, then 1.

    f(t) = 1 if t >= disc_start else 0        (the reference's `adopt_weight`)

  Args:
    step: the training step t, an int scalar (may be traced).
    disc_start: the first step with the discriminator and the adversarial loss on.

  Returns:
    a float32 scalar, 0 or 1.

  References:
    P. Esser, R. Rombach and B. Ommer, Taming Transformers for High-Resolution Image Synthesis
    (CVPR 2021), official code (taming/modules/losses/vqperceptual.py, `disc_start`).

  Example:
    >>> from gen_jax.vae import vqgan_losses
    >>> print(vqgan_losses.adversarial_factor(99, 100), vqgan_losses.adversarial_factor(100, 100))
    0.0 1.0
  """
  return jnp.where(jnp.asarray(step) >= disc_start, 1.0, 0.0).astype(jnp.float32)


def normalize_channels(features: jax.Array, eps=NORMALIZE_EPS) -> jax.Array:
  """LPIPS's channel normalization u / (sqrt(sum_c u_c^2) + eps) at every location.

  Args:
    features: feature maps [B, H, W, C].
    eps: a small float (may be traced).

  Returns:
    [B, H, W, C], unit norm over C where the features are not all zero.

  References:
    R. Zhang et al., The Unreasonable Effectiveness of Deep Features as a Perceptual Metric (CVPR 2018), eq. 1.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae import vqgan_losses
    >>> print(vqgan_losses.normalize_channels(jnp.array([[[[3.0, 4.0]]]])))
    [[[[0.6 0.8]]]]
  """
  return features / (jnp.sqrt(jnp.sum(jnp.square(features), axis=-1, keepdims=True)) + eps)


def perceptual_distance(features_x: Sequence[jax.Array], features_y: Sequence[jax.Array]) -> jax.Array:
  """LPIPS-style distance from the feature maps of two image batches (no learned channel weights).

    d(x, y) = sum_l mean_{h,w} sum_c (n(phi_l(x)) - n(phi_l(y)))^2

  Args:
    features_x: one feature map [B, H_l, W_l, C_l] per layer l of the feature network, for x.
    features_y: the same layers for y (equal shapes).

  Returns:
    per-example distances [B], 0 for identical features.

  References:
    R. Zhang et al., The Unreasonable Effectiveness of Deep Features as a Perceptual Metric (CVPR 2018),
    eq. 1 with w_l = 1 (the 'baseline' variant); VQGAN uses LPIPS as its perceptual loss.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae import vqgan_losses
    >>> a, b = [jnp.array([[[[1.0, 0.0]]]])], [jnp.array([[[[0.0, 2.0]]]])]
    >>> print(vqgan_losses.perceptual_distance(a, b), vqgan_losses.perceptual_distance(a, a))
    [2.] [0.]
  """
  if len(features_x) != len(features_y):
    raise ValueError(f"features_y: expected {len(features_x)} layers like features_x, got {len(features_y)}")
  total = 0.0
  for fx, fy in zip(features_x, features_y):
    if fx.shape != fy.shape or fx.ndim != 4:
      raise ValueError(f"features_y: expected feature maps [B, H, W, C] shaped like features_x, "
                       f"got {fy.shape} and {fx.shape}")
    squared = jnp.square(normalize_channels(fx) - normalize_channels(fy))  # [B, H, W, C]
    total = total + jnp.mean(jnp.sum(squared, axis=-1), axis=(1, 2))
  return total

