"""CycleGAN's objective (Zhu et al., 2017) and its history pool of generated images, as pure functions.

Two generators G: A -> B and F: B -> A and two discriminators D_A, D_B that score
patches (PatchGAN). With a ~ A, b ~ B and per-patch least-squares losses:

  L_G = LS_G(D_B(G(a))) + LS_G(D_A(F(b)))                        adversarial (generators)
        + lambda_cyc (|F(G(a)) - a|_1 + |G(F(b)) - b|_1)            cycle consistency
        + lambda_id  (|G(b) - b|_1 + |F(a) - a|_1)                  identity
  L_D_B = LS_D(D_B(b), D_B(pool_B(G(a)))),  L_D_A = LS_D(D_A(a), D_A(pool_A(F(b))))

LS_G(l) = (l - 1)^2 / 2 and LS_D(l_x, l_G) = ((l_x - 1)^2 + l_G^2) / 2
(gen_jax.gan.losses' least squares pair) are averaged over each image's patches;
|.|_1 is the mean absolute pixel difference of one image. The paper uses
lambda_cyc = 10 and an identity weight of 0.5 lambda_cyc (lambda_id = 5 here,
where lambda_id multiplies the L1 term directly). Every function returns
per-example values [B]; the train step averages them over the global batch.

The discriminators see generated images through a history pool of the last 50
(Shrivastava et al., 2017): `pool_query` is a pure function (pool, batch, key)
-> (new pool, batch to show D).
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp

from gen_jax.gan import losses


def _per_example_mean(values: jax.Array) -> jax.Array:
  """[B, ...] -> [B]: the mean over everything but the batch axis."""
  return jnp.mean(values.reshape(values.shape[0], -1), axis=1)


def mean_absolute_error(x: jax.Array, y: jax.Array) -> jax.Array:
  """|x - y|_1 per example: mean_j |x_j - y_j| over each image's pixels.

  Args:
    x: images [B, H, W, C].
    y: images of the same shape.

  Returns:
    [B] mean absolute differences.

  References:
    J.-Y. Zhu et al., Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial
    Networks (ICCV 2017), eq. 2.

  Example:
    >>> import jax.numpy as jnp
    >>> print(mean_absolute_error(jnp.ones((2, 2, 2, 1)), jnp.zeros((2, 2, 2, 1))))
    [1. 1.]
  """
  if x.shape != y.shape:
    raise ValueError(f"x, y: expected equal shapes, got {x.shape} and {y.shape}")
  return _per_example_mean(jnp.abs(x - y))


def patch_least_squares_discriminator(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
  """LSGAN discriminator loss averaged over patches: mean_p ((l_x,p - 1)^2 + l_G,p^2) / 2.

  Args:
    real_logits: patch logits [B, h, w, 1] on real images of the discriminator's domain.
    fake_logits: patch logits [B, h, w, 1] on translated images (from the history pool).

  Returns:
    [B] per-example losses.

  References:
    X. Mao et al., Least Squares Generative Adversarial Networks (ICCV 2017), eq. 2; CycleGAN eq. 1
    with the least-squares loss of its section 4.

  Example:
    >>> import jax.numpy as jnp
    >>> print(patch_least_squares_discriminator(jnp.ones((1, 2, 2, 1)), jnp.ones((1, 2, 2, 1))))
    [0.5]
  """
  if real_logits.shape != fake_logits.shape:
    raise ValueError(f"real_logits, fake_logits: expected equal shapes, got {real_logits.shape} and "
                     f"{fake_logits.shape}")
  return _per_example_mean(losses.least_squares_discriminator(real_logits, fake_logits))


def patch_least_squares_generator(fake_logits: jax.Array) -> jax.Array:
  """LSGAN generator loss averaged over patches: mean_p (l_G,p - 1)^2 / 2.

  Args:
    fake_logits: patch logits [B, h, w, 1] on translated images.

  Returns:
    [B] per-example losses.

  References:
    X. Mao et al., Least Squares Generative Adversarial Networks (ICCV 2017), eq. 2.

  Example:
    >>> import jax.numpy as jnp
    >>> print(patch_least_squares_generator(jnp.full((1, 2, 2, 1), 3.0)))
    [2.]
  """
  return _per_example_mean(losses.least_squares_generator(fake_logits))


class CycleTerms(NamedTuple):
  """The per-example terms [B] of CycleGAN's generator objective."""

  adversarial: jax.Array     # LS_G(D_B(G(a))) + LS_G(D_A(F(b)))
  cycle: jax.Array           # |F(G(a)) - a|_1 + |G(F(b)) - b|_1
  identity: jax.Array        # |G(b) - b|_1 + |F(a) - a|_1


def cycle_generator_terms(logits_fake_b: jax.Array, logits_fake_a: jax.Array, a: jax.Array, b: jax.Array,
                          cycled_a: jax.Array, cycled_b: jax.Array, identity_a: jax.Array,
                          identity_b: jax.Array) -> CycleTerms:
  """The three terms of L_G (module doc), per example.

  Args:
    logits_fake_b: D_B(G(a)) patch logits [B, h, w, 1].
    logits_fake_a: D_A(F(b)) patch logits [B, h, w, 1].
    a: images of domain A [B, H, W, C]; b: images of domain B [B, H, W, C].
    cycled_a: F(G(a)); cycled_b: G(F(b)) (same shapes as a and b).
    identity_a: F(a); identity_b: G(b).

  Returns:
    CycleTerms of [B] arrays.

  References:
    J.-Y. Zhu et al., Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial
    Networks (ICCV 2017), eqs. 1-3 and section 5.2 (identity).

  Example:
    >>> import jax.numpy as jnp
    >>> ones, zeros = jnp.ones((1, 2, 2, 1)), jnp.zeros((1, 2, 2, 1))
    >>> terms = cycle_generator_terms(ones, zeros, ones, ones, zeros, ones, ones, zeros)
    >>> [float(t[0]) for t in terms]  # (0 + 1/2), (1 + 0), (1 + 0)
    [0.5, 1.0, 1.0]
  """
  adversarial = patch_least_squares_generator(logits_fake_b) + patch_least_squares_generator(logits_fake_a)
  cycle = mean_absolute_error(cycled_a, a) + mean_absolute_error(cycled_b, b)
  identity = mean_absolute_error(identity_b, b) + mean_absolute_error(identity_a, a)
  return CycleTerms(adversarial, cycle, identity)


