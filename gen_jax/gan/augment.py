"""Differentiable augmentation for data-efficient GAN training (DiffAugment; Zhao et al., 2020).

The same policy T is applied to real and generated images, in both the discriminator's and the
generator's losses: D sees T(x) and T(G(z)), and the generator's gradient flows through T, so D
cannot memorize a small training set while G is still asked to match the un-augmented data.
Every transformation is a differentiable function of the image with random parameters drawn per
example from its own key (one key per example, e.g. `gen_jax.train.parallel.example_keys`, so the
draws do not depend on the device count):

* 'color': brightness x + (u_1 - 1/2); saturation (x - mean_c x) 2 u_2 + mean_c x (mean over
  channels); contrast (x - mean x) (u_3 + 1/2) + mean x (mean over the image); u ~ U(0, 1).
* 'translation': a shift by integers in [-r, r] per axis, r = round(ratio_t * size) (ratio_t = 1/8),
  with zero padding.
* 'cutout': a square of side round(ratio_c * size) (ratio_c = 1/2) at a random centre set to 0.

Images are [B, H, W, C] in [-1, 1] (the ranges above are the paper's for that scale).
"""

from typing import Sequence

import jax
import jax.numpy as jnp

from gen_jax.checks import check_choice

POLICIES = ("color", "translation", "cutout")


def _color(x: jax.Array, key: jax.Array) -> jax.Array:  # one image [H, W, C]
  u = jax.random.uniform(key, (3,), x.dtype)
  x = x + (u[0] - 0.5)
  x = (x - jnp.mean(x, axis=-1, keepdims=True)) * (2.0 * u[1]) + jnp.mean(x, axis=-1, keepdims=True)
  return (x - jnp.mean(x)) * (u[2] + 0.5) + jnp.mean(x)


def _translation(x: jax.Array, key: jax.Array, ratio: float) -> jax.Array:
  h, w, _ = x.shape
  rh, rw = round(ratio * h), round(ratio * w)
  shift = jax.random.randint(key, (2,), jnp.array([-rh, -rw]), jnp.array([rh + 1, rw + 1]))
  padded = jnp.pad(x, ((rh, rh), (rw, rw), (0, 0)))                              # zeros around
  return jax.lax.dynamic_slice(padded, (rh - shift[0], rw - shift[1], 0), x.shape)


def _cutout(x: jax.Array, key: jax.Array, ratio: float) -> jax.Array:
  h, w, _ = x.shape
  ch, cw = round(ratio * h), round(ratio * w)
  centre = jax.random.randint(key, (2,), 0, jnp.array([h + (1 - ch % 2), w + (1 - cw % 2)]))
  start = centre - jnp.array([ch // 2, cw // 2])                                   # may lie outside
  rows = (jnp.arange(h) >= start[0]) & (jnp.arange(h) < start[0] + ch)              # [H]
  cols = (jnp.arange(w) >= start[1]) & (jnp.arange(w) < start[1] + cw)              # [W]
  return jnp.where((rows[:, None] & cols[None, :])[..., None], 0.0, x).astype(x.dtype)


def diff_augment(x: jax.Array, keys: jax.Array, policy: Sequence[str] = POLICIES,
                 translation_ratio: float = 0.125, cutout_ratio: float = 0.5) -> jax.Array:
  """DiffAugment's T(x): the transformations of `policy`, in order, with per-example random parameters.

  Args:
    x: images [B, H, W, C] in [-1, 1].
    keys: [B] one key per example.
    policy: names from POLICIES (static).
    translation_ratio, cutout_ratio: the largest shift and the cut square's side as fractions of the
      image size (static).

  Returns:
    [B, H, W, C], differentiable in x.

  References:
    S. Zhao, Z. Liu, J. Lin, J.-Y. Zhu and S. Han, Differentiable Augmentation for Data-Efficient GAN
    Training (NeurIPS 2020).

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.gan.augment import diff_augment
    >>> x = jnp.ones((2, 8, 8, 1))
    >>> y = diff_augment(x, jax.random.split(jax.random.key(0), 2), policy=("cutout",))
    >>> cut = (y == 0).sum(axis=(1, 2, 3))  # a 4x4 square, clipped where it crosses the border
    >>> print(y.shape, bool(jnp.all((cut > 0) & (cut <= 16))))
    (2, 8, 8, 1) True
  """
  for name in policy:
    check_choice(name, POLICIES, "policy")
  streams = jax.vmap(lambda k: jax.random.split(k, len(POLICIES)))(keys)           # [B, 3] keys
  for name in policy:
    k = streams[:, POLICIES.index(name)]
    if name == "color":
      x = jax.vmap(_color)(x, k)
    elif name == "translation":
      x = jax.vmap(lambda xi, ki: _translation(xi, ki, translation_ratio))(x, k)
    else:
      x = jax.vmap(lambda xi, ki: _cutout(xi, ki, cutout_ratio))(x, k)
  return x
