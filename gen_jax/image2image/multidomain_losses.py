"""StarGAN's and AttGAN's objectives: adversarial + auxiliary classification + reconstruction, as pure functions.

One discriminator D with two heads: D_src (real/fake scores, per patch) and
D_cls (K attribute or domain logits). x has labels c (its attributes), the
generator edits it towards target labels c' (y = G(x, c')):

  L_D = adv_D(D_src(x), D_src(y)) + lambda_cls CE(D_cls(x), c) + lambda_gp GP
  L_G = adv_G(D_src(y)) + lambda_cls CE(D_cls(y), c') + lambda_rec |x_rec - x|_1
        + lambda_id |G(x, c) - x|_1                                  (optional, StarGAN only)

adv_D and adv_G are a loss pair of gen_jax.gan.losses on the patch-averaged
score (both papers use WGAN-GP: adv_D = D_src(y) - D_src(x), adv_G = -D_src(y),
and GP the gradient penalty of gen_jax.gan.regularizers at interpolates of x and
y); CE(l, c) = sum_k BCE(sigmoid(l_k), c_k), the multi-label cross-entropy of
both papers (K binary attributes; a one-hot c covers single-label domains).
The reconstruction is the only difference between the two models:

  StarGAN (Choi et al., 2018):  x_rec = G(G(x, c'), c)        the cycle back to the source domain
  AttGAN (He et al., 2019):     x_rec = G_dec(G_enc(x), c)     decoding the latent with its own attributes

The last term is Fixed-Point GAN's conditional identity loss (Siddiquee et al.,
2019): asked for the attributes it already has, StarGAN's generator must return
its input, which ties every edit to the source image (AttGAN's x_rec already is
G(x, c), so it has no separate identity term).

StarGAN uses lambda_cls = 1, lambda_rec = 10, lambda_gp = 10 (lambda_id = 0; Fixed-Point GAN 10); AttGAN lambda_cls = 10
(the generator's, 1 for D's classifier: `lambda_cls` is passed to each function
separately), lambda_rec = 100, lambda_gp = 10. Every function returns per-example
values [B].
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax

from gen_jax.gan import losses
from gen_jax.image2image.unpaired_losses import mean_absolute_error


def attribute_cross_entropy(logits: jax.Array, labels: jax.Array) -> jax.Array:
  """Multi-label cross-entropy per example: sum_k -[c_k log sigmoid(l_k) + (1 - c_k) log sigmoid(-l_k)].

  Args:
    logits: l [B, K] attribute (or domain) logits of D_cls.
    labels: c [B, K] float in [0, 1] (binary attributes, or a one-hot domain).

  Returns:
    [B] per-example losses.

  References:
    Y. Choi et al., StarGAN (CVPR 2018), eqs. 2-3; Z. He et al., AttGAN (IEEE TIP 2019), eqs. 7-8.

  Example:
    >>> import jax.numpy as jnp
    >>> print(f"{float(attribute_cross_entropy(jnp.zeros((1, 2)), jnp.array([[1.0, 0.0]]))[0]):.4f}")  # 2 log 2
    1.3863
  """
  if logits.shape != labels.shape or logits.ndim != 2:
    raise ValueError(f"logits, labels: expected equal shapes [B, K], got {logits.shape} and {labels.shape}")
  return jnp.sum(optax.sigmoid_binary_cross_entropy(logits, labels), axis=-1)


def _scores(patch_scores: jax.Array) -> jax.Array:
  """D_src's patch map [B, ...] -> one score per example [B] (the patch mean)."""
  return jnp.mean(patch_scores.reshape(patch_scores.shape[0], -1), axis=1)


class DiscriminatorTerms(NamedTuple):
  """Per-example [B] terms of L_D."""

  adversarial: jax.Array
  classification: jax.Array    # CE(D_cls(x), c) on real images
  penalty: jax.Array           # the gradient penalty as given


