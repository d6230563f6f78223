"""The GAN family's networks: conditioning wrappers around the shared MLP and DCGAN bodies.

* `CriticMLP`: the 2-D discriminator body: maxout units (the benchmark's, VEEGAN/PacGAN:
  3 x 200 LinearMaxout units with 5 pieces), h <- max_j (W_j h + b_j), or the plain
  alternative h <- lrelu(W h + b, 0.2).
* `Generator`: x = body([z, onehot(y)]) (the labels only for a conditional GAN).
* `Discriminator`: features h = body(x); logit = w.h + b (+ embed(y).h, the
  projection discriminator of Miyato & Koyama (2018), for a conditional GAN);
  optionally InfoGAN's head Q(c | x) = Dense(lrelu(Dense(h))) on the same features.
  On DCGAN's flat s x s x F features the dense logit is DCGAN's final s x s
  'VALID' convolution to one logit.
"""

from typing import Callable, Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp


CRITIC_UNITS = ("maxout", "leaky_relu")


class CriticMLP(nn.Module):
  """The MLP discriminator body, per hidden width: [B, D] -> [B, hidden[-1]].

  unit 'maxout': h <- max_j (W_j h + b_j) over `pieces` linear pieces (VEEGAN/PacGAN's LinearMaxout);
  unit 'leaky_relu': h <- lrelu(W h + b, 0.2) = max(a, 0.2 a).

  Attributes:
    hidden: widths of the hidden layers.
    unit: one of CRITIC_UNITS, 'maxout' or 'leaky_relu'.
    pieces: linear pieces per maxout unit.
    dense: linear layer factory (e.g. spectrally normalized nn.Dense).
    dtype: computation dtype.
  """

  hidden: Sequence[int]
  unit: str = "maxout"
  pieces: int = 5
  dense: Callable[..., nn.Module] = nn.Dense
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = True) -> jax.Array:
    del train  # no batch statistics
    if self.unit not in CRITIC_UNITS:
      raise ValueError(f"unit: expected one of {CRITIC_UNITS}, got {self.unit!r}")
    h = x.astype(self.dtype)
    for width in self.hidden:
      if self.unit == "maxout":
        h = self.dense(width * self.pieces, dtype=self.dtype)(h)                # [B, width * pieces]
        h = jnp.max(h.reshape(h.shape[0], width, self.pieces), axis=-1)        # [B, width]
      else:
        h = nn.leaky_relu(self.dense(width, dtype=self.dtype)(h), 0.2)         # [B, width]
    return h


class Generator(nn.Module):
  """x = body(concat(z, onehot(labels))) (+ z[:, :K] @ offsets): [B, Z] (+ labels [B]) -> [B, *example_shape].

  Attributes:
    body: network from the input vector to an example, called as body(v, train=train).
    num_classes: > 0 for a conditional generator (labels required), else 0.
    num_offsets: K > 0 when z starts with a one-hot category (gen_jax.gan.latents.categorical_latent):
      each category adds its own learned output offset, initialised N(0, offset_scale^2), so that
      categories start spread over the data and move as points (flat examples only).
    offset_scale: standard deviation of the offsets' initialisation.
    class_conditional_body: the body is called as body(z, labels) and conditions on the labels itself
      (BigGAN's class-conditional BatchNorm) instead of seeing onehot(labels) in its input.
  """

  body: nn.Module
  num_classes: int = 0
  num_offsets: int = 0
  offset_scale: float = 1.0
  class_conditional_body: bool = False

  @nn.compact
  def __call__(self, z: jax.Array, labels: jax.Array | None = None, train: bool = True) -> jax.Array:
    if self.class_conditional_body:  # the body conditions on the labels itself (BigGAN)
      return self.body(z, labels, train=train)
    inputs = z
    if self.num_classes:
      inputs = jnp.concatenate([z, jax.nn.one_hot(labels, self.num_classes, dtype=z.dtype)], axis=-1)
    x = self.body(inputs, train=train)
    if self.num_offsets:
      offsets = self.param("offsets", nn.initializers.normal(self.offset_scale), (self.num_offsets, x.shape[-1]))
      x = x + z[:, :self.num_offsets] @ offsets.astype(x.dtype)                 # [B, D]
    return x


class Discriminator(nn.Module):
  """(logits [B] float32, Q outputs [B, num_codes] float32 or None) for inputs [B, ...].

  Attributes:
    body: network from an input to a flat feature vector [B, F].
    num_classes: > 0 adds the projection term embed(y).h (labels required).
    num_codes: > 0 adds InfoGAN's Q head with that many outputs.
    q_hidden: width of the Q head's hidden layer.
    dense: linear layer factory for the output heads (spectral norm when the body has it).
    dtype: computation dtype.
  """

  body: nn.Module
  num_classes: int = 0
  num_codes: int = 0
  q_hidden: int = 128
  dense: Callable[..., nn.Module] = nn.Dense
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array, labels: jax.Array | None = None, train: bool = True):
    h = self.body(x, train=train)                                               # [B, F]
    logits = self.dense(1, dtype=self.dtype)(h)[:, 0]                          # [B]
    if self.num_classes:
      embedding = nn.Embed(self.num_classes, h.shape[-1], dtype=self.dtype)(labels)  # [B, F]
      logits = logits + jnp.sum(embedding * h, axis=-1)
    q = None
    if self.num_codes:
      q = nn.leaky_relu(nn.Dense(self.q_hidden, dtype=self.dtype)(h), 0.2)
      q = nn.Dense(self.num_codes, dtype=self.dtype)(q).astype(jnp.float32)    # [B, num_codes]
    return logits.astype(jnp.float32), q
