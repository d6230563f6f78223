"""The VQ-VAE registered as 'vqvae': the pure pieces of `gen_jax.vae.vq` on the engine.

An EMA codebook is kept in state.model_state['codebook']; usage per position is
tracked too (model_state['codebook']['usage'] [L, K]) and samples draw each
position's code from it independently (a factorized prior; the paper fits a
PixelCNN prior). `evaluate` adds the reconstructions' quality against the held-out grey levels
(reconstruction_mse, psnr, fd_reconstruction: gen_jax.eval.reconstruction), as 'vqgan' reports it.

Config fields: model.arch, model.act, model.hidden (one tuple of widths), model.num_codes (K),
model.code_dim (D), model.num_positions (L); objective.likelihood, objective.decoder_log_var,
objective.commitment (beta), objective.codebook_decay (g), objective.codebook_epsilon.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax import sampling
from gen_jax.checks import check_positive_int
from gen_jax.eval.batching import batched_apply
from gen_jax.eval.reconstruction import reconstruction_quality
from gen_jax.train import parallel
from gen_jax.train.family import Trainer
from gen_jax.train.registry import register_model
from gen_jax.vae import objectives, plots, updates
from gen_jax.vae.heldout import bernoulli_ready
from gen_jax.vae.networks import DataDecoder, DataEncoder, check_arch
from gen_jax.train.net_state import evaluation_params, make_state
from gen_jax.vae.trainer import (check_eval_config, check_likelihood_data, check_non_negative, compute_dtype,
                                 make_optimizers)
from gen_jax.vae.vq import (commitment_loss, ema_codebook_update, init_codebook, perplexity, quantize,
                            straight_through)


class VQModel:
  """Encoder -> [B, L, D] codes, decoder from the flattened quantized codes, and the likelihood."""

  def __init__(self, config, spec):
    m = config.model
    check_arch(m.arch)
    self.num_codes = check_positive_int(m.num_codes, "model.num_codes")
    self.code_dim = check_positive_int(m.code_dim, "model.code_dim")
    self.num_positions = check_positive_int(m.num_positions, "model.num_positions")
    if len(m.hidden) != 1:
      raise ValueError(f"model.hidden: 'vqvae' has one encoder/decoder body, expected one tuple, got {m.hidden}")
    hidden = tuple(int(w) for w in m.hidden[0])
    self.likelihood = config.objective.likelihood
    check_likelihood_data(self.likelihood, spec)
    self.example_shape = tuple(spec.example_shape)
    self.decoder_log_var = float(config.objective.decoder_log_var)
    dtype = compute_dtype(config)
    self.encoder = DataEncoder(m.arch, hidden, self.num_positions * self.code_dim, self.example_shape, m.act, dtype)
    self.decoder = DataDecoder(m.arch, tuple(reversed(hidden)), self.example_shape,
                               objectives.num_decoder_params(self.likelihood), m.act, dtype)

  def init(self, key) -> tuple[dict, dict]:
    """(params {'encoder', 'decoder'}, model_state {'codebook'})."""
    enc_key, dec_key, code_key = jax.random.split(key, 3)
    x = jnp.zeros((2,) + self.example_shape)
    z = jnp.zeros((2, self.num_positions * self.code_dim))
    params = {"encoder": self.encoder.init(enc_key, x)["params"], "decoder": self.decoder.init(dec_key, z)["params"]}
    return params, {"codebook": init_codebook(code_key, self.num_codes, self.code_dim, self.num_positions)}

  def encode(self, params, x) -> jax.Array:
    """z_e [B, L, D]."""
    z = self.encoder.apply({"params": params["encoder"]}, x).astype(jnp.float32)
    return z.reshape(x.shape[0], self.num_positions, self.code_dim)

  def decode(self, params, z_q) -> jax.Array:
    """Decoder output for quantized codes [B, L, D]."""
    return self.decoder.apply({"params": params["decoder"]}, z_q.reshape(z_q.shape[0], -1))

  def log_likelihood(self, x, out) -> jax.Array:
    return objectives.decoder_log_likelihood(x, out, self.likelihood, len(self.example_shape), self.decoder_log_var)


def vq_loss(model: VQModel, commitment: float, decay: float, epsilon: float):
  """loss_fn: global mean of -log p(x | z_q^ST) + commitment * ||z_e - sg(z_q)||^2; EMA codebook in model_state."""

  def loss_fn(params, model_state, batch, key):
    del key
    x = batch["x"]
    codebook = model_state["codebook"]
    z_e = model.encode(params, x)  # [b, L, D]
    z_q, indices = quantize(z_e, codebook["embedding"])
    reconstruction = parallel.global_mean(model.log_likelihood(x, model.decode(params, straight_through(z_e, z_q))))
    commit = parallel.global_mean(commitment_loss(z_e, z_q))
    new_codebook = ema_codebook_update(codebook, z_e, indices, decay, epsilon, parallel.AXIS)
    freq = jax.lax.pmean(jnp.mean(jax.nn.one_hot(indices, model.num_codes), axis=(0, 1)), parallel.AXIS)
    metrics = {"reconstruction": reconstruction, "commitment": commit, "perplexity": perplexity(freq)}
    return -reconstruction + commitment * commit, (metrics, {**model_state, "codebook": new_codebook})

  return loss_fn


def evaluate_vq(model: VQModel, params, codebook, x: np.ndarray, batch_size: int) -> dict:
  """Held-out 'reconstruction' (E log p(x | z_q), nats), 'mse' of the decoder mean, codebook 'perplexity'
  and 'codes_used', and 'elbo' = reconstruction + log p(codes) under the factorized usage prior
  (q is deterministic, so the ELBO of a discrete prior is log p(x|z_q) + log p(z_q))."""
  x_all = jnp.asarray(x)
  log_usage = jnp.log(codebook["usage"] / jnp.sum(codebook["usage"], -1, keepdims=True))  # [L, K]

  @jax.jit
  def rows(index):  # [b] -> [b, 2 + L]
    xb = x_all[index]
    z_q, codes = quantize(model.encode(params, xb), codebook["embedding"])
    out = model.decode(params, z_q)
    mean = objectives.decoder_mean(out, model.likelihood)
    sq_err = jnp.mean(jnp.square(mean - xb).reshape(xb.shape[0], -1), axis=-1)
    log_prior = jnp.sum(jnp.take_along_axis(log_usage, codes.T, axis=1).T, axis=-1)
    return jnp.concatenate([jnp.stack([model.log_likelihood(xb, out), sq_err, log_prior], -1),
                            codes.astype(jnp.float32)], -1)

  stats = batched_apply(rows, np.arange(x.shape[0]), batch_size)
  codes = stats[:, 3:].astype(np.int64).ravel()
  freq = np.bincount(codes, minlength=model.num_codes) / codes.size
  return {"reconstruction": float(stats[:, 0].mean()), "mse": float(stats[:, 1].mean()),
          "elbo": float((stats[:, 0] + stats[:, 2]).mean()), "perplexity": float(perplexity(jnp.asarray(freq))),
          "codes_used": int((freq > 0).sum()), "num_examples": int(x.shape[0])}


@register_model("vqvae")
def build_vqvae(config, spec):
  """VQ-VAE with an EMA codebook and a factorized code prior for sampling."""
  model = VQModel(config, spec)
  o = config.objective
  commitment = check_non_negative(o.commitment, "objective.commitment")
  decay = check_non_negative(o.codebook_decay, "objective.codebook_decay")
  if decay >= 1:
    raise ValueError(f"objective.codebook_decay: expected in [0, 1), got {decay}")
  epsilon = check_non_negative(o.codebook_epsilon, "objective.codebook_epsilon")
  check_eval_config(config.eval)
  optimizers = make_optimizers(config, ("encoder", "decoder"))

  def init(key):
    params, model_state = model.init(key)
    return make_state(key, params, optimizers, model_state)

  def decode_codes(params, codebook, codes):  # codes [N, L] -> E[x | z_q]
    return objectives.decoder_mean(model.decode(params, jnp.take(codebook["embedding"], codes, axis=0)),
                                   model.likelihood)

  @functools.partial(jax.jit, static_argnums=2)
  def sample(state, key, n):
    codebook = state.model_state["codebook"]
    codes = sampling.sample_discrete(key, codebook["usage"], (n, model.num_positions))  # [n, L]
    return decode_codes(evaluation_params(state), codebook, codes)

  def save_pictures(state, key, directory, step_number, data):
    params, codebook = evaluation_params(state), state.model_state["codebook"]
    encode = jax.jit(lambda x: quantize(model.encode(params, x), codebook["embedding"])[0].reshape(x.shape[0], -1))
    decode = jax.jit(lambda z: objectives.decoder_mean(model.decode(params, z.reshape(z.shape[0], -1)),
                                                       model.likelihood))
    return plots.save_latent_pictures(encode, decode, lambda n: sample(state, key, n), directory, step_number, data,
                                      spec.value_range, traversal_units=0)

  def evaluate(state, data, key):
    del key
    if data.test is None:
      raise ValueError(f"data.name: {spec.name!r} has no held-out split to evaluate on")
    x = np.asarray(data.test["x"])
    if model.likelihood == "bernoulli":
      x = bernoulli_ready(x, config.eval.seed)
    params, codebook = evaluation_params(state), state.model_state["codebook"]
    reconstruct = jax.jit(lambda xb: objectives.decoder_mean(
        model.decode(params, quantize(model.encode(params, xb), codebook["embedding"])[0]), model.likelihood))
    return {**evaluate_vq(model, params, codebook, x, config.eval.batch_size),
            **reconstruction_quality(config, data, reconstruct, inputs=x)}

  update = updates.make_update(vq_loss(model, commitment, decay, epsilon), optimizers)
  return Trainer(init=init, update=update, sample=sample, save_pictures=save_pictures, evaluate=evaluate)
