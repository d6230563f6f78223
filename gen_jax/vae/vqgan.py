"""The VQGAN first stage registered as 'vqgan' (Esser, Rombach and Ommer 2021): a convolutional VQ
autoencoder trained with a patch discriminator, an adaptive adversarial weight and a perceptual loss.

Per step (pieces: `gen_jax.vae.vqgan_losses`, `gen_jax.vae.vq`, `gen_jax.image2image.paired_losses`):

  z_e = E(x) [b, h, w, D];  z_q = nearest codes (EMA codebook);  x^ = G(z_e + sg(z_q - z_e))
  autoencoder: L_rec + lambda f(t) w_adv L_GAN + beta ||z_e - sg(z_q)||^2, lambda from the gradients of
               L_rec and L_GAN at G's last layer (two backward passes of one forward pass);
  discriminator: f(t) L_D(D(x), D(sg(x^))), not stepped before objective.disc_start.

The codebook is updated by EMA k-means (as 'vqvae'; the paper trains it by the codebook loss
||sg(z_e) - z_q||^2), with dead codes restarted beside used ones (without, 4 of 32 codes were in use
on digits). `sample` draws every grid position's code independently from its running
usage (a factorized prior; the paper's second stage is a transformer over the code grid, not built
here), so `fd` of samples is that prior's; `evaluate` reports the first stage's own quality:
reconstruction_mse, psnr, fd_reconstruction (gen_jax.eval.reconstruction), codebook perplexity and
codes_used on the held-out split.

Config fields: model.hidden (widths per resolution, e.g. (32, 64): an 8x8 image -> a 4x4 code grid),
model.num_codes (K), model.code_dim (D), model.discriminator_features, model.discriminator_layers,
model.discriminator_norm, model.perceptual_weights ('' = a digit classifier trained here, or a
VGG16 .npz, gen_jax.vae.perceptual_features); objective.perceptual_weight (w_p), objective.adversarial_weight
(w_adv), objective.disc_start, objective.gan_loss ('hinge' or 'non_saturating'), objective.commitment
(beta), objective.codebook_decay, objective.codebook_epsilon, objective.dead_code_threshold (codes whose EMA
cluster size falls below it restart next to a used code, `gen_jax.vae.vq.restart_dead_codes`; 0 = off),
objective.restart_noise; optim.learning_rate,
optim.discriminator_learning_rate (0 = the same); eval.* of the image metrics.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax import sampling
from gen_jax.checks import check_choice, check_non_negative_int, check_positive_int
from gen_jax.eval.batching import batched_apply
from gen_jax.eval.reconstruction import reconstruction_quality
from gen_jax.gan.components import check_field, optimizers_from_config
from gen_jax.gan.updates import apply_net
from gen_jax.image2image.paired_losses import patch_discriminator_loss, patch_generator_loss, pixel_l1
from gen_jax.nets.patchgan import NORMALIZATIONS, PatchDiscriminator
from gen_jax.nets.vq_conv import OUTPUT_LAYER, CodeDecoder, CodeEncoder, grid_shape
from gen_jax.train import parallel
from gen_jax.train.family import Trainer
from gen_jax.train.net_state import apply_gradient, apply_gradients, evaluation_params, grad_norms, make_state
from gen_jax.train.registry import register_model
from gen_jax.vae import plots
from gen_jax.vae.perceptual_features import perceptual_layers
from gen_jax.vae.trainer import check_non_negative
from gen_jax.vae.vq import (commitment_loss, ema_codebook_update, init_codebook, perplexity, quantize,
                            restart_dead_codes, straight_through)
from gen_jax.vae.vqgan_losses import adaptive_weight, adversarial_factor, perceptual_distance

GAN_LOSSES = ("hinge", "non_saturating")
AUTOENCODER = ("encoder", "decoder")


def _check_config(config, spec) -> dict:
  """The validated objective weights; ValueError naming the first bad field."""
  m, o = config.model, config.objective
  check_field(spec.kind == "images", "data.name", "an image dataset", spec.name)
  check_field(isinstance(m.hidden, (tuple, list)) and len(m.hidden) >= 1
              and all(isinstance(w, int) and w >= 1 for w in m.hidden), "model.hidden",
              "a tuple of positive widths, one per resolution, e.g. (32, 64)", m.hidden)
  factor = 2 ** (len(m.hidden) - 1)
  check_field(spec.example_shape[0] % factor == 0 and spec.example_shape[1] % factor == 0, "model.hidden",
              f"at most log2 of the image size + 1 widths (2^(n-1) dividing {spec.example_shape[:2]})", m.hidden)
  for field in ("num_codes", "code_dim", "discriminator_features", "discriminator_layers"):
    check_positive_int(m[field], f"model.{field}")
  check_choice(m.discriminator_norm, NORMALIZATIONS, "model.discriminator_norm")
  check_field(isinstance(m.perceptual_weights, str), "model.perceptual_weights", "a .npz path or ''",
              m.perceptual_weights)
  check_choice(o.gan_loss, GAN_LOSSES, "objective.gan_loss")
  check_non_negative_int(o.disc_start, "objective.disc_start")
  decay = check_non_negative(o.codebook_decay, "objective.codebook_decay")
  check_field(decay < 1, "objective.codebook_decay", "a number in [0, 1)", decay)
  weights = {name: check_non_negative(o[name], f"objective.{name}")
             for name in ("perceptual_weight", "adversarial_weight", "commitment", "codebook_epsilon",
                          "dead_code_threshold", "restart_noise")}
  return {**weights, "codebook_decay": decay}


@register_model("vqgan")
def build_vqgan(config, spec) -> Trainer:
  """Trainer of the VQGAN first stage (module doc)."""
  weights = _check_config(config, spec)
  m, o = config.model, config.objective
  dtype = jnp.dtype(config.train.compute_dtype)
  widths = tuple(m.hidden)
  example_shape = tuple(spec.example_shape)
  grid = grid_shape(example_shape, widths)
  num_positions = grid[0] * grid[1]
  encoder = CodeEncoder(widths, m.code_dim, dtype)
  decoder = CodeDecoder(widths, example_shape[-1], dtype)
  discriminator = PatchDiscriminator(m.discriminator_features, m.discriminator_layers, m.discriminator_norm,
                                     axis_name=parallel.AXIS, dtype=dtype)
  g_tx, d_tx = optimizers_from_config(config)
  optimizers = {"encoder": g_tx, "decoder": g_tx, "discriminator": d_tx}
  lo, hi = spec.value_range
  to_unit = lambda x: 2.0 * (x - lo) / (hi - lo) - 1.0  # the feature network reads [-1, 1]
  layers = perceptual_layers(config) if weights["perceptual_weight"] > 0 else None

  def init(key):
    enc_key, dec_key, d_key, code_key = jax.random.split(key, 4)
    x = jnp.zeros((2,) + example_shape)
    d_variables = dict(discriminator.init(d_key, x, train=False))
    params = {"encoder": encoder.init(enc_key, x)["params"],
              "decoder": decoder.init(dec_key, jnp.zeros((2, *grid, m.code_dim)))["params"],
              "discriminator": d_variables.pop("params")}
    model_state = {"codebook": init_codebook(code_key, m.num_codes, m.code_dim, num_positions),
                   "discriminator": d_variables}
    return make_state(key, params, optimizers, model_state)

  def quantized(params, embedding, x):  # -> z_e [b, L, D], z_q [b, L, D], codes [b, L]
    z_e = encoder.apply({"params": params["encoder"]}, x).reshape(x.shape[0], num_positions, m.code_dim)
    return (z_e, *quantize(z_e, embedding))

  def decode(params, z):  # z [b, L, D] -> images [b, H, W, C]
    return decoder.apply({"params": params["decoder"]}, z.reshape(z.shape[0], *grid, m.code_dim))

  def update(state, batch, key):
    x = batch["x"]                                                              # [b, H, W, C]
    factor = adversarial_factor(state.step, o.disc_start)
    codebook, d_params, d_state = (state.model_state["codebook"], state.params["discriminator"],
                                   state.model_state["discriminator"])

    def autoencoder_losses(params):  # -> [L_rec + beta commitment, L_GAN], aux
      z_e, z_q, codes = quantized(params, codebook["embedding"], x)
      x_rec = decode(params, straight_through(z_e, z_q))
      l1 = parallel.global_mean(pixel_l1(x_rec, x))
      perceptual = (parallel.global_mean(perceptual_distance(layers(to_unit(x)), layers(to_unit(x_rec))))
                    if layers is not None else jnp.zeros(()))
      commit = parallel.global_mean(commitment_loss(z_e, z_q))
      logits, _ = apply_net(discriminator, d_params, d_state, x_rec)
      gan = parallel.global_mean(patch_generator_loss(logits, o.gan_loss))
      reconstruction = l1 + weights["perceptual_weight"] * perceptual
      aux = {"x_rec": x_rec, "z_e": z_e, "codes": codes,
             "metrics": {"loss/l1": l1, "loss/perceptual": perceptual, "loss/commitment": commit,
                         "loss/reconstruction": reconstruction, "loss/adversarial": gan}}
      return jnp.stack([reconstruction + weights["commitment"] * commit, gan]), aux

    autoencoder = {name: state.params[name] for name in AUTOENCODER}
    _, pullback, aux = jax.vjp(autoencoder_losses, autoencoder, has_aux=True)
    rec_grads, = pullback(jnp.array([1.0, 0.0]))
    gan_grads, = pullback(jnp.array([0.0, 1.0]))
    lam = adaptive_weight(rec_grads["decoder"][OUTPUT_LAYER], gan_grads["decoder"][OUTPUT_LAYER])
    gan_scale = lam * factor * weights["adversarial_weight"]
    grads = jax.tree.map(lambda r, g: r + gan_scale * g, rec_grads, gan_grads)
    params, opt_state = apply_gradients(optimizers, state.params, state.opt_state, grads, AUTOENCODER)

    fake = jax.lax.stop_gradient(aux["x_rec"])

    def discriminator_loss_fn(p):
      logits, new_d_state = apply_net(discriminator, p, d_state, jnp.concatenate([x, fake]))
      real_logits, fake_logits = jnp.split(logits, 2)
      loss = parallel.global_mean(patch_discriminator_loss(real_logits, fake_logits, o.gan_loss))
      return loss, ({"loss/discriminator": loss, "logit/real": parallel.global_mean(real_logits),
                     "logit/fake": parallel.global_mean(fake_logits)}, new_d_state)

    (_, (d_metrics, new_d_state)), d_grads = jax.value_and_grad(discriminator_loss_fn, has_aux=True)(d_params)
    stepped = (*apply_gradient(d_tx, d_params, state.opt_state["discriminator"], d_grads), new_d_state)
    d_params, d_opt_state, d_state = jax.tree.map(lambda new, old: jnp.where(factor > 0, new, old), stepped,
                                                  (d_params, state.opt_state["discriminator"], d_state))
    params["discriminator"], opt_state["discriminator"] = d_params, d_opt_state
    new_codebook = restart_dead_codes(
        ema_codebook_update(codebook, aux["z_e"], aux["codes"], weights["codebook_decay"],
                            weights["codebook_epsilon"], parallel.AXIS),
        key, weights["dead_code_threshold"], weights["restart_noise"])  # the same key and codebook on every device
    freq = jax.lax.pmean(jnp.mean(jax.nn.one_hot(aux["codes"], m.num_codes), axis=(0, 1)), parallel.AXIS)
    metrics = {**aux["metrics"], **d_metrics, "adaptive_weight": lam, "adversarial_factor": factor,
               "perplexity": perplexity(freq), **grad_norms({**grads, "discriminator": d_grads})}
    model_state = {"codebook": new_codebook, "discriminator": d_state}
    return state.replace(params=params, opt_state=opt_state, model_state=model_state), metrics

  @jax.jit
  def reconstruct(state, x):  # [b, H, W, C] -> [b, H, W, C]
    params = evaluation_params(state)
    return decode(params, quantized(params, state.model_state["codebook"]["embedding"], x)[1])

  @functools.partial(jax.jit, static_argnums=2)
  def sample(state, key, n):
    codebook = state.model_state["codebook"]
    codes = sampling.sample_discrete(key, codebook["usage"], (n, num_positions))  # [n, L]
    return decode(evaluation_params(state), jnp.take(codebook["embedding"], codes, axis=0))

  def save_pictures(state, key, directory, step_number, data):
    params, embedding = evaluation_params(state), state.model_state["codebook"]["embedding"]
    encode = jax.jit(lambda x: quantized(params, embedding, x)[1].reshape(x.shape[0], -1))
    decode_flat = jax.jit(lambda z: decode(params, z.reshape(z.shape[0], num_positions, m.code_dim)))
    return plots.save_latent_pictures(encode, decode_flat, lambda n: sample(state, key, n), directory, step_number,
                                      data, spec.value_range, traversal_units=0)

  def evaluate(state, data, key):
    del key
    if data.test is None:
      raise ValueError(f"data.name: {spec.name!r} has no held-out split to evaluate on")
    results = reconstruction_quality(config, data, lambda x: reconstruct(state, x))
    embedding = state.model_state["codebook"]["embedding"]
    codes_of = jax.jit(lambda x: quantized(evaluation_params(state), embedding, x)[2])
    codes = batched_apply(codes_of, data.test["x"], config.eval.image_batch_size).ravel()
    freq = np.bincount(codes, minlength=m.num_codes) / codes.size
    return {**results, "perplexity": float(perplexity(jnp.asarray(freq))), "codes_used": int((freq > 0).sum()),
            "num_examples": int(len(data.test["x"]))}

  return Trainer(init=init, update=update, sample=sample, save_pictures=save_pictures, evaluate=evaluate)