def discriminator_objective(real_scores: jax.Array, fake_scores: jax.Array, real_class_logits: jax.Array,
                            real_labels: jax.Array, penalty: jax.Array, lambda_cls: float | jax.Array,
                            lambda_gp: float | jax.Array, kind: str = "wasserstein"
                            ) -> tuple[jax.Array, DiscriminatorTerms]:
  """L_D = adv_D + lambda_cls CE(D_cls(x), c) + lambda_gp GP per example (module doc).

  Args:
    real_scores: D_src(x) [B, ...] (patch scores, averaged per example).
    fake_scores: D_src(y) [B, ...] on edited images, the same shape.
    real_class_logits: D_cls(x) [B, K].
    real_labels: c [B, K], the real images' attributes.
    penalty: [B] gradient penalties (gen_jax.gan.regularizers.gradient_penalty), or zeros.
    lambda_cls: weight of the classification term (1 in both papers); may be traced.
    lambda_gp: weight of the penalty (10); may be traced.
    kind: the adversarial loss pair, a key of gen_jax.gan.losses.LOSSES (static).

  Returns:
    (L_D [B], DiscriminatorTerms).

  References:
    Y. Choi et al., StarGAN: Unified Generative Adversarial Networks for Multi-Domain Image-to-Image
    Translation (CVPR 2018), eqs. 1, 2, 5, 8; Z. He et al., AttGAN: Facial Attribute Editing by Only
    Changing What You Want (IEEE TIP 2019), eq. 12.

  Example (WGAN: D_src(y) - D_src(x) = -1; CE = 2 log 2 at zero logits; GP 0.5 weighted by 10):
    >>> import jax.numpy as jnp
    >>> total, terms = discriminator_objective(jnp.ones((1, 2, 2, 1)), jnp.zeros((1, 2, 2, 1)), jnp.zeros((1, 2)),
    ...                                        jnp.array([[1.0, 0.0]]), jnp.array([0.5]), 1.0, 10.0)
    >>> print(f"{float(terms.adversarial[0]):.4f} {float(total[0]):.4f}")  # -1 + 1.3863 + 5
    -1.0000 5.3863
  """
  adversarial = losses.discriminator_loss(_scores(real_scores), _scores(fake_scores), kind)
  classification = attribute_cross_entropy(real_class_logits, real_labels)
  total = adversarial + lambda_cls * classification + lambda_gp * penalty
  return total, DiscriminatorTerms(adversarial, classification, penalty)


class GeneratorTerms(NamedTuple):
  """Per-example [B] terms of L_G."""

  adversarial: jax.Array
  classification: jax.Array    # CE(D_cls(y), c') on edited images
  reconstruction: jax.Array    # |x_rec - x|_1
  identity: jax.Array          # |G(x, c) - x|_1 (zeros without an identity image)


def generator_objective(fake_scores: jax.Array, fake_class_logits: jax.Array, target_labels: jax.Array,
                        images: jax.Array, reconstructed: jax.Array, lambda_cls: float | jax.Array,
                        lambda_rec: float | jax.Array, kind: str = "wasserstein",
                        same_domain: jax.Array | None = None, lambda_id: float | jax.Array = 0.0
                        ) -> tuple[jax.Array, GeneratorTerms]:
  """L_G = adv_G + lambda_cls CE(D_cls(y), c') + lambda_rec |x_rec - x|_1 + lambda_id |G(x, c) - x|_1 (module doc).

  Args:
    fake_scores: D_src(y) [B, ...] on edited images y = G(x, c').
    fake_class_logits: D_cls(y) [B, K].
    target_labels: c' [B, K], the requested attributes.
    images: x [B, H, W, C].
    reconstructed: x_rec, StarGAN's G(y, c) or AttGAN's G_dec(G_enc(x), c), shaped like x.
    lambda_cls: weight of the classification term (StarGAN 1, AttGAN 10); may be traced.
    lambda_rec: weight of the reconstruction (StarGAN 10, AttGAN 100); may be traced.
    kind: the adversarial loss pair, a key of gen_jax.gan.losses.LOSSES (static).
    same_domain: G(x, c), x edited towards its own attributes, shaped like x; None = no identity term.
    lambda_id: weight of the identity term (0 in StarGAN, 10 in Fixed-Point GAN); may be traced.

  Returns:
    (L_G [B], GeneratorTerms).

  References:
    Y. Choi et al., StarGAN (CVPR 2018), eqs. 1, 3, 4, 7; Z. He et al., AttGAN (IEEE TIP 2019), eqs. 3, 8, 11;
    M. M. Rahman Siddiquee et al., Learning Fixed Points in Generative Adversarial Networks (ICCV 2019), eq. 5.

  Example (WGAN: -D_src(y) = -2; CE = 2 log 2; |x_rec - x|_1 = 1 weighted by 10):
    >>> import jax.numpy as jnp
    >>> x = jnp.zeros((1, 2, 2, 1))
    >>> total, _ = generator_objective(jnp.full((1, 1, 1, 1), 2.0), jnp.zeros((1, 2)), jnp.array([[0.0, 1.0]]),
    ...                                x, x + 1.0, 1.0, 10.0)
    >>> print(f"{float(total[0]):.4f}")  # -2 + 1.3863 + 10
    9.3863
    >>> total, terms = generator_objective(jnp.full((1, 1, 1, 1), 2.0), jnp.zeros((1, 2)), jnp.array([[0.0, 1.0]]),
    ...                                    x, x + 1.0, 1.0, 10.0, same_domain=x + 0.5, lambda_id=10.0)
    >>> print(f"{float(terms.identity[0]):.4f} {float(total[0]):.4f}")  # 9.3863 + 10 * 0.5
    0.5000 14.3863
  """
  adversarial = losses.generator_loss(_scores(fake_scores), kind)
  classification = attribute_cross_entropy(fake_class_logits, target_labels)
  reconstruction = mean_absolute_error(reconstructed, images)
  identity = jnp.zeros_like(reconstruction) if same_domain is None else mean_absolute_error(same_domain, images)
  total = adversarial + lambda_cls * classification + lambda_rec * reconstruction + lambda_id * identity
  return total, GeneratorTerms(adversarial, classification, reconstruction, identity)
