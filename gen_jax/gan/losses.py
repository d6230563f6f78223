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

from gen_jax.checks import check_choice


def _check_pair(real_logits: jax.Array, fake_logits: jax.Array) -> None:
  if real_logits.shape != fake_logits.shape:
    raise ValueError(f"real_logits, fake_logits: expected equal shapes, got {real_logits.shape} "
                     f"and {fake_logits.shape}")


def bce_discriminator(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
  """Binary cross-entropy discriminator loss of the original GAN, from logits.

    -log D(x) - log(1 - D(G(z))) = -log_sigmoid(l_x) - log_sigmoid(-l_G)

  The negated value function V(D, G); its minimizer over all functions is
  D*(x) = p_data(x) / (p_data(x) + p_g(x)).

  Args:
    real_logits: l_x [B] float, logits of real examples.
    fake_logits: l_G [B] float, logits of generated examples.

  Returns:
    per-example losses [B].

  References:
    I. Goodfellow et al., Generative Adversarial Nets (NeurIPS 2014), eq. 1.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import losses
    >>> print(f"{float(losses.bce_discriminator(jnp.zeros(1), jnp.zeros(1))[0]):.4f}")  # 2 log 2
    1.3863
  """
  return -jax.nn.log_sigmoid(real_logits) - jax.nn.log_sigmoid(-fake_logits)


def minimax_generator(fake_logits: jax.Array) -> jax.Array:
  """The saturating minimax generator loss: log(1 - D(G(z))) = log_sigmoid(-l_G).

  Args:
    fake_logits: l_G [B] float.

  Returns:
    per-example losses [B] (to be minimized; they saturate when D rejects G(z)).

  References:
    I. Goodfellow et al., Generative Adversarial Nets (NeurIPS 2014), eq. 1.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import losses
    >>> print(f"{float(losses.minimax_generator(jnp.zeros(1))[0]):.4f}")  # log 1/2
    -0.6931
  """
  return jax.nn.log_sigmoid(-fake_logits)


def non_saturating_generator(fake_logits: jax.Array) -> jax.Array:
  """The non-saturating generator loss: -log D(G(z)) = -log_sigmoid(l_G).

  Same fixed point as the minimax loss, strong gradients when D rejects G(z).

  Args:
    fake_logits: l_G [B] float.

  Returns:
    the generator's loss per example [B].

  References:
    I. Goodfellow et al., Generative Adversarial Nets (NeurIPS 2014), section 3.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import losses
    >>> print(f"{float(losses.non_saturating_generator(jnp.zeros(1))[0]):.4f}")  # log 2
    0.6931
  """
  return -jax.nn.log_sigmoid(fake_logits)


def least_squares_discriminator(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
  """LSGAN discriminator loss with targets b = 1 (real) and a = 0 (fake).

    (1/2)(l_x - 1)^2 + (1/2) l_G^2

  Args:
    real_logits: l_x [B] float, raw discriminator outputs on real examples.
    fake_logits: l_G [B] float, on generated examples.

  Returns:
    per-example losses [B].

  References:
    X. Mao et al., Least Squares Generative Adversarial Networks (ICCV 2017), eq. 2.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import losses
    >>> print(losses.least_squares_discriminator(jnp.array([1.0, 0.0]), jnp.array([0.0, 1.0])))
    [0. 1.]
  """
  return 0.5 * jnp.square(real_logits - 1.0) + 0.5 * jnp.square(fake_logits)


def least_squares_generator(fake_logits: jax.Array) -> jax.Array:
  """LSGAN generator loss with target c = 1: (1/2)(l_G - 1)^2.

  Args:
    fake_logits: l_G [B] float.

  Returns:
    the generator's loss per example [B].

  References:
    X. Mao et al., Least Squares Generative Adversarial Networks (ICCV 2017), eq. 2.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan.losses import least_squares_generator
    >>> print(least_squares_generator(jnp.array([1.0, 3.0])))
    [0. 2.]
  """
  return 0.5 * jnp.square(fake_logits - 1.0)


def wasserstein_discriminator(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
  """WGAN critic loss: l_G - l_x, minimized (needs a Lipschitz constraint on the critic).

  Args:
    real_logits: l_x [B] float, critic scores of real examples.
    fake_logits: l_G [B] float, of generated examples.

  Returns:
    per-example losses [B].

  References:
    M. Arjovsky, S. Chintala and L. Bottou, Wasserstein GAN (ICML 2017), algorithm 1.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import losses
    >>> print(losses.wasserstein_discriminator(jnp.array([2.0]), jnp.array([0.5])))
    [-1.5]
  """
  return fake_logits - real_logits


def linear_generator(fake_logits: jax.Array) -> jax.Array:
  """Generator loss of the Wasserstein and hinge objectives: -l_G (raise the critic's score).

  Args:
    fake_logits: l_G [B] float, the critic's scores of generated examples (unbounded, not probabilities).

  Returns:
    the generator's loss per example [B].

  References:
    M. Arjovsky, S. Chintala and L. Bottou, Wasserstein GAN (ICML 2017), algorithm 1.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan.losses import linear_generator
    >>> print(linear_generator(jnp.array([0.5])))
    [-0.5]
  """
  return -fake_logits


def hinge_discriminator(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
  """Hinge discriminator loss: relu(1 - l_x) + relu(1 + l_G).

  Args:
    real_logits: l_x [B] float.
    fake_logits: l_G [B] float.

  Returns:
    per-example losses [B].

  References:
    J. H. Lim and J. C. Ye, Geometric GAN (2017); T. Miyato et al., Spectral Normalization for
    Generative Adversarial Networks (ICLR 2018), eq. 16.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import losses
    >>> print(losses.hinge_discriminator(jnp.array([2.0, 0.0]), jnp.array([-2.0, 0.0])))
    [0. 2.]
  """
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
  """`kind` if it names a loss in LOSSES, else ValueError `FIELD: expected one of [...], got ...`.

  Args:
    kind: the loss name (a static choice).
    field: argument or config-field name used in the message.

  Returns:
    `kind`.

  Example:
    >>> from gen_jax.gan import losses
    >>> losses.check_kind("vanilla", "objective.loss")
    Traceback (most recent call last):
      ...
    ValueError: objective.loss: expected one of ['minimax', 'non_saturating', 'least_squares', 'wasserstein', 'hinge'], got 'vanilla'
  """
  return check_choice(kind, LOSSES, field)


def discriminator_loss(real_logits: jax.Array, fake_logits: jax.Array, kind: str) -> jax.Array:
  """Per-example discriminator loss of objective `kind` (see the module table).

  Args:
    real_logits: l_x [B] float.
    fake_logits: l_G [B] float, the same shape.
    kind: a key of LOSSES (static).

  Returns:
    per-example losses [B].

  References:
    see each loss in LOSSES.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import losses
    >>> print(losses.discriminator_loss(jnp.array([2.0]), jnp.array([-2.0]), "hinge"))
    [0.]
  """
  real_logits, fake_logits = jnp.asarray(real_logits), jnp.asarray(fake_logits)
  _check_pair(real_logits, fake_logits)
  return LOSSES[check_kind(kind)][0](real_logits, fake_logits)


def generator_loss(fake_logits: jax.Array, kind: str) -> jax.Array:
  """Per-example generator loss of objective `kind` (see the module table).

  Args:
    fake_logits: the critic's scores of generated examples, l_G [B] float.
    kind: which objective, a key of LOSSES (static).

  Returns:
    what the generator minimizes, per example [B].

  References:
    the generator column of LOSSES (each row cites its paper).

  Example (least squares: (l_G - 1)^2 / 2 at l_G = 3):
    >>> from gen_jax.gan.losses import generator_loss
    >>> print(generator_loss(jnp.array([3.0]), "least_squares"))
    [2.]
  """
  return LOSSES[check_kind(kind)][1](jnp.asarray(fake_logits))


def info_code_loss(q_outputs: jax.Array, category: jax.Array, continuous: jax.Array) -> jax.Array:
  """InfoGAN's variational mutual-information loss, per example.

  With Q(c | x) a categorical over K codes (logits q[:, :K]) times a unit-variance
  Gaussian over L continuous codes (means q[:, K:]), the loss is -log Q(c | G(z, c))
  up to a constant:

    cross_entropy(q[:, :K], c_cat) + (1/2) ||q[:, K:] - c_cont||^2

  Minimizing it maximizes the lower bound L_I = E[log Q(c | G(z, c))] + H(c) on I(c; G(z, c)).

  Args:
    q_outputs: [B, K + L] float, Q's outputs on generated examples.
    category: c_cat [B] int in [0, K).
    continuous: c_cont [B, L] float.

  Returns:
    per-example losses [B].

  References:
    X. Chen et al., InfoGAN (NeurIPS 2016), eq. 5.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.gan import losses
    >>> q = jnp.array([[0.0, 0.0, 1.0]])  # K = 2 equal logits, L = 1 mean
    >>> print(f"{float(losses.info_code_loss(q, jnp.array([1]), jnp.array([[0.0]]))[0]):.4f}")  # log 2 + 1/2
    1.1931
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
