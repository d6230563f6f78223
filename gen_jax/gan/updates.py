"""The GAN family's per-shard updates (run by the engine inside shard_map, see gen_jax.train.family).

`adversarial_update` (GAN, conditional GAN, InfoGAN): n_critic discriminator
updates, each on a fresh real batch and fresh latents, then one generator update:

  D: minimize mean_i d_loss(D(T(x_i)), D(T(G(z_i)))) + lambda_GP GP + (gamma/2) R1 + lambda_I L_I,
     then clip D's weights to [-c, c] when objective.clip > 0;
  G: minimize mean_i g_loss(D(T(G(z_i)))) + lambda_I L_I + beta R_ortho(G's kernels),

T the identity, or DiffAugment's differentiable augmentation (gen_jax.gan.augment, objective.diff_augment)
with fresh per-example draws for every batch it sees.

With pack size m > 1 the discriminator scores packs of m consecutive examples
(PacGAN). `aae_update` (adversarial autoencoder): a discriminator update between
prior samples z ~ N(0, I) and codes E(x), then an autoencoder update minimizing
mean ||Dec(E(x)) - x||^2 + lambda_adv g_loss(D(E(x))).

All means are global-batch means (`parallel.global_mean` inside the
differentiated functions), noise comes from per-example keys, BatchNorm uses
global-batch statistics: a run on N devices reproduces one on 1 device.
"""

import dataclasses
import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

from gen_jax.gan import augment, losses, regularizers
from gen_jax.gan.latents import LatentFn
from gen_jax.train import parallel
from gen_jax.train.net_state import apply_gradient, grad_norms, net_tuple, with_nets


@dataclasses.dataclass(frozen=True)
class Objective:
  """The adversarial objective and its stabilizers (config group `objective`)."""

  loss: str = "non_saturating"
  gradient_penalty: float = 0.0   # lambda_GP
  r1: float = 0.0                 # gamma; the penalty is (gamma / 2) R1
  clip: float = 0.0               # WGAN weight clipping bound c (0 = off)
  n_critic: int = 1
  pack: int = 1                   # PacGAN's m
  info_weight: float = 0.0        # lambda_I (InfoGAN)
  adversarial_weight: float = 1.0  # lambda_adv (AAE)
  augment: tuple[str, ...] = ()   # DiffAugment policy T (empty: none)
  orthogonal: float = 0.0         # beta of BigGAN's orthogonal regularization of the generator


def augmented(objective: Objective, x: jax.Array, key: jax.Array) -> jax.Array:
  """DiffAugment's T(x) [b, ...] with per-example keys from `key` (x itself when the policy is empty)."""
  if not objective.augment:
    return x
  return augment.diff_augment(x, parallel.example_keys(key, x.shape[0]), objective.augment)


@dataclasses.dataclass(frozen=True)
class Net:
  """A trained network: its flax module and its optimizer."""

  module: nn.Module
  optimizer: optax.GradientTransformation




def apply_net(module: nn.Module, params, model_state: dict, *args, train: bool = True):
  """(outputs, new model_state): applies `module` with its non-trained collections mutable in training."""
  variables = {"params": params, **model_state}
  if train and model_state:
    outputs, updated = module.apply(variables, *args, train=True, mutable=list(model_state))
    return outputs, dict(updated)
  return module.apply(variables, *args, train=train), model_state


