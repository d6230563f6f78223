"""Wasserstein autoencoder with the MMD penalty (WAE-MMD, Tolstikhin et al. 2018), registered as 'wae'.

  min  E_x E_{q(z|x)} [c(x, G(z))] + lambda * MMD^2(q(z), p(z)),   p(z) = N(0, I),

with the reconstruction cost c = -log p(x|z) of the decoder likelihood, the
aggregate posterior q(z) represented by one sample per example of the global
batch, and the unbiased IMQ-kernel MMD estimate between those and as many prior
samples. The MMD compares whole batches, so each device gathers every device's
codes (`lax.all_gather`) and computes it on the global batch.

Config fields: those of 'vae' (one stochastic layer) plus objective.wae_lambda.
"""

import jax

from gen_jax.train import parallel
from gen_jax.train.registry import register_model
from gen_jax.vae import objectives
from gen_jax.vae.models import single_layer_model
from gen_jax.vae.trainer import check_non_negative, likelihood_trainer


def wae_loss(model, wae_lambda: float):
  """loss_fn: global-batch mean of -log p(x|z) plus wae_lambda * MMD^2 of the gathered codes vs N(0, I)."""

  def loss_fn(params, model_state, batch, key):
    x = batch["x"]
    b = x.shape[0]
    log_lik, _, posterior = model.terms(params, x, parallel.example_keys(key, b), 1)  # [1, b]
    z = posterior.z[-1][0]  # [b, d]
    prior = parallel.example_normal(jax.random.fold_in(key, 1), b, z.shape[-1:])  # [b, d]
    gather = lambda a: jax.lax.all_gather(a, parallel.AXIS, tiled=True)  # [global batch, d]
    mmd = parallel.global_mean(objectives.mmd_imq(gather(z), gather(prior)))
    reconstruction = parallel.global_mean(log_lik[0])
    loss = -reconstruction + wae_lambda * mmd
    return loss, ({"reconstruction": reconstruction, "mmd": mmd}, model_state)

  return loss_fn


@register_model("wae")
def build_wae(config, spec):
  """WAE-MMD with a Gaussian encoder and the IMQ kernel."""
  model = single_layer_model(config, spec)
  wae_lambda = check_non_negative(config.objective.wae_lambda, "objective.wae_lambda")
  return likelihood_trainer(config, spec, model, wae_loss(model, wae_lambda))
