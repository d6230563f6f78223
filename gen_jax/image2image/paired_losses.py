"""Objectives of paired image-to-image GANs: pix2pix, SRGAN and ESRGAN, from discriminator logits.

Every function returns PER-EXAMPLE losses [B] to be minimized (the train step averages them over
the global batch). Logits may be one per example [B] or one per patch [B, h, w, 1] (PatchGAN):
patch losses are averaged over the patches of each example (`per_example`). Images are
[B, H, W, C]; G(x) is the generator's output for input x, y the paired target.

| model   | discriminator                             | generator                                        |
|---------|-------------------------------------------|--------------------------------------------------|
| pix2pix | -log D(x, y) - log(1 - D(x, G(x)))        | -log D(x, G(x)) + lambda ||y - G(x)||_1, lambda 100 |
| SRGAN   | -log D(y) - log(1 - D(G(x)))              | ||y - G(x)||^2 + 1e-3 (-log D(G(x)))              |
| ESRGAN  | relativistic average (below)              | eta ||y - G(x)||_1 + lambda L_G^Ra, eta 1e-2, lambda 5e-3 |

The relativistic average discriminator (Jolicoeur-Martineau, 2019; ESRGAN) scores how much more
realistic a real image is than the average fake one: D_Ra(a, b) = sigmoid(C(a) - E_b[C(b)]),

  L_D^Ra = -E_y[log D_Ra(y, G(x))] - E_G(x)[log(1 - D_Ra(G(x), y))],
  L_G^Ra = -E_y[log(1 - D_Ra(y, G(x)))] - E_G(x)[log D_Ra(G(x), y)],

so the generator also gets gradients from the real images' term. The expectations E[C(.)] are
means over the batch (and patches); pass the global-batch means when the batch is sharded.
"""

import jax
import jax.numpy as jnp

from gen_jax.gan import losses

PIX2PIX_L1_WEIGHT = 100.0
SRGAN_ADVERSARIAL_WEIGHT = 1e-3
ESRGAN_L1_WEIGHT = 1e-2
ESRGAN_ADVERSARIAL_WEIGHT = 5e-3


def _check_same_shape(a: jax.Array, b: jax.Array, names: str) -> None:
  if a.shape != b.shape:
    raise ValueError(f"{names}: expected equal shapes, got {a.shape} and {b.shape}")


def per_example(values: jax.Array) -> jax.Array:
  """[B, ...] -> [B]: the mean over every axis but the first (a [B] input is returned as it is).

  Example:
    >>> per_example(jnp.arange(6.0).reshape(2, 3)).tolist()
    [1.0, 4.0]
  """
  values = jnp.asarray(values)
  return values.reshape(values.shape[0], -1).mean(axis=1)


def pixel_l1(output: jax.Array, target: jax.Array) -> jax.Array:
  """Mean absolute error per example: (1 / HWC) sum |y - G(x)|, [B, H, W, C] -> [B].

  Example:
    >>> pixel_l1(jnp.zeros((1, 2, 2, 1)), jnp.array([[[[1.0], [-1.0]], [[0.0], [2.0]]]])).tolist()
    [1.0]
  """
  _check_same_shape(output, target, "output, target")
  return per_example(jnp.abs(target - output))


def pixel_mse(output: jax.Array, target: jax.Array) -> jax.Array:
  """Mean squared error per example: (1 / HWC) sum (y - G(x))^2, [B, H, W, C] -> [B] (SRGAN's pixel content loss).

  Example:
    >>> pixel_mse(jnp.zeros((1, 2, 2, 1)), jnp.array([[[[1.0], [-1.0]], [[0.0], [2.0]]]])).tolist()
    [1.5]
  """
  _check_same_shape(output, target, "output, target")
  return per_example(jnp.square(target - output))


def feature_mse(output_features: jax.Array, target_features: jax.Array) -> jax.Array:
  """Feature (perceptual) content loss per example: mean (phi(y) - phi(G(x)))^2, [B, ...] -> [B].

  SRGAN's VGG loss with phi a VGG-19 layer; any fixed feature network phi fits.

  References:
    C. Ledig et al., Photo-Realistic Single Image Super-Resolution Using a Generative Adversarial
    Network (CVPR 2017), eq. 5.

  Example:
    >>> feature_mse(jnp.array([[1.0, 3.0]]), jnp.array([[0.0, 0.0]])).tolist()
    [5.0]
  """
  _check_same_shape(output_features, target_features, "output_features, target_features")
  return per_example(jnp.square(target_features - output_features))


