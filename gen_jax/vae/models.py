"""The likelihood-trained VAE variants, registered by name.

* 'vae':   Gaussian latents, 1 or more stochastic layers (the IWAE paper's 1- and 2-layer
           architectures), MLP or conv bodies; objective.beta > 1 gives the beta-VAE,
           objective.estimator='iwae' with objective.num_samples=k the IWAE.
* 'hvae':  the Markovian hierarchical VAE, T >= 2 Gaussian layers
           p(x_{0:T}) = p(x_T) prod_t p(x_{t-1}|x_t), q(x_{1:T}|x_0) = prod_t q(x_t|x_{t-1}).
* 'nfvae': one Gaussian layer whose posterior is refined by K planar or IAF steps.

Config fields (besides the shared ones): model.arch ('mlp'|'conv'), model.act,
model.latent_dims (d_1, ..., d_T), model.hidden (one tuple of widths per layer;
for 'conv' the first is the conv channels), for 'nfvae' model.flow, model.flow_length,
model.made_hidden, model.context_dim; objective.likelihood, objective.decoder_log_var,
objective.beta, objective.estimator ('elbo'|'iwae'), objective.num_samples (S or k),
objective.kl ('analytic'|'monte_carlo'); eval.iwae_k, eval.iwae_chunk, eval.batch_size.
"""

from gen_jax import probability
from gen_jax.checks import check_choice, check_positive_int
from gen_jax.train import parallel
from gen_jax.train.registry import register_model
from gen_jax.vae import objectives
from gen_jax.vae.flows import FlowEncoder, check_flow
from gen_jax.vae.hierarchical import HierarchicalDecoder, HierarchicalEncoder, check_layers
from gen_jax.vae.latent import LatentModel
from gen_jax.vae.networks import check_arch
from gen_jax.vae.trainer import (check_likelihood_data, check_non_negative, compute_dtype,
                                 likelihood_trainer)

KL_FORMS = ("analytic", "monte_carlo")


def layer_sizes(model_config) -> tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]:
  """(latent_dims, hidden) from the config, validated."""
  latent_dims = tuple(int(d) for d in model_config.latent_dims)
  hidden = tuple(tuple(int(w) for w in h) for h in model_config.hidden)
  check_layers(latent_dims, hidden)
  return latent_dims, hidden


def latent_model(config, spec, encoder) -> LatentModel:
  """`encoder` with the HierarchicalDecoder and likelihood the config describes."""
  likelihood = config.objective.likelihood
  check_likelihood_data(likelihood, spec)
  latent_dims, hidden = layer_sizes(config.model)
  decoder = HierarchicalDecoder(latent_dims, hidden, tuple(spec.example_shape),
                                objectives.num_decoder_params(likelihood), config.model.arch, config.model.act,
                                compute_dtype(config))
  return LatentModel(encoder, decoder, likelihood, tuple(spec.example_shape),
                     float(config.objective.decoder_log_var))


def hierarchical_encoder(config, spec) -> HierarchicalEncoder:
  """The Gaussian (hierarchical) encoder the config describes."""
  check_arch(config.model.arch)
  latent_dims, hidden = layer_sizes(config.model)
  return HierarchicalEncoder(latent_dims, hidden, tuple(spec.example_shape), config.model.arch, config.model.act,
                             compute_dtype(config))


def check_single_layer(model_config) -> None:
  """ValueError unless model.latent_dims has one entry (one stochastic layer)."""
  if len(model_config.latent_dims) != 1:
    raise ValueError(f"model.latent_dims: {model_config.name!r} has one stochastic layer, expected one size, "
                     f"got {tuple(model_config.latent_dims)}")


def single_layer_model(config, spec) -> LatentModel:
  """The one-stochastic-layer Gaussian VAE the config describes (the 'wae' and 'vaegan' bodies)."""
  check_single_layer(config.model)
  return latent_model(config, spec, hierarchical_encoder(config, spec))


