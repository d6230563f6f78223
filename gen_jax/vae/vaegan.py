"""VAE-GAN (Larsen et al. 2016), registered as 'vaegan': a discriminator's features replace the
pixel likelihood as the reconstruction loss.

With z ~ q(z|x), x~ = Dec(z) (the decoder mean), z_p ~ N(0, I), x_p = Dec(z_p), discriminator
logits D(.) and the features Dis_l(.) of its hidden layer:

  L_prior = KL(q(z|x) || N(0, I))                                   (closed form)
  L_llike = 1/2 ||Dis_l(x) - Dis_l(x~)||^2       (-log N(Dis_l(x); Dis_l(x~), I) + const)
  L_GAN   = log sigma(D(x)) + log sigma(-D(x~)) + log sigma(-D(x_p))

  encoder:        minimize L_prior + L_llike
  decoder:        minimize gamma * L_llike - log sigma(D(x~)) - log sigma(D(x_p))   (non-saturating)
  discriminator:  maximize L_GAN

All three losses come from one forward pass; each network gets the gradient of
its own loss (three vector-Jacobian products), and its own Adam.

Config fields: those of 'vae' (one stochastic layer) plus model.disc_hidden,
model.disc_features, objective.gamma, optim.disc_learning_rate.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax import probability
from gen_jax.checks import check_positive_int
from gen_jax.nets.mlp import activation
from gen_jax.train import net_state, parallel
from gen_jax.train.registry import register_model
from gen_jax.vae.models import single_layer_model
from gen_jax.vae.networks import DataEncoder
from gen_jax.vae.trainer import (check_non_negative, compute_dtype, latent_trainer,
                                 make_optimizers)


class Discriminator(nn.Module):
  """x -> (logit [B], features [B, F]): features = body(x) (a DataEncoder), logit = Dense(1)(act(features))."""

  body: nn.Module
  act: str = "relu"
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
    f = self.body(x)
    logit = nn.Dense(1, dtype=self.dtype)(activation(self.act)(f))[..., 0]
    return logit.astype(jnp.float32), f.astype(jnp.float32)


def vaegan_losses(model, discriminator, gamma: float):
  """losses(params, x, keys, prior_z) -> (L_enc, L_dec, L_dis, metrics), global-batch means."""

  def losses(params, x, keys, prior_z):
    _, _, posterior = model.terms(params, x, keys, 1)
    x_tilde = model.decode_mean(params, posterior.z[0][0])  # [b, ...]
    x_prior = model.decode_mean(params, prior_z)
    disc = lambda v: discriminator.apply({"params": params["discriminator"]}, v)
    (l_real, f_real), (l_tilde, f_tilde), (l_prior, _) = disc(x), disc(x_tilde), disc(x_prior)
    kl = parallel.global_mean(probability.kl_standard_normal(posterior.mean, posterior.log_var))
    llike = parallel.global_mean(0.5 * jnp.sum(jnp.square(f_real - f_tilde), axis=-1))
    gan = parallel.global_mean(jax.nn.log_sigmoid(l_real) + jax.nn.log_sigmoid(-l_tilde)
                               + jax.nn.log_sigmoid(-l_prior))
    fool = parallel.global_mean(-jax.nn.log_sigmoid(l_tilde) - jax.nn.log_sigmoid(l_prior))
    metrics = {"kl": kl, "feature_loss": llike, "gan_value": gan, "generator_loss": fool}
    return (kl + llike, gamma * llike + fool, -gan), metrics

  return losses


def make_vaegan_update(losses, optimizers: dict, latent_dim: int):
  """update(state, batch, key): each network steps along the gradient of its own loss."""

  def update(state, batch, key):
    x = batch["x"]
    b = x.shape[0]
    keys = parallel.example_keys(key, b)
    prior_z = parallel.example_normal(jax.random.fold_in(key, 1), b, (latent_dim,))  # [b, d]
    (enc_loss, dec_loss, dis_loss), vjp, metrics = jax.vjp(lambda p: losses(p, x, keys, prior_z), state.params,
                                                           has_aux=True)
    one, zero = jnp.ones(()), jnp.zeros(())
    grads = {"encoder": vjp((one, zero, zero))[0]["encoder"], "decoder": vjp((zero, one, zero))[0]["decoder"],
             "discriminator": vjp((zero, zero, one))[0]["discriminator"]}
    params, opt_state = net_state.apply_gradients(optimizers, state.params, state.opt_state, grads, grads.keys())
    metrics = {"loss": enc_loss, "decoder_loss": dec_loss, "discriminator_loss": dis_loss, **metrics,
               **net_state.grad_norms(grads)}
    return state.replace(params=params, opt_state=opt_state), metrics

  return update


@register_model("vaegan")
def build_vaegan(config, spec):
  """VAE-GAN: Gaussian encoder, decoder, and a discriminator whose features define the reconstruction loss."""
  model = single_layer_model(config, spec)
  m, dtype = config.model, compute_dtype(config)
  body = DataEncoder(m.arch, tuple(int(w) for w in m.disc_hidden),
                     check_positive_int(m.disc_features, "model.disc_features"), tuple(spec.example_shape), m.act, dtype)
  discriminator = Discriminator(body, m.act, dtype)
  gamma = check_non_negative(config.objective.gamma, "objective.gamma")
  optimizers = make_optimizers(config, ("encoder", "decoder", "discriminator"),
                               {"discriminator": config.optim.disc_learning_rate})

  def init_params(key):
    vae_key, disc_key = jax.random.split(key)
    x = jnp.zeros((2,) + tuple(spec.example_shape), jnp.float32)
    return {**model.init(vae_key), "discriminator": discriminator.init(disc_key, x)["params"]}

  update = make_vaegan_update(vaegan_losses(model, discriminator, gamma), optimizers, model.code_dim)
  return latent_trainer(config, spec, model, init_params, update, optimizers)
