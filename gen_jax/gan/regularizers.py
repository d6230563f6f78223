"""Stabilizers of adversarial training: Lipschitz constraints, gradient penalties, packing.

* `clip_weights`: WGAN's weight clipping, w <- clip(w, -c, c), after each critic update.
* `gradient_penalty`: WGAN-GP, (||grad_x f(x_hat)||_2 - 1)^2 on random interpolates.
* `r1_penalty`: ||grad_x f(x)||_2^2 on real data (Mescheder et al., 2018).
* `spectral_normalized`: wraps a Dense/Conv factory in `flax.linen.SpectralNorm`;
  its power-iteration vector u and estimate sigma live in the 'batch_stats'
  collection, i.e. in the train state's model_state.
* `pack` / `unpack`: PacGAN's packing of m samples into one discriminator input.
* `orthogonal_penalty`: BigGAN's orthogonal regularization, beta ||W^T W * (1 - I)||_F^2 per kernel.
* `path_length_penalty`: StyleGAN2's path-length regularizer, (||J_w^T y||_2 - a)^2 with a running a.
* `lazy_penalty`: a regularizer evaluated every k steps with weight k (StyleGAN2's lazy regularization).

EMA of the generator's weights is the engine's (`train.ema_decay`); n_critic and
two learning rates (TTUR) are fields of the GAN config (see gen_jax.gan.models).
"""

import functools
from typing import Any, Callable

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.checks import check_positive_int, value_check

_NORM_EPS = 1e-12


def clip_weights(params, bound):
  """Every leaf clipped elementwise to [-c, c]: WGAN's crude Lipschitz constraint, w <- clip(w, -c, c).

  Args:
    params: a pytree of float arrays (the critic's parameters).
    bound: c, a float scalar > 0 (value-checked; may be traced).

  Returns:
    the clipped pytree, same structure and shapes.

  References:
    M. Arjovsky, S. Chintala and L. Bottou, Wasserstein GAN (ICML 2017), algorithm 1.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import regularizers
    >>> print(regularizers.clip_weights({"w": jnp.array([-1.0, 0.005, 1.0])}, 0.01)["w"])
    [-0.01   0.005  0.01 ]
  """
  value_check(jnp.asarray(bound) > 0, "bound: expected a clipping bound > 0, got {}", bound)
  return jax.tree.map(lambda w: jnp.clip(w, -bound, bound), params)


def _input_gradients(critic: Callable[[jax.Array], jax.Array], x: jax.Array) -> jax.Array:
  """grad_x f(x) per example [B, ...], for a critic f: [B, ...] -> [B] that treats examples independently."""
  return jax.grad(lambda inputs: jnp.sum(critic(inputs)))(x)


def _squared_norms(g: jax.Array) -> jax.Array:  # [B, ...] -> [B]
  return jnp.sum(jnp.square(g.reshape(g.shape[0], -1)), axis=1)


def interpolate(real: jax.Array, fake: jax.Array, keys: jax.Array) -> jax.Array:
  """Random points on the segments between real and generated examples, one uniform draw per example.

    x_hat_i = eps_i x_i + (1 - eps_i) G(z)_i,   eps_i ~ U(0, 1) drawn from keys[i]

  Args:
    real: x [B, ...] float.
    fake: G(z) [B, ...] float, the same shape.
    keys: [B] PRNG keys.

  Returns:
    x_hat, the shape of `real`.

  References:
    I. Gulrajani et al., Improved Training of Wasserstein GANs (NeurIPS 2017), algorithm 1.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.gan import regularizers
    >>> keys = jax.random.split(jax.random.PRNGKey(0), 3)
    >>> x_hat = regularizers.interpolate(jnp.ones((3, 2)), jnp.zeros((3, 2)), keys)
    >>> print(x_hat.shape, bool(jnp.all((x_hat >= 0) & (x_hat <= 1))))
    (3, 2) True
  """
  if real.shape != fake.shape or keys.shape[0] != real.shape[0]:
    raise ValueError(f"real, fake, keys: expected [B, ...], [B, ...], [B] keys, got {real.shape}, "
                     f"{fake.shape}, {keys.shape}")
  eps = jax.vmap(lambda k: jax.random.uniform(k, (1,) * (real.ndim - 1), real.dtype))(keys)
  return fake + eps * (real - fake)