def flow_encoder(config, spec) -> FlowEncoder:
  """The flow posterior the config describes (one stochastic layer)."""
  m = config.model
  check_arch(m.arch)
  check_flow(m.flow, m.flow_length)
  check_single_layer(m)
  latent_dims, hidden = layer_sizes(m)
  return FlowEncoder(latent_dims[0], hidden[0], tuple(spec.example_shape), m.flow, m.flow_length,
                     tuple(int(w) for w in m.made_hidden), check_positive_int(m.context_dim, "model.context_dim"),
                     m.arch, m.act, compute_dtype(config))


def vae_loss(model: LatentModel, objective_config, closed_form_allowed: bool):
  """loss_fn for step.make_update: minus the global-batch mean of the ELBO_beta or the IWAE bound.

    'elbo': L = (1/S) sum_s log p(x|z_s) - beta * KL(q || p), KL closed form (objective.kl='analytic',
            one Gaussian layer) or per sample (log q(z_s|x) - log p(z_s)).
    'iwae': L_k = log (1/k) sum_s p(x, z_s) / q(z_s|x), k = objective.num_samples.

  Metrics: loss, elbo, reconstruction (E_q log p(x|z)), kl, all global-batch means.
  """
  o = objective_config
  check_choice(o.estimator, objectives.ESTIMATORS, "objective.estimator")
  check_choice(o.kl, KL_FORMS, "objective.kl")
  estimator, closed_form = o.estimator, o.kl == "analytic"
  num_samples = check_positive_int(o.num_samples, "objective.num_samples")
  beta = check_non_negative(o.beta, "objective.beta")
  if closed_form and not closed_form_allowed:
    raise ValueError("objective.kl: 'analytic' needs a single diagonal-Gaussian posterior; "
                     "set objective.kl='monte_carlo' for hierarchies and flows")
  if estimator == "iwae" and beta != 1.0:
    raise ValueError(f"objective.beta: the IWAE bound is defined for beta = 1, got {beta}")

  def loss_fn(params, model_state, batch, key):
    x = batch["x"]
    keys = parallel.example_keys(key, x.shape[0])
    log_lik, log_prior, posterior = model.terms(params, x, keys, num_samples)  # [S, B] each
    if closed_form:
      kl = probability.kl_standard_normal(posterior.mean, posterior.log_var)  # [B]
    else:
      kl = posterior.log_prob - log_prior  # [S, B]
    parts = objectives.elbo(log_lik, kl, beta)
    if estimator == "iwae":
      parts["objective"] = objectives.iwae_bound(log_lik, log_prior, posterior.log_prob)
    metrics = {name: parallel.global_mean(value) for name, value in parts.items()}
    return -metrics.pop("objective"), (metrics, model_state)

  return loss_fn


@register_model("vae")
def build_vae(config, spec):
  """VAE / beta-VAE / IWAE with Gaussian latents (1 or more layers), MLP or conv bodies."""
  model = latent_model(config, spec, hierarchical_encoder(config, spec))
  single = len(model.decoder.latent_dims) == 1
  return likelihood_trainer(config, spec, model, vae_loss(model, config.objective, closed_form_allowed=single))


@register_model("hvae")
def build_hvae(config, spec):
  """Markovian hierarchical VAE with T = len(model.latent_dims) >= 2 Gaussian layers."""
  if len(config.model.latent_dims) < 2:
    raise ValueError(f"model.latent_dims: 'hvae' needs T >= 2 stochastic layers, got {tuple(config.model.latent_dims)}")
  model = latent_model(config, spec, hierarchical_encoder(config, spec))
  return likelihood_trainer(config, spec, model, vae_loss(model, config.objective, closed_form_allowed=False))


@register_model("nfvae")
def build_nfvae(config, spec):
  """VAE whose Gaussian posterior is transformed by planar or inverse autoregressive flows."""
  model = latent_model(config, spec, flow_encoder(config, spec))
  return likelihood_trainer(config, spec, model, vae_loss(model, config.objective, closed_form_allowed=False))
