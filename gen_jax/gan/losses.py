"""Adversarial objectives, computed stably from the discriminator's logits.

For a logit l, D = sigmoid(l), log D = log_sigmoid(l) and
log(1 - D) = log_sigmoid(-l): no probability is ever formed, so nothing
saturates to log(0). Every function returns PER-EXAMPLE losses (to be
minimized), shape [B]; the train step averages them over the global batch.
`real_logits` and `fake_logits` have the same shape [B] (one logit per example
or per pack of examples).

| kind           | discriminator loss                       | generator loss            |
|----------------|------------------------------------------|---------------------------|
| minimax        | -log D(x) - log(1 - D(G(z)))             | log(1 - D(G(z)))          |
| non_saturating | -log D(x) - log(1 - D(G(z)))             | -log D(G(z))              |
| least_squares  | (1/2)(l_x - 1)^2 + (1/2) l_G^2           | (1/2)(l_G - 1)^2          |
| wasserstein    | l_G - l_x                                | -l_G                      |
| hinge          | relu(1 - l_x) + relu(1 + l_G)            | -l_G                      |

(l_x: logit of a real example, l_G: logit of a generated one; least squares,
Wasserstein and hinge read the logit as the raw critic output.)
"""

from typing import Callable

import jax
import jax.numpy as jnp


def _check_pair(real_logits: jax.Array, fake_logits: jax.Array) -> None:
  if real_logits.shape != fake_logits.shape:
    raise ValueError(f"real_logits, fake_logits: expected equal shapes, got {real_logits.shape} "
                     f"and {fake_logits.shape}")


def bce_discriminator(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
  """-log D(x) - log(1 - D(G(z))) = -log_sigmoid(l_x) - log_sigmoid(-l_G), per example [B].

  The negated value function V(D, G) of Goodfellow et al. (2014); its minimizer
  over all functions is D*(x) = p_data(x) / (p_data(x) + p_g(x)).
  """
  return -jax.nn.log_sigmoid(real_logits) - jax.nn.log_sigmoid(-fake_logits)


def minimax_generator(fake_logits: jax.Array) -> jax.Array:
  """log(1 - D(G(z))) = log_sigmoid(-l_G): the saturating minimax objective the generator minimizes."""
  return jax.nn.log_sigmoid(-fake_logits)


def non_saturating_generator(fake_logits: jax.Array) -> jax.Array:
  """-log D(G(z)) = -log_sigmoid(l_G): same fixed point, strong gradients when D rejects G(z)."""
  return -jax.nn.log_sigmoid(fake_logits)


def least_squares_discriminator(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
  """LSGAN (Mao et al., 2017) with targets a=0 (fake), b=1 (real): (1/2)(l_x - 1)^2 + (1/2) l_G^2."""
  return 0.5 * jnp.square(real_logits - 1.0) + 0.5 * jnp.square(fake_logits)


def least_squares_generator(fake_logits: jax.Array) -> jax.Array:
  """LSGAN generator with target c=1: (1/2)(l_G - 1)^2."""
  return 0.5 * jnp.square(fake_logits - 1.0)


def wasserstein_discriminator(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
  """WGAN critic (Arjovsky et al., 2017): l_G - l_x, minimized (needs a Lipschitz constraint)."""
  return fake_logits - real_logits


def linear_generator(fake_logits: jax.Array) -> jax.Array:
  """-l_G: the generator of the Wasserstein and hinge objectives raises the critic's score."""
  return -fake_logits


def hinge_discriminator(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
  """Hinge loss (Lim & Ye, 2017; Miyato et al., 2018): relu(1 - l_x) + relu(1 + l_G)."""
  return jax.nn.relu(1.0 - real_logits) + jax.nn.relu(1.0 + fake_logits)


# name -> (discriminator loss, generator loss)
LOSSES: dict[str, tuple[Callable, Callable]] = {
    "minimax": (bce_discriminator, minimax_generator),
    "non_saturating": (bce_discriminator, non_saturating_generator),
    "least_squares": (least_squares_discriminator, least_squares_generator),
    "wasserstein": (wasserstein_discriminator, linear_generator),
    "hinge": (hinge_discriminator, linear_generator),
}


def check_kind(kind: str, field: str = "kind") -> str:
  """`kind` if it names a loss in LOSSES; ValueError naming `field` and the valid names otherwise."""
  if kind not in LOSSES:
    raise ValueError(f"{field}: unknown loss {kind!r}; expected one of {sorted(LOSSES)}")
  return kind


def discriminator_loss(real_logits: jax.Array, fake_logits: jax.Array, kind: str) -> jax.Array:
  """Per-example discriminator loss [B] of objective `kind` (see the module table)."""
  real_logits, fake_logits = jnp.asarray(real_logits), jnp.asarray(fake_logits)
  _check_pair(real_logits, fake_logits)
  return LOSSES[check_kind(kind)][0](real_logits, fake_logits)


def generator_loss(fake_logits: jax.Array, kind: str) -> jax.Array:
  """Per-example generator loss [B] of objective `kind` (see the module table)."""
  return LOSSES[check_kind(kind)][1](jnp.asarray(fake_logits))


def info_code_loss(q_outputs: jax.Array, category: jax.Array, continuous: jax.Array) -> jax.Array:
  """InfoGAN's variational mutual-information term (Chen et al., 2016), per example [B].

  With Q(c | x) a categorical over K codes (logits q[:, :K]) times a unit-variance
  Gaussian over L continuous codes (means q[:, K:]), the loss is
  -log Q(c | G(z, c)) up to a constant: cross_entropy(q[:, :K], c_cat) + (1/2) ||q[:, K:] - c_cont||^2.
  Minimizing it maximizes the lower bound L_I = E[log Q(c | G(z, c))] + H(c) on I(c; G(z, c)).
  `q_outputs` [B, K + L], `category` [B] int, `continuous` [B, L].
  """
  num_continuous = continuous.shape[-1]
  num_categories = q_outputs.shape[-1] - num_continuous
  if num_categories < 1 or category.shape != q_outputs.shape[:1]:
    raise ValueError(f"q_outputs, category, continuous: expected [B, K + L], [B], [B, L] with K >= 1, got "
                     f"{q_outputs.shape}, {category.shape}, {continuous.shape}")
  logits, means = q_outputs[:, :num_categories], q_outputs[:, num_categories:]
  log_q = jax.nn.log_softmax(logits)
  cross_entropy = -jnp.take_along_axis(log_q, category[:, None], axis=1)[:, 0]
  return cross_entropy + 0.5 * jnp.sum(jnp.square(means - continuous), axis=-1)