def gradient_penalty(critic: Callable[[jax.Array], jax.Array], real: jax.Array, fake: jax.Array,
                     keys: jax.Array) -> jax.Array:
  """WGAN-GP gradient penalty at random interpolates, per example.

    (||grad_x f(x_hat_i)||_2 - 1)^2,   x_hat_i = eps_i x_i + (1 - eps_i) G(z)_i,   eps_i ~ U(0, 1)

  One key per example, so the penalty does not depend on how the batch is sharded. For a
  linear critic f(x) = w.x + b it equals (||w|| - 1)^2 at every point.

  Args:
    critic: f, mapping [B, ...] to scores [B], treating examples independently.
    real: x [B, ...] float.
    fake: G(z) [B, ...] float.
    keys: [B] PRNG keys.

  Returns:
    per-example penalties [B] (weight them by lambda, e.g. 10).

  References:
    I. Gulrajani et al., Improved Training of Wasserstein GANs (NeurIPS 2017), eq. 3.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.gan import regularizers
    >>> critic = lambda x: x @ jnp.array([3.0, 4.0])  # ||w|| = 5: penalty (5 - 1)^2 = 16
    >>> keys = jax.random.split(jax.random.PRNGKey(0), 2)
    >>> print(regularizers.gradient_penalty(critic, jnp.ones((2, 2)), jnp.zeros((2, 2)), keys))
    [16. 16.]
  """
  g = _input_gradients(critic, interpolate(real, fake, keys))
  return jnp.square(jnp.sqrt(_squared_norms(g) + _NORM_EPS) - 1.0)


def r1_penalty(critic: Callable[[jax.Array], jax.Array], real: jax.Array) -> jax.Array:
  """R1 gradient penalty on real data, per example: ||grad_x f(x_i)||_2^2 (weight it by gamma / 2).

  Args:
    critic: f, mapping [B, ...] to scores [B], treating examples independently.
    real: x [B, ...] float.

  Returns:
    per-example penalties [B].

  References:
    L. Mescheder, A. Geiger and S. Nowozin, Which Training Methods for GANs do actually Converge?
    (ICML 2018), eq. 9.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import regularizers
    >>> print(regularizers.r1_penalty(lambda x: x @ jnp.array([3.0, 4.0]), jnp.ones((2, 2))))
    [25. 25.]
  """
  return _squared_norms(_input_gradients(critic, real))


class _SpectralLayer(nn.Module):
  """`layer()` with its kernel divided by its top singular value (power iteration, `n_steps` per call)."""

  layer: Callable[[], nn.Module]
  update_stats: bool
  n_steps: int = 1

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    return nn.SpectralNorm(self.layer(), n_steps=self.n_steps)(x, update_stats=self.update_stats)


def spectral_normalized(layer: Callable[..., nn.Module], update_stats: bool,
                        n_steps: int = 1) -> Callable[..., nn.Module]:
  """A factory like `layer` (e.g. nn.Dense, nn.Conv) whose layers are spectrally normalized.

    W_SN = W / sigma(W),   sigma(W) = the top singular value of W reshaped to [fan_in, features]

  sigma is estimated by power iteration on a vector u carried in the 'batch_stats'
  collection; `update_stats=True` (training) advances u and sigma, so apply with
  mutable=['batch_stats'].

  Args:
    layer: a Flax layer class or factory, called with the factory's arguments.
    update_stats: whether the layers advance the power iteration (static).
    n_steps: power-iteration steps per call (static int >= 1).

  Returns:
    a factory with `layer`'s signature returning spectrally normalized modules.

  References:
    T. Miyato et al., Spectral Normalization for Generative Adversarial Networks (ICLR 2018), algorithm 1.

  Example:
    >>> import flax.linen as nn, jax, jax.numpy as jnp
    >>> from gen_jax.gan import regularizers
    >>> dense = regularizers.spectral_normalized(nn.Dense, update_stats=False)(3)
    >>> variables = dense.init(jax.random.PRNGKey(0), jnp.ones((1, 2)))
    >>> print(sorted(variables), dense.apply(variables, jnp.ones((1, 2))).shape)
    ['batch_stats', 'params'] (1, 3)
  """
  check_positive_int(n_steps, "n_steps")

  def make(*args, **kwargs) -> nn.Module:
    return _SpectralLayer(functools.partial(layer, *args, **kwargs), update_stats, n_steps)

  return make


