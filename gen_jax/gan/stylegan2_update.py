"""StyleGAN2's per-shard training step (Karras et al., 2020; run by the engine inside shard_map).

One step is a discriminator update, then a generator update, each on fresh latents:

  D: minimize mean softplus(D(T(G(z)))) + softplus(-D(T(x)))  [+ k (gamma / 2) mean ||grad_x D(T(x))||^2
     every k = r1_interval steps: lazy R1];
  G: minimize mean softplus(-D(T(G(z))))  [+ k w_pl mean (||J_w^T y|| - a)^2 every k = path_length_interval
     steps: lazy path-length regularization, a the running mean of the lengths],

with the non-saturating logistic loss, T the identity or DiffAugment (gen_jax.gan.augment). Every generated
batch uses style mixing: with probability `style_mixing` an example's styles switch from w_1 = f(z_1) to
w_2 = f(z_2) at a random layer (gen_jax.nets.style.mix_styles). The running mean of w (truncation's centre)
and the path-length mean a are generator state ('running' in model_state['generator']), so a checkpoint
resumes them exactly. Latents, crossovers, noise maps and the path-length directions y come from per-example
keys and every mean is a global-batch mean: N devices reproduce one. The lazy penalty is added to that step's
loss, so a network takes one Adam update per step; the paper's official code instead runs the penalty as an
extra update every k steps (k + 1 updates per k batches) and therefore rescales Adam's rate and betas by
c = k / (k + 1). With one update per step that correction does not apply and is not made.
"""

import dataclasses

import jax
import jax.numpy as jnp

from gen_jax.gan import losses, regularizers
from gen_jax.gan.latents import update_mean
from gen_jax.gan.updates import Net, augmented
from gen_jax.nets.style import mix_styles, mixing_crossover
from gen_jax.train import parallel
from gen_jax.train.net_state import apply_gradient, grad_norms, net_tuple, with_nets


@dataclasses.dataclass(frozen=True)
class StyleObjective:
  """StyleGAN2's objective and regularizers (config group `objective`, plus model.w_mean_decay)."""

  r1: float = 10.0                  # gamma; the lazy penalty is r1_interval (gamma / 2) R1
  r1_interval: int = 16
  path_length: float = 2.0          # w_pl (0 = off)
  path_length_interval: int = 4
  path_length_decay: float = 0.01   # rate of the running mean a
  style_mixing: float = 0.9         # probability that an example mixes two latents' styles
  w_mean_decay: float = 0.995       # running mean of w: w_mean += (1 - decay) (mean w - w_mean)
  augment: tuple[str, ...] = ()     # DiffAugment policy T (empty: none)


def initial_running_state(style_dim: int) -> dict:
  """The generator's 'running' state at step 0: the mean style and the path-length mean a."""
  return {"running": {"w_mean": jnp.zeros((style_dim,)), "path_length_mean": jnp.zeros(())}}


def stylegan2_update(g: Net, d: Net, objective: StyleObjective, latent_dim: int, num_layers: int, state,
                     batch: dict, key: jax.Array):
  """One StyleGAN2 step on one shard (see module doc): (new state, metrics)."""
  x = batch["x"]                                                                # [b, H, W, C]
  b = x.shape[0]
  step = state.step
  g_params, g_opt_state, g_model_state = net_tuple(state, "generator")
  d_params, d_opt_state, d_model_state = net_tuple(state, "discriminator")
  running = g_model_state["running"]

  def styles(params, k):
    """(mixed styles [b, L, W], the first latents' styles [b, W]) for fresh latents."""
    z = parallel.example_normal(jax.random.fold_in(k, 0), b, (2, latent_dim)).reshape(2 * b, latent_dim)
    w = g.module.apply({"params": params}, z, method="map").reshape(b, 2, -1)    # [b, 2, W]
    keys = parallel.example_keys(jax.random.fold_in(k, 1), b)
    crossover = jax.vmap(lambda kk: mixing_crossover(kk, 1, num_layers, objective.style_mixing)[0])(keys)
    return mix_styles(w[:, 0], w[:, 1], crossover, num_layers), w[:, 0]

  def synthesize(params, ws, k):
    return g.module.apply({"params": params}, ws, parallel.example_keys(k, b), method="synthesize")

  def generate(params, k):
    ws, w = styles(params, k)
    return synthesize(params, ws, jax.random.fold_in(k, 2)), w

  def critic(params, images):
    return d.module.apply({"params": params}, images)                         # [b]

  fake = jax.lax.stop_gradient(generate(g_params, jax.random.fold_in(key, 0))[0])
  real_in = augmented(objective, x, jax.random.fold_in(key, 1))
  fake_in = augmented(objective, fake, jax.random.fold_in(key, 2))

  def d_loss_fn(params):
    real_logits, fake_logits = critic(params, real_in), critic(params, fake_in)
    adversarial = parallel.global_mean(losses.discriminator_loss(real_logits, fake_logits, "non_saturating"))
    aux = {"loss/discriminator": adversarial, "logit/real": parallel.global_mean(real_logits),
           "logit/fake": parallel.global_mean(fake_logits)}
    total = adversarial
    if objective.r1 > 0:
      r1 = regularizers.lazy_penalty(step, objective.r1_interval, lambda: parallel.global_mean(
          regularizers.r1_penalty(lambda v: critic(params, v), real_in)))
      total, aux["penalty/r1"] = total + 0.5 * objective.r1 * r1, r1
    return total, aux

  (_, d_metrics), d_grads = jax.value_and_grad(d_loss_fn, has_aux=True)(d_params)
  d_params, d_opt_state = apply_gradient(d.optimizer, d_params, d_opt_state, d_grads)

  def g_loss_fn(params):
    fake, w = generate(params, jax.random.fold_in(key, 3))
    logits = critic(d_params, augmented(objective, fake, jax.random.fold_in(key, 4)))
    adversarial = parallel.global_mean(losses.generator_loss(logits, "non_saturating"))
    aux = {"loss/generator": adversarial}
    total, path_length_mean = adversarial, running["path_length_mean"]
    if objective.path_length > 0:
      k = jax.random.fold_in(key, 5)
      pl_ws = styles(params, k)[0]

      def penalty():
        lengths, new_mean = regularizers.path_length_penalty(
            lambda v: synthesize(params, v, jax.random.fold_in(k, 2)), pl_ws,
            parallel.example_keys(jax.random.fold_in(k, 3), b), path_length_mean, objective.path_length_decay,
            mean=parallel.global_mean)
        return parallel.global_mean(lengths), new_mean

      pl, path_length_mean = regularizers.lazy_penalty(step, objective.path_length_interval, penalty,
                                                       skipped_aux=path_length_mean)
      total, aux["penalty/path_length"] = total + objective.path_length * pl, pl
    return total, (aux, w, path_length_mean)

  (_, (g_metrics, w, path_length_mean)), g_grads = jax.value_and_grad(g_loss_fn, has_aux=True)(g_params)
  g_params, g_opt_state = apply_gradient(g.optimizer, g_params, g_opt_state, g_grads)
  w_mean = jax.lax.pmean(update_mean(running["w_mean"], w, objective.w_mean_decay), parallel.AXIS)
  running = {"w_mean": w_mean, "path_length_mean": path_length_mean}
  metrics = {**d_metrics, **g_metrics, "path_length_mean": path_length_mean,
             **grad_norms({"discriminator": d_grads, "generator": g_grads})}
  return with_nets(state, generator=(g_params, g_opt_state, {**g_model_state, "running": running}),
                   discriminator=(d_params, d_opt_state, d_model_state)), metrics
