"""The paired image-to-image GANs' per-shard update (run by the engine inside shard_map, see gen_jax.train.family).

One step on a batch of pairs (x = batch['condition'], the input; y = batch['x'], the target):

  D: minimize mean_i L_D(D(y_i), D(G(x_i)))   (pix2pix: D sees concat(x_i, .); ESRGAN: relativistic);
  G: minimize mean_i L_G, the objective's generator loss (gen_jax.image2image.paired_losses):
     pix2pix  -log D(x, G(x)) + lambda ||y - G(x)||_1,
     srgan    w_c ||y - G(x)||^2 + w_adv (-log D(G(x))),
     esrgan   eta ||y - G(x)||_1 + w_adv L_G^Ra.

With objective.adversarial_weight = 0 ('srgan' only) there is no discriminator: SRResNet
trained on the pixel MSE. During the first `pretrain_steps` steps the generator trains on its
content term alone and the discriminator's update is computed but not applied (SRGAN's
SRResNet-MSE initialisation, as one phase of the run's step schedule).

Means are global-batch means (`parallel.global_mean` inside the differentiated functions; the
relativistic loss's E[C(.)] too) and BatchNorm uses global statistics, so N devices reproduce one.
"""

import dataclasses

import jax
import jax.numpy as jnp

from gen_jax.gan.updates import Net, apply_net
from gen_jax.image2image import paired_losses
from gen_jax.train import parallel
from gen_jax.train.net_state import apply_gradient, grad_norms, net_tuple, with_nets

KINDS = ("pix2pix", "srgan", "esrgan")


@dataclasses.dataclass(frozen=True)
class PairedObjective:
  """The paired objective (config group `objective`, see module doc)."""

  kind: str = "srgan"
  content_weight: float = 1.0        # pix2pix lambda (100), SRGAN's MSE weight (1), ESRGAN's eta (1e-2)
  adversarial_weight: float = 1e-3   # SRGAN 1e-3, ESRGAN 5e-3, pix2pix 1; 0 = no discriminator
  pretrain_steps: int = 0            # content-only generator steps before the adversarial phase


def generator_input(kind: str, condition: jax.Array, target_shape) -> jax.Array:
  """What G sees: the condition itself (SR generators upsample it), or for pix2pix the condition
  bicubically resized to the target's height and width (the identity for colourisation)."""
  if kind != "pix2pix" or condition.shape[1:3] == tuple(target_shape[1:3]):
    return condition
  return jax.image.resize(condition, (condition.shape[0], *target_shape[1:3], condition.shape[-1]), "bicubic")


def discriminator_input(kind: str, g_input: jax.Array, images: jax.Array) -> jax.Array:
  """pix2pix's conditional discriminator sees concat(input, image) on the channel axis; SR ones the image."""
  return jnp.concatenate([g_input, images], axis=-1) if kind == "pix2pix" else images


def _relativistic_means(kind: str, real_logits, fake_logits) -> dict:
  """ESRGAN's E[C(y)] and E[C(G(x))] over the global batch (and patches); {} for the other objectives."""
  if kind != "esrgan":
    return {}
  return dict(real_mean=parallel.global_mean(real_logits), fake_mean=parallel.global_mean(fake_logits))


def _discriminator_loss(kind: str, real_logits, fake_logits):
  """Per-example discriminator loss [b] of the objective."""
  if kind == "esrgan":
    return paired_losses.relativistic_discriminator_loss(real_logits, fake_logits,
                                                         **_relativistic_means(kind, real_logits, fake_logits))
  return paired_losses.patch_discriminator_loss(real_logits, fake_logits)


