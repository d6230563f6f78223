"""ProGAN's per-shard training step (Karras et al., 2018; run by the engine inside shard_map).

At step t the networks work at (stage, alpha) = schedule(t) (gen_jax.nets.progan.GrowthSchedule); real images
are pooled to the stage's resolution and blended during the fade (`real_images_at_stage`). One step is a
critic update, then a generator update, each on fresh latents, with WGAN-GP and the paper's drift term:

  D: minimize mean D(G(z)) - D(x) + lambda (||grad_{x_s} D(x_hat)|| - 1)^2 + eps_drift D(x)^2
  G: minimize mean -D(G(z))

x_hat between real and generated images (gen_jax.gan.regularizers.gradient_penalty). The networks see R x R
enlargements of the stage's r_s x r_s images; D reads them through average pooling, so its gradient with
respect to the enlarged image is that with respect to the r_s x r_s one divided by k = R / r_s: the
penalty is taken on k D, which makes it the paper's penalty at the stage's resolution. Latents and
interpolation weights come from per-example keys and every mean is a global-batch mean: N devices
reproduce one.
"""

import dataclasses

import jax
import jax.numpy as jnp

from gen_jax.gan import losses, regularizers
from gen_jax.gan.updates import Net
from gen_jax.nets.progan import GrowthSchedule, real_images_at_stage
from gen_jax.train import parallel
from gen_jax.train.net_state import apply_gradient, grad_norms, net_tuple, with_nets


@dataclasses.dataclass(frozen=True)
class ProObjective:
  """ProGAN's objective (config group `objective`): WGAN-GP with the drift term."""

  gradient_penalty: float = 10.0   # lambda
  drift: float = 0.001             # eps_drift, keeps the critic's scores of real images near 0


def progan_update(g: Net, d: Net, objective: ProObjective, schedule: GrowthSchedule, latent_dim: int, state,
                  batch: dict, key: jax.Array):
  """One ProGAN step on one shard (see module doc): (new state, metrics)."""
  stage, alpha = schedule(state.step)
  real = real_images_at_stage(batch["x"], stage, alpha)                         # [b, R, R, C]
  b, size = real.shape[0], real.shape[1]
  penalty_scale = (size / 4) / 2.0 ** stage.astype(jnp.float32)                 # k = R / r_s
  g_params, g_opt_state, g_model_state = net_tuple(state, "generator")
  d_params, d_opt_state, d_model_state = net_tuple(state, "discriminator")

  def generate(params, k):
    z = parallel.example_normal(k, b, (latent_dim,))                            # [b, Z]
    return g.module.apply({"params": params}, z, stage, alpha)

  def critic(params, images):
    return d.module.apply({"params": params}, images, stage, alpha)            # [b]

  fake = jax.lax.stop_gradient(generate(g_params, jax.random.fold_in(key, 0)))
  gp_keys = parallel.example_keys(jax.random.fold_in(key, 1), b)

  def d_loss_fn(params):
    real_logits, fake_logits = critic(params, real), critic(params, fake)
    adversarial = parallel.global_mean(losses.wasserstein_discriminator(real_logits, fake_logits))
    drift = parallel.global_mean(jnp.square(real_logits))
    total = adversarial + objective.drift * drift
    aux = {"loss/discriminator": adversarial, "penalty/drift": drift,
           "logit/real": parallel.global_mean(real_logits), "logit/fake": parallel.global_mean(fake_logits)}
    if objective.gradient_penalty > 0:
      penalty = parallel.global_mean(regularizers.gradient_penalty(
          lambda v: penalty_scale * critic(params, v), real, fake, gp_keys))
      total, aux["penalty/gradient"] = total + objective.gradient_penalty * penalty, penalty
    return total, aux

  (_, d_metrics), d_grads = jax.value_and_grad(d_loss_fn, has_aux=True)(d_params)
  d_params, d_opt_state = apply_gradient(d.optimizer, d_params, d_opt_state, d_grads)

  def g_loss_fn(params):
    logits = critic(d_params, generate(params, jax.random.fold_in(key, 2)))
    return parallel.global_mean(losses.linear_generator(logits))

  g_loss, g_grads = jax.value_and_grad(g_loss_fn)(g_params)
  g_params, g_opt_state = apply_gradient(g.optimizer, g_params, g_opt_state, g_grads)
  metrics = {**d_metrics, "loss/generator": g_loss, "growth/stage": stage.astype(jnp.float32),
             "growth/alpha": alpha, **grad_norms({"discriminator": d_grads, "generator": g_grads})}
  return with_nets(state, generator=(g_params, g_opt_state, g_model_state),
                   discriminator=(d_params, d_opt_state, d_model_state)), metrics