def _check_pack_size(m, x: jax.Array, axis: int, where: str) -> None:
  check_positive_int(m, "m")
  if x.ndim < 2 or x.shape[axis] % m:
    raise ValueError(f"m: expected a pack size dividing {where} of x [B, ..., F], got m={m} for shape {x.shape}")


def pack(x: jax.Array, m: int) -> jax.Array:
  """PacGAN packing of m consecutive examples into one discriminator input: [B, *S] -> [B/m, *S[:-1], m S[-1]].

  Examples 0..m-1, m..2m-1, ... form one pack, concatenated along the last (feature or
  channel) axis: a 2-D point batch [B, 2] becomes [B/m, 2m], an image batch [B, H, W, C]
  becomes [B/m, H, W, m C]. Packs of i.i.d. examples are i.i.d. draws of the m-fold
  product distribution.

  Args:
    x: [B, ..., F] with B divisible by m.
    m: pack size (static int >= 1).

  Returns:
    [B/m, ..., m F].

  References:
    Z. Lin et al., PacGAN: The power of two samples in generative adversarial networks (NeurIPS 2018).

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import regularizers
    >>> print(regularizers.pack(jnp.arange(8.0).reshape(4, 2), 2))
    [[0. 1. 2. 3.]
     [4. 5. 6. 7.]]
  """
  _check_pack_size(m, x, 0, "the batch")
  grouped = x.reshape(x.shape[0] // m, m, *x.shape[1:])           # [B/m, m, *S]
  grouped = jnp.moveaxis(grouped, 1, -2)                          # [B/m, *S[:-1], m, F]
  return grouped.reshape(*grouped.shape[:-2], m * x.shape[-1])    # [B/m, *S[:-1], m F]


def unpack(x: jax.Array, m: int) -> jax.Array:
  """Inverse of `pack`: [B/m, *S[:-1], m F] -> [B, *S[:-1], F].

  Args:
    x: [B/m, ..., m F].
    m: pack size (static int >= 1) dividing the last axis.

  Returns:
    [B, ..., F].

  References:
    Z. Lin et al., PacGAN: The power of two samples in generative adversarial networks (NeurIPS 2018).

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import regularizers
    >>> x = jnp.arange(8.0).reshape(4, 2)
    >>> print(bool(jnp.all(regularizers.unpack(regularizers.pack(x, 2), 2) == x)))
    True
  """
  _check_pack_size(m, x, -1, "the last axis")
  grouped = x.reshape(*x.shape[:-1], m, x.shape[-1] // m)         # [B/m, *S[:-1], m, F]
  grouped = jnp.moveaxis(grouped, -2, 1)                          # [B/m, m, *S[:-1], F]
  return grouped.reshape(x.shape[0] * m, *grouped.shape[2:])


def orthogonal_penalty(params, beta=1e-4) -> jax.Array:
  """BigGAN's orthogonal regularization: beta sum over kernels W of ||W^T W * (1 - I)||_F^2.

  Every leaf with 2 or more dimensions is a kernel, flattened to W [fan_in, fan_out] (a convolution's
  [k_h, k_w, C_in, C_out] to [k_h k_w C_in, C_out]); biases and scales (1-D leaves) are left alone.
  Only the filters' mutual cosines are penalized, not their norms, unlike the full ||W^T W - I||_F^2.

  Args:
    params: a pytree of parameters (e.g. the generator's).
    beta: the weight (BigGAN: 1e-4); may be traced.

  Returns:
    a float scalar; 0 when every kernel has orthogonal columns.

  References:
    A. Brock, J. Donahue and K. Simonyan, Large Scale GAN Training for High Fidelity Natural Image
    Synthesis (ICLR 2019), section 3.1.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import regularizers
    >>> print(float(regularizers.orthogonal_penalty({"w": jnp.array([[1.0, 1.0], [0.0, 1.0]])}, beta=1.0)))
    2.0
  """
  total = jnp.zeros(())
  for leaf in jax.tree.leaves(params):
    if leaf.ndim >= 2:
      w = leaf.reshape(-1, leaf.shape[-1])                                   # [fan_in, fan_out]
      gram = w.T @ w                                                         # [fan_out, fan_out]
      total = total + jnp.sum(jnp.square(gram * (1.0 - jnp.eye(gram.shape[0], dtype=gram.dtype))))
  return beta * total


def path_length_penalty(synthesis: Callable[[jax.Array], jax.Array], w: jax.Array, key: jax.Array,
                        mean_length, decay=0.01, mean: Callable[[jax.Array], jax.Array] = jnp.mean
                        ) -> tuple[jax.Array, jax.Array]:
  """StyleGAN2's path-length regularizer: per example (||J_w^T y||_2 - a)^2 with y ~ N(0, I) / sqrt(H W)
  and J_w the Jacobian of the images g(w) with respect to the style w; a tracks the mean length.

  J_w^T y is one vector-Jacobian product, grad_w sum(g(w) * y). Minimizing the penalty makes a fixed-size
  step in w change the image by a fixed amount in every direction (a well-conditioned generator).

  Args:
    synthesis: g, mapping styles [B, ...] to images [B, H, W, C], treating examples independently.
    w: styles [B, ...].
    key: draws y: one key, or one key per example [B] (draws that do not depend on how a batch is split).
    mean_length: a, the running mean of the lengths (start at 0); may be traced.
    decay: the running mean's rate: a' = a + decay (mean_b ||J^T y|| - a).
    mean: the batch mean in that update (e.g. gen_jax.train.parallel.global_mean over a sharded batch).

  Returns:
    (penalties [B], a' the updated running mean); weight the mean penalty by StyleGAN2's
    w_pl = ln 2 / (r^2 (ln r - ln 2)) for images of side r.

  References:
    T. Karras et al., Analyzing and Improving the Image Quality of StyleGAN (CVPR 2020), section 3.2.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.gan import regularizers
    >>> g = lambda w: 2.0 * w.reshape(-1, 1, 1, 10_000)  # 1x1 images: ||J^T y|| = 2 ||y|| ~ 2 sqrt(10^4)
    >>> penalty, a = regularizers.path_length_penalty(g, jnp.ones((4, 10_000)), jax.random.key(0), 0.0, 1.0)
    >>> print(penalty.shape, round(float(a) / 100))
    (4,) 2
  """
  images, pullback = jax.vjp(synthesis, w)
  height, width = images.shape[1], images.shape[2]
  typed = jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key)
  if key.ndim == (1 if typed else 2):                                         # one key per example
    y = jax.vmap(lambda k: jax.random.normal(k, images.shape[1:], images.dtype))(key)
  else:
    y = jax.random.normal(key, images.shape, images.dtype)
  y = y / jnp.sqrt(float(height * width))
  (jacobian_t_y,) = pullback(y)                                               # [B, ...] like w
  lengths = jnp.sqrt(_squared_norms(jacobian_t_y))                            # [B]
  new_mean = mean_length + decay * (mean(jax.lax.stop_gradient(lengths)) - mean_length)
  return jnp.square(lengths - new_mean), new_mean


def lazy_penalty(step, interval: int, penalty: Callable[[], Any], skipped_aux: Any = None) -> Any:
  """StyleGAN2's lazy regularization: interval * penalty() at steps divisible by `interval`, else 0,
  so the regularizer costs 1 / interval of its price at the same average strength.

  Args:
    step: the training step (may be traced).
    interval: k >= 1 (static; StyleGAN2: 16 for R1, 4 for path length).
    penalty: a zero-argument function returning the (weighted) penalty scalar, or (penalty, aux) when
      `skipped_aux` is given.
    skipped_aux: with a penalty that returns (penalty, aux) (e.g. an updated running mean), the aux
      returned at the steps that skip it (e.g. the running mean unchanged).

  Returns:
    a float scalar, or (scalar, aux) with `skipped_aux`.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import regularizers
    >>> print([float(regularizers.lazy_penalty(s, 4, lambda: jnp.array(0.5))) for s in (3, 4)])
    [0.0, 2.0]
  """
  interval = check_positive_int(interval, "interval")
  zero = jnp.zeros((), jnp.result_type(float))
  due = jnp.asarray(step) % interval == 0
  if skipped_aux is None:
    return jax.lax.cond(due, lambda: interval * penalty(), lambda: zero)

  def regularize():
    value, aux = penalty()
    return interval * value, aux

  return jax.lax.cond(due, regularize, lambda: (zero, skipped_aux))
