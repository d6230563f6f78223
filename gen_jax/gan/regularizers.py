"""Stabilizers of adversarial training: Lipschitz constraints, gradient penalties, packing.

* `clip_weights`: WGAN's weight clipping, w <- clip(w, -c, c), after each critic update.
* `gradient_penalty`: WGAN-GP, (||grad_x f(x_hat)||_2 - 1)^2 on random interpolates.
* `r1_penalty`: ||grad_x f(x)||_2^2 on real data (Mescheder et al., 2018).
* `spectral_normalized`: wraps a Dense/Conv factory in `flax.linen.SpectralNorm`;
  its power-iteration vector u and estimate sigma live in the 'batch_stats'
  collection, i.e. in the train state's model_state.
* `pack` / `unpack`: PacGAN's packing of m samples into one discriminator input.

EMA of the generator's weights is the engine's (`train.ema_decay`); n_critic and
two learning rates (TTUR) are fields of the GAN config (see gen_jax.gan.models).
"""

import functools
from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp

_NORM_EPS = 1e-12


def clip_weights(params, bound: float):
  """Every leaf clipped elementwise to [-bound, bound] (WGAN's crude Lipschitz constraint)."""
  if not bound > 0:
    raise ValueError(f"bound: expected a positive clipping bound, got {bound}")
  return jax.tree.map(lambda w: jnp.clip(w, -bound, bound), params)


def _input_gradients(critic: Callable[[jax.Array], jax.Array], x: jax.Array) -> jax.Array:
  """grad_x f(x) per example [B, ...], for a critic f: [B, ...] -> [B] that treats examples independently."""
  return jax.grad(lambda inputs: jnp.sum(critic(inputs)))(x)


def _squared_norms(g: jax.Array) -> jax.Array:  # [B, ...] -> [B]
  return jnp.sum(jnp.square(g.reshape(g.shape[0], -1)), axis=1)


def interpolate(real: jax.Array, fake: jax.Array, keys: jax.Array) -> jax.Array:
  """x_hat_i = eps_i x_i + (1 - eps_i) G(z)_i, eps_i ~ U(0, 1) drawn from keys[i]; shape of `real`."""
  if real.shape != fake.shape or keys.shape[0] != real.shape[0]:
    raise ValueError(f"real, fake, keys: expected [B, ...], [B, ...], [B] keys, got {real.shape}, "
                     f"{fake.shape}, {keys.shape}")
  eps = jax.vmap(lambda k: jax.random.uniform(k, (1,) * (real.ndim - 1), real.dtype))(keys)
  return fake + eps * (real - fake)


def gradient_penalty(critic: Callable[[jax.Array], jax.Array], real: jax.Array, fake: jax.Array,
                     keys: jax.Array) -> jax.Array:
  """WGAN-GP (Gulrajani et al., 2017): (||grad f(x_hat_i)||_2 - 1)^2 per example [B].

  x_hat_i = eps_i x_i + (1 - eps_i) G(z)_i with eps_i ~ U(0, 1) from keys[i] (one
  key per example, so the penalty does not depend on how the batch is sharded).
  For a linear critic f(x) = w.x + b it equals (||w|| - 1)^2 at every point.
  """
  g = _input_gradients(critic, interpolate(real, fake, keys))
  return jnp.square(jnp.sqrt(_squared_norms(g) + _NORM_EPS) - 1.0)


def r1_penalty(critic: Callable[[jax.Array], jax.Array], real: jax.Array) -> jax.Array:
  """R1 (Mescheder et al., 2018): ||grad_x f(x_i)||_2^2 per real example [B]; weight it by gamma/2."""
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

  W_SN = W / sigma(W), sigma the top singular value of W reshaped to
  [fan_in, features], estimated by power iteration on a vector u carried in the
  'batch_stats' collection; `update_stats=True` (training) advances u and sigma,
  so apply with mutable=['batch_stats'].
  """
  if n_steps < 1:
    raise ValueError(f"n_steps: expected at least one power iteration, got {n_steps}")

  def make(*args, **kwargs) -> nn.Module:
    return _SpectralLayer(functools.partial(layer, *args, **kwargs), update_stats, n_steps)

  return make


def pack(x: jax.Array, m: int) -> jax.Array:
  """PacGAN packing: [B, *S] -> [B/m, *S[:-1], m * S[-1]].

  Consecutive examples 0..m-1, m..2m-1, ... form one pack, concatenated along
  the last (feature or channel) axis: a 2-D point batch [B, 2] becomes
  [B/m, 2m], an image batch [B, H, W, C] becomes [B/m, H, W, m C]. Packs of
  i.i.d. examples are i.i.d. draws of the m-fold product distribution.
  """
  if m < 1 or x.ndim < 2 or x.shape[0] % m:
    raise ValueError(f"m: expected a positive pack size dividing the batch of x [B, ..., F], "
                     f"got m={m} for shape {x.shape}")
  grouped = x.reshape(x.shape[0] // m, m, *x.shape[1:])           # [B/m, m, *S]
  grouped = jnp.moveaxis(grouped, 1, -2)                          # [B/m, *S[:-1], m, F]
  return grouped.reshape(*grouped.shape[:-2], m * x.shape[-1])    # [B/m, *S[:-1], m F]


def unpack(x: jax.Array, m: int) -> jax.Array:
  """Inverse of `pack`: [B/m, *S[:-1], m F] -> [B, *S[:-1], F]."""
  if m < 1 or x.ndim < 2 or x.shape[-1] % m:
    raise ValueError(f"m: expected a positive pack size dividing the last axis of x, "
                     f"got m={m} for shape {x.shape}")
  grouped = x.reshape(*x.shape[:-1], m, x.shape[-1] // m)         # [B/m, *S[:-1], m, F]
  grouped = jnp.moveaxis(grouped, -2, 1)                          # [B/m, m, *S[:-1], F]
  return grouped.reshape(x.shape[0] * m, *grouped.shape[2:])