def discriminator_update(d: Net, objective: Objective, state: tuple, real: jax.Array, fake: jax.Array,
                         labels: jax.Array | None, codes, key: jax.Array):
  """One critic update on real [b, ...] vs fake [b, ...] examples; `state` = (params, opt_state, model_state).

  Returns (new state tuple, metrics). `codes` (InfoGAN) = (category [b], continuous [b, L]) or None.
  """
  params, opt_state, model_state = state
  m = objective.pack
  real = augmented(objective, real, jax.random.fold_in(key, 2))
  fake = augmented(objective, fake, jax.random.fold_in(key, 3))
  real_in, fake_in = regularizers.pack(real, m), regularizers.pack(fake, m)     # [b/m, ..., m F]
  both_labels = None if labels is None else jnp.concatenate([labels, labels])
  critic = lambda p, x, y: apply_net(d.module, p, model_state, x, y)[0][0]      # logits only

  def loss_fn(p):
    (logits, q), new_model_state = apply_net(d.module, p, model_state, jnp.concatenate([real_in, fake_in]),
                                             both_labels)
    real_logits, fake_logits = jnp.split(logits, 2)
    adversarial = parallel.global_mean(losses.discriminator_loss(real_logits, fake_logits, objective.loss))
    aux = {"loss/discriminator": adversarial, "logit/real": parallel.global_mean(real_logits),
           "logit/fake": parallel.global_mean(fake_logits)}
    total = adversarial
    if objective.gradient_penalty > 0:
      keys = parallel.example_keys(key, real_in.shape[0])
      gp = parallel.global_mean(regularizers.gradient_penalty(lambda x: critic(p, x, labels), real_in, fake_in,
                                                              keys))
      total, aux["penalty/gradient"] = total + objective.gradient_penalty * gp, gp
    if objective.r1 > 0:
      r1 = parallel.global_mean(regularizers.r1_penalty(lambda x: critic(p, x, labels), real_in))
      total, aux["penalty/r1"] = total + 0.5 * objective.r1 * r1, r1
    if codes is not None:
      info = parallel.global_mean(losses.info_code_loss(jnp.split(q, 2)[1], *codes))
      total, aux["loss/info"] = total + objective.info_weight * info, info
    return total, (aux, new_model_state)

  (_, (metrics, model_state)), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
  params, opt_state = apply_gradient(d.optimizer, params, opt_state, grads)
  if objective.clip > 0:
    params = regularizers.clip_weights(params, objective.clip)
  metrics.update(grad_norms({"discriminator": grads}))
  return (params, opt_state, model_state), metrics