def patch_discriminator_loss(real_logits: jax.Array, fake_logits: jax.Array,
                             kind: str = "non_saturating") -> jax.Array:
  """Per-example discriminator loss of gen_jax.gan.losses' `kind`, averaged over the patches: [B, ...] -> [B].

  pix2pix's and SRGAN's discriminators (-log D(y) - log(1 - D(G(x))) for 'non_saturating').

  References:
    P. Isola et al., Image-to-Image Translation with Conditional Adversarial Networks (CVPR 2017), eq. 1.

  Example:
    >>> print(f"{float(patch_discriminator_loss(jnp.zeros((1, 2, 2, 1)), jnp.zeros((1, 2, 2, 1)))[0]):.4f}")
    1.3863
  """
  return per_example(losses.discriminator_loss(real_logits, fake_logits, kind))


def patch_generator_loss(fake_logits: jax.Array, kind: str = "non_saturating") -> jax.Array:
  """Per-example generator loss of gen_jax.gan.losses' `kind`, averaged over the patches: [B, ...] -> [B].

  Example:
    >>> print(f"{float(patch_generator_loss(jnp.zeros((1, 2, 2, 1)))[0]):.4f}")  # log 2
    0.6931
  """
  return per_example(losses.generator_loss(fake_logits, kind))


def pix2pix_generator_loss(fake_logits: jax.Array, output: jax.Array, target: jax.Array,
                           l1_weight: float | jax.Array = PIX2PIX_L1_WEIGHT,
                           adversarial_weight: float | jax.Array = 1.0,
                           kind: str = "non_saturating") -> jax.Array:
  """pix2pix's generator loss: -w log D(x, G(x)) + lambda ||y - G(x)||_1 per example [B] (w = 1 in the paper).

  Args:
    fake_logits: D(x, G(x)), [B] or patch logits [B, h, w, 1].
    output: G(x) [B, H, W, C].
    target: y [B, H, W, C].
    l1_weight: lambda (100 in the paper).
    adversarial_weight: w (1 in the paper; 0 trains the L1 regression alone).
    kind: the adversarial loss of gen_jax.gan.losses (static).

  Returns:
    per-example losses [B].

  References:
    P. Isola et al., Image-to-Image Translation with Conditional Adversarial Networks (CVPR 2017), eq. 4.

  Example:
    >>> loss = pix2pix_generator_loss(jnp.zeros((1, 1)), jnp.zeros((1, 2, 2, 1)), jnp.ones((1, 2, 2, 1)))
    >>> print(f"{float(loss[0]):.4f}")  # log 2 + 100 * 1
    100.6931
  """
  return adversarial_weight * patch_generator_loss(fake_logits, kind) + l1_weight * pixel_l1(output, target)


def srgan_generator_loss(fake_logits: jax.Array, content: jax.Array,
                         adversarial_weight: float | jax.Array = SRGAN_ADVERSARIAL_WEIGHT) -> jax.Array:
  """SRGAN's perceptual loss: l_content + 1e-3 (-log D(G(x))) per example [B].

  Args:
    fake_logits: D(G(x)), [B] or patch logits [B, h, w, 1].
    content: the content loss per example [B]: `pixel_mse` (SRResNet-MSE's, with weight 0 the
      pre-training objective) or `feature_mse` of a feature network.
    adversarial_weight: 1e-3 in the paper.

  Returns:
    per-example losses [B].

  References:
    C. Ledig et al., Photo-Realistic Single Image Super-Resolution Using a Generative Adversarial
    Network (CVPR 2017), eqs. 3-6.

  Example:
    >>> print(f"{float(srgan_generator_loss(jnp.zeros(1), jnp.array([0.5]))[0]):.6f}")  # 0.5 + 1e-3 log 2
    0.500693
  """
  return content + adversarial_weight * patch_generator_loss(fake_logits)


def _relativistic_logits(real_logits, fake_logits, real_mean, fake_mean):
  """(C(y) - E[C(G(x))], C(G(x)) - E[C(y)]) per patch, with the batch means when none are given."""
  real_logits, fake_logits = jnp.asarray(real_logits), jnp.asarray(fake_logits)
  _check_same_shape(real_logits, fake_logits, "real_logits, fake_logits")
  real_mean = jnp.mean(real_logits) if real_mean is None else real_mean
  fake_mean = jnp.mean(fake_logits) if fake_mean is None else fake_mean
  return real_logits - fake_mean, fake_logits - real_mean