def _generator_loss(objective: PairedObjective, adversarial_weight, real_logits, fake_logits, output, target):
  """Per-example generator loss [b] of the objective (module doc), adversarial term weighted `adversarial_weight`."""
  if objective.kind == "pix2pix":
    return paired_losses.pix2pix_generator_loss(fake_logits, output, target, objective.content_weight,
                                                adversarial_weight)
  if objective.kind == "srgan":
    content = objective.content_weight * paired_losses.pixel_mse(output, target)
    return paired_losses.srgan_generator_loss(fake_logits, content, adversarial_weight)
  return paired_losses.esrgan_generator_loss(real_logits, fake_logits, output, target, objective.content_weight,
                                             adversarial_weight,
                                             **_relativistic_means(objective.kind, real_logits, fake_logits))


def _content(kind: str, output, target):
  """The pixel term alone [b] (logged): MSE for SRGAN, L1 for pix2pix and ESRGAN."""
  return paired_losses.pixel_mse(output, target) if kind == "srgan" else paired_losses.pixel_l1(output, target)


def paired_update(g: Net, d: Net | None, objective: PairedObjective, state, batch: dict, key: jax.Array):
  """One step of the paired GAN (module doc); `d` None for the MSE-only generator."""
  del key  # deterministic networks: no noise
  kind, target = objective.kind, batch["x"]                                        # [b, H, W, C]
  g_in = generator_input(kind, batch["condition"], target.shape)
  g_params, g_opt_state, g_model_state = net_tuple(state, "generator")
  adversarial_on = (state.step >= objective.pretrain_steps).astype(jnp.float32)
  metrics, nets = {}, {}
  if d is not None:
    fake = jax.lax.stop_gradient(apply_net(g.module, g_params, g_model_state, g_in)[0])
    d_params, d_opt_state, d_model_state = net_tuple(state, "discriminator")

    def discriminator_loss_fn(p):
      logits, new_model_state = apply_net(d.module, p, d_model_state,
                                          discriminator_input(kind, jnp.concatenate([g_in, g_in]),
                                                              jnp.concatenate([target, fake])))
      real_logits, fake_logits = jnp.split(logits, 2)
      loss = parallel.global_mean(_discriminator_loss(kind, real_logits, fake_logits))
      aux = {"loss/discriminator": loss, "logit/real": parallel.global_mean(real_logits),
             "logit/fake": parallel.global_mean(fake_logits)}
      return loss, (aux, new_model_state)

    (_, (metrics, new_d_model_state)), d_grads = jax.value_and_grad(discriminator_loss_fn, has_aux=True)(d_params)
    stepped = (*apply_gradient(d.optimizer, d_params, d_opt_state, d_grads), new_d_model_state)
    d_state = jax.tree.map(lambda new, old: jnp.where(adversarial_on > 0, new, old), stepped,
                           (d_params, d_opt_state, d_model_state))
    nets["discriminator"] = d_state
    metrics.update(grad_norms({"discriminator": d_grads}))

  def generator_loss_fn(p):
    output, new_model_state = apply_net(g.module, p, g_model_state, g_in)
    content = _content(kind, output, target)                                        # [b]
    if d is None:
      total = objective.content_weight * content
    else:
      logits, _ = apply_net(d.module, nets["discriminator"][0], nets["discriminator"][2],
                            discriminator_input(kind, jnp.concatenate([g_in, g_in]),
                                                jnp.concatenate([target, output])))
      total = _generator_loss(objective, adversarial_on * objective.adversarial_weight, *jnp.split(logits, 2),
                              output, target)
    loss = parallel.global_mean(total)
    return loss, ({"loss/content": parallel.global_mean(content), "loss/generator": loss}, new_model_state)

  (_, (g_metrics, g_model_state)), g_grads = jax.value_and_grad(generator_loss_fn, has_aux=True)(g_params)
  g_params, g_opt_state = apply_gradient(g.optimizer, g_params, g_opt_state, g_grads)
  metrics.update(g_metrics, **grad_norms({"generator": g_grads}))
  if d is not None:
    metrics["adversarial_phase"] = adversarial_on
  return with_nets(state, generator=(g_params, g_opt_state, g_model_state), **nets), metrics