def split_critic_batches(batch: dict, n_critic: int) -> dict:
  """{'x': [n_critic * b, ...]} -> {'x': [n_critic, b, ...]}, chunk i = local rows i, i + n, i + 2n, ...

  Strided, so that chunk i holds the global rows congruent to i mod n_critic
  in global order whatever the device count (each shard holds a contiguous
  block of a multiple of n_critic rows), matching `parallel.example_keys`.
  """
  return jax.tree.map(lambda a: jnp.moveaxis(a.reshape(a.shape[0] // n_critic, n_critic, *a.shape[1:]), 1, 0),
                      batch)


def unroll_critic_steps(x: jax.Array) -> bool:
  """Whether the n_critic steps on x [n_critic, b, ...] run unrolled rather than in a lax.scan: for images,
  because XLA's CPU backend runs convolution gradients ~20x slower inside a scan; vectors keep the scan."""
  return x.ndim > 3


def adversarial_update(g: Net, d: Net, objective: Objective, latent: LatentFn, conditional: bool,
                       state, batch: dict, key: jax.Array):
  """One GAN step: n_critic discriminator updates, then one generator update (see module doc)."""
  chunks = split_critic_batches(batch, objective.n_critic)
  b = chunks["x"].shape[1]
  g_params, _, g_model_state = net_tuple(state, "generator")

  def generate(params, model_state, z, labels):
    return apply_net(g.module, params, model_state, z, labels)

  def critic_step(d_state, inputs):
    chunk, i = inputs
    step_key = jax.random.fold_in(key, i)
    labels = chunk["y"] if conditional else None
    z, codes = latent(parallel.example_keys(jax.random.fold_in(step_key, 0), b))
    fake = jax.lax.stop_gradient(generate(g_params, g_model_state, z, labels)[0])
    return discriminator_update(d, objective, d_state, chunk["x"], fake, labels, codes,
                                jax.random.fold_in(step_key, 1))

  critic_inputs = (chunks, jnp.arange(objective.n_critic))
  d_state = net_tuple(state, "discriminator")
  if objective.n_critic > 1 and not unroll_critic_steps(chunks["x"]):  # one compiled loop body
    d_state, d_metrics = jax.lax.scan(critic_step, d_state, critic_inputs)
  else:
    step_metrics = []
    for i in range(objective.n_critic):
      d_state, metrics_i = critic_step(d_state, jax.tree.map(lambda a, i=i: a[i], critic_inputs))
      step_metrics.append(metrics_i)
    d_metrics = jax.tree.map(lambda *v: jnp.stack(v), *step_metrics)
  d_params, _, d_model_state = d_state
  labels = chunks["y"][-1] if conditional else None
  z, codes = latent(parallel.example_keys(jax.random.fold_in(key, objective.n_critic), b))
  augment_key = jax.random.fold_in(key, objective.n_critic + 1)

  def generator_loss_fn(params):
    fake, new_model_state = generate(params, g_model_state, z, labels)
    fake = augmented(objective, fake, augment_key)
    (logits, q), _ = apply_net(d.module, d_params, d_model_state, regularizers.pack(fake, objective.pack), labels)
    adversarial = parallel.global_mean(losses.generator_loss(logits, objective.loss))
    aux = {"loss/generator": adversarial}
    total = adversarial
    if objective.orthogonal > 0:
      orthogonal = regularizers.orthogonal_penalty(params, 1.0)
      total, aux["penalty/orthogonal"] = total + objective.orthogonal * orthogonal, orthogonal
    if codes is not None:
      info = parallel.global_mean(losses.info_code_loss(q, *codes))
      total, aux["loss/info_generator"] = total + objective.info_weight * info, info
    return total, (aux, new_model_state)

  (_, (g_metrics, g_model_state)), grads = jax.value_and_grad(generator_loss_fn, has_aux=True)(g_params)
  g_params, g_opt_state = apply_gradient(g.optimizer, g_params, state.opt_state["generator"], grads)
  metrics = {**jax.tree.map(lambda v: v[-1], d_metrics), **g_metrics, **grad_norms({"generator": grads})}
  return with_nets(state, generator=(g_params, g_opt_state, g_model_state), discriminator=d_state), metrics


def aae_update(encoder: Net, decoder: Net, d: Net, objective: Objective, latent_dim: int,
               state, batch: dict, key: jax.Array):
  """One adversarial-autoencoder step (Makhzani et al., 2016; see module doc)."""
  x = batch["x"]                                                                  # [b, ...]
  b = x.shape[0]
  e_params, _, e_model_state = net_tuple(state, "encoder")
  prior = parallel.example_normal(jax.random.fold_in(key, 0), b, (latent_dim,))   # [b, Z]
  codes = jax.lax.stop_gradient(apply_net(encoder.module, e_params, e_model_state, x)[0])
  d_state, d_metrics = discriminator_update(d, objective, net_tuple(state, "discriminator"), prior, codes,
                                            None, None, jax.random.fold_in(key, 1))
  d_params, _, d_model_state = d_state
  dec_params, _, dec_model_state = net_tuple(state, "decoder")

  def autoencoder_loss_fn(params):
    z, new_e_state = apply_net(encoder.module, params["encoder"], e_model_state, x)
    reconstruction, new_dec_state = apply_net(decoder.module, params["decoder"], dec_model_state, z)
    squared_error = jnp.sum(jnp.square(reconstruction - x).reshape(b, -1), axis=1)
    rec = parallel.global_mean(squared_error)
    (logits, _), _ = apply_net(d.module, d_params, d_model_state, regularizers.pack(z, objective.pack))
    adversarial = parallel.global_mean(losses.generator_loss(logits, objective.loss))
    aux = {"loss/reconstruction": rec, "loss/generator": adversarial}
    return rec + objective.adversarial_weight * adversarial, (aux, (new_e_state, new_dec_state))

  params = {"encoder": e_params, "decoder": dec_params}
  (_, (metrics, (e_model_state, dec_model_state))), grads = jax.value_and_grad(
      autoencoder_loss_fn, has_aux=True)(params)
  e_params, e_opt_state = apply_gradient(encoder.optimizer, e_params, state.opt_state["encoder"], grads["encoder"])
  dec_params, dec_opt_state = apply_gradient(decoder.optimizer, dec_params, state.opt_state["decoder"], grads["decoder"])
  metrics = {**d_metrics, **metrics, **grad_norms(grads)}
  new_state = with_nets(state, encoder=(e_params, e_opt_state, e_model_state),
                         decoder=(dec_params, dec_opt_state, dec_model_state), discriminator=d_state)
  return new_state, metrics