def relativistic_discriminator_loss(real_logits: jax.Array, fake_logits: jax.Array,
                                    real_mean: jax.Array | None = None,
                                    fake_mean: jax.Array | None = None) -> jax.Array:
  """ESRGAN's relativistic average discriminator loss, per example [B] (module doc).

    -log sigmoid(C(y_i) - E[C(G(x))]) - log(1 - sigmoid(C(G(x_i)) - E[C(y)]))

  Args:
    real_logits: C(y) [B] or patch logits [B, h, w, 1].
    fake_logits: C(G(x)), the same shape.
    real_mean: E[C(y)], a scalar (e.g. the global-batch mean on a sharded batch); None = the mean
      of `real_logits`.
    fake_mean: E[C(G(x))], likewise.

  Returns:
    per-example losses [B] (the mean over i is L_D^Ra).

  References:
    A. Jolicoeur-Martineau, The relativistic discriminator: a key element missing from standard
    GAN (ICLR 2019); X. Wang et al., ESRGAN: Enhanced Super-Resolution Generative Adversarial
    Networks (ECCV Workshops 2018), eq. 1.

  Example:
    >>> loss = relativistic_discriminator_loss(jnp.array([1.0]), jnp.array([-1.0]))
    >>> print(f"{float(loss[0]):.4f}")  # -2 log sigmoid(2)
    0.2539
  """
  real_relative, fake_relative = _relativistic_logits(real_logits, fake_logits, real_mean, fake_mean)
  return per_example(-jax.nn.log_sigmoid(real_relative) - jax.nn.log_sigmoid(-fake_relative))


def relativistic_generator_loss(real_logits: jax.Array, fake_logits: jax.Array,
                                real_mean: jax.Array | None = None,
                                fake_mean: jax.Array | None = None) -> jax.Array:
  """ESRGAN's relativistic average generator loss, per example [B] (module doc): the discriminator's, roles swapped.

    -log(1 - sigmoid(C(y_i) - E[C(G(x))])) - log sigmoid(C(G(x_i)) - E[C(y)])

  Args:
    real_logits, fake_logits, real_mean, fake_mean: as in `relativistic_discriminator_loss`.

  Returns:
    per-example losses [B] (the mean over i is L_G^Ra).

  References:
    X. Wang et al., ESRGAN (ECCV Workshops 2018), eq. 2.

  Example:
    >>> loss = relativistic_generator_loss(jnp.array([1.0]), jnp.array([-1.0]))
    >>> print(f"{float(loss[0]):.4f}")  # -2 log sigmoid(-2)
    4.2539
  """
  real_relative, fake_relative = _relativistic_logits(real_logits, fake_logits, real_mean, fake_mean)
  return per_example(-jax.nn.log_sigmoid(-real_relative) - jax.nn.log_sigmoid(fake_relative))


def esrgan_generator_loss(real_logits: jax.Array, fake_logits: jax.Array, output: jax.Array, target: jax.Array,
                          l1_weight: float | jax.Array = ESRGAN_L1_WEIGHT,
                          adversarial_weight: float | jax.Array = ESRGAN_ADVERSARIAL_WEIGHT,
                          real_mean: jax.Array | None = None, fake_mean: jax.Array | None = None,
                          feature_loss: jax.Array | float = 0.0) -> jax.Array:
  """ESRGAN's generator loss: L_percep + lambda L_G^Ra + eta ||y - G(x)||_1 per example [B].

  Args:
    real_logits, fake_logits, real_mean, fake_mean: as in `relativistic_discriminator_loss`.
    output: G(x) [B, H, W, C].
    target: y [B, H, W, C].
    l1_weight: eta (1e-2 in the paper).
    adversarial_weight: lambda (5e-3 in the paper).
    feature_loss: L_percep per example [B] (`feature_mse` of a feature network before its
      activation, VGG-19 in the paper), or 0 for none.

  Returns:
    per-example losses [B].

  References:
    X. Wang et al., ESRGAN (ECCV Workshops 2018), eq. 3.

  Example:
    >>> y, out = jnp.ones((1, 2, 2, 1)), jnp.zeros((1, 2, 2, 1))
    >>> loss = esrgan_generator_loss(jnp.array([1.0]), jnp.array([-1.0]), out, y)
    >>> print(f"{float(loss[0]):.6f}")  # 5e-3 * 4.2539 + 1e-2 * 1
    0.031269
  """
  adversarial = relativistic_generator_loss(real_logits, fake_logits, real_mean, fake_mean)
  return feature_loss + adversarial_weight * adversarial + l1_weight * pixel_l1(output, target)