def cycle_generator_loss(terms: CycleTerms, lambda_cyc: float | jax.Array,
                         lambda_id: float | jax.Array) -> jax.Array:
  """L_G = adversarial + lambda_cyc cycle + lambda_id identity, per example [B].

  Args:
    terms: `cycle_generator_terms`' output.
    lambda_cyc: weight of the cycle-consistency term (10 in the paper); may be traced.
    lambda_id: weight of the identity term (5 = 0.5 lambda_cyc in the paper); may be traced.

  Returns:
    [B] the generators' loss.

  References:
    J.-Y. Zhu et al. (ICCV 2017), eq. 3 and section 5.2.

  Example:
    >>> import jax.numpy as jnp
    >>> terms = CycleTerms(jnp.array([0.5]), jnp.array([1.0]), jnp.array([2.0]))
    >>> print(cycle_generator_loss(terms, 10.0, 5.0))
    [20.5]
  """
  return terms.adversarial + lambda_cyc * terms.cycle + lambda_id * terms.identity


class HistoryPool(NamedTuple):
  """Generated images kept to show the discriminator: images [size, ...] and how many are stored (int32)."""

  images: jax.Array
  count: jax.Array


def pool_init(size: int, example_shape: tuple[int, ...], dtype=jnp.float32) -> HistoryPool:
  """An empty history pool for `size` images of `example_shape` (50 in CycleGAN).

  Args:
    size: capacity (static, >= 1).
    example_shape: one image's shape, e.g. (H, W, C).
    dtype: the images' dtype.

  Returns:
    HistoryPool(zeros [size, *example_shape], count 0).

  References:
    A. Shrivastava et al., Learning from Simulated and Unsupervised Images through Adversarial
    Training (CVPR 2017), section 2.3.

  Example:
    >>> pool = pool_init(50, (8, 8, 1))
    >>> pool.images.shape, int(pool.count)
    ((50, 8, 8, 1), 0)
  """
  if not isinstance(size, int) or size < 1:
    raise ValueError(f"size: expected an int >= 1, got {size!r}")
  return HistoryPool(jnp.zeros((size, *example_shape), dtype), jnp.zeros((), jnp.int32))


def pool_query(pool: HistoryPool, images: jax.Array, key: jax.Array,
               swap_probability: float | jax.Array = 0.5) -> tuple[HistoryPool, jax.Array]:
  """Images to show the discriminator, and the updated pool (CycleGAN's ImagePool, as a pure function).

  Image i of the batch, in order, with u_i, j_i drawn from fold_in(key, i):
    * while the pool is not full: stored in the next free slot and shown itself;
    * then, with probability `swap_probability` (u_i < p): a stored image, at a uniform slot j_i,
      is shown and replaced by image i; otherwise image i is shown and the pool is unchanged.

  Args:
    pool: the HistoryPool.
    images: the newly generated images [B, ...] (the pool's example shape).
    key: a PRNG key (identical on every device: query the pool with the global batch).
    swap_probability: p, 0.5 in the paper; may be traced.

  Returns:
    (new pool, images to show [B, ...]).

  References:
    A. Shrivastava et al. (CVPR 2017), section 2.3; J.-Y. Zhu et al. (ICCV 2017), section 4.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> pool = pool_init(2, (1,))
    >>> pool, shown = pool_query(pool, jnp.array([[1.0], [2.0]]), jax.random.key(0))
    >>> shown.ravel().tolist(), pool.images.ravel().tolist(), int(pool.count)  # filling: shown as they are
    ([1.0, 2.0], [1.0, 2.0], 2)
    >>> pool, shown = pool_query(pool, jnp.array([[3.0]]), jax.random.key(0), swap_probability=1.0)
    >>> float(shown[0, 0]) in (1.0, 2.0), sorted(pool.images.ravel().tolist()) in ([1.0, 3.0], [2.0, 3.0])
    (True, True)
  """
  if images.shape[1:] != pool.images.shape[1:]:
    raise ValueError(f"images: expected examples of shape {pool.images.shape[1:]}, got {images.shape[1:]}")
  size = pool.images.shape[0]

  def step(carry, inputs):
    stored, count = carry
    image, i = inputs
    u_key, slot_key = jax.random.split(jax.random.fold_in(key, i))
    filling = count < size
    swap = jnp.logical_and(~filling, jax.random.uniform(u_key) < swap_probability)
    slot = jnp.where(filling, count, jax.random.randint(slot_key, (), 0, size))
    shown = jnp.where(swap, stored[slot], image)
    stored = jnp.where(filling | swap, stored.at[slot].set(image), stored)
    return (stored, count + filling.astype(jnp.int32)), shown

  (stored, count), shown = jax.lax.scan(step, (pool.images, pool.count), (images, jnp.arange(images.shape[0])))
  return HistoryPool(stored, count), shown
