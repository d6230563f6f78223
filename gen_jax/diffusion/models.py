"""The registered diffusion models: 'ddpm' (discrete time, L_simple) and 'vdm' (continuous time, the ELBO).

* 'ddpm': T steps of a linear or cosine beta_t schedule, eps_theta trained on DDPM's L_simple
  (t uniform on 1..T); the evaluation's `nll` is the discrete-time -ELBO with the discretised-Gaussian
  decoder for images, the probability-flow ODE's exact likelihood for 2-D points.
* 'vdm': continuous time, gamma(t) fixed (linear) or learned (monotone network), trained on the
  -ELBO = L_T + L_inf + L_0 with low-discrepancy times and VDM's categorical decoder (discrete images).

Networks: `ScoreMLP` for 2-D points, `UNet` (or `ScoreMLP` on the flattened pixels) for images. Config
fields (see configs/diffusion_base.py): model.net, model.width, model.depth, model.num_frequencies (MLP), model.channels, model.multipliers, model.blocks,
model.dropout (U-Net), model.sampler ('ancestral' | 'ddim' | 'ode'), model.sample_steps, model.eta;
objective.num_steps, objective.schedule ('linear' | 'cosine' for ddpm, 'fixed' | 'learned' for vdm),
objective.beta_start, objective.beta_end, objective.gamma_min, objective.gamma_max,
objective.gamma_hidden, objective.num_levels; eval.num_samples, eval.likelihood_samples,
eval.batch_size, eval.nll_times, eval.seed.
"""

import functools

import jax
import jax.numpy as jnp

from gen_jax.checks import check_choice, check_positive_int
from gen_jax.diffusion import evaluation, objectives, plots, schedules
from gen_jax.diffusion.model import SAMPLERS, Diffusion
from gen_jax.diffusion.networks import ScoreMLP, UNet
from gen_jax.train import parallel
from gen_jax.train.family import Trainer
from gen_jax.train.registry import register_model
from gen_jax.train.net_state import evaluation_params, make_state
from gen_jax.vae import updates
from gen_jax.vae.trainer import make_optimizers

DDPM_SCHEDULES = ("linear", "cosine")
VDM_SCHEDULES = ("fixed", "learned")


def _check(condition: bool, field: str, expected: str, value) -> None:
  if not condition:
    raise ValueError(f"{field}: expected {expected}, got {value!r}")


NETWORKS = ("unet", "mlp")


def network(config, spec):
  """ScoreMLP for points, UNet (model.net='unet') or ScoreMLP on flattened pixels ('mlp') for images, from the
  validated model fields."""
  m = config.model
  _check(spec.kind in ("points", "images"), "data.name", "a 'points' or 'images' dataset", spec.kind)
  check_choice(m.net, NETWORKS, "model.net")
  check_positive_int(m.num_frequencies, "model.num_frequencies")
  _check(0.0 <= m.dropout < 1.0, "model.dropout", "a rate in [0, 1)", m.dropout)
  if spec.kind == "points" or m.net == "mlp":
    _check(m.dropout == 0.0, "model.dropout", "0 for the MLP network (dropout is a U-Net option)", m.dropout)
    return ScoreMLP(check_positive_int(m.width, "model.width"), check_positive_int(m.depth, "model.depth"),
                    m.num_frequencies)
  multipliers = tuple(m.multipliers)
  _check(len(multipliers) >= 1 and all(isinstance(v, int) and v >= 1 for v in multipliers), "model.multipliers",
         "one or more positive integers", multipliers)
  size = 2 ** (len(multipliers) - 1)
  _check(spec.example_shape[0] % size == 0 and spec.example_shape[1] % size == 0, "model.multipliers",
         f"at most log2 of the image size + 1 levels (image {spec.example_shape})", multipliers)
  return UNet(check_positive_int(m.channels, "model.channels"), multipliers, check_positive_int(m.blocks, "model.blocks"),
              m.num_frequencies, float(m.dropout))


def diffusion_model(config, spec, kind: str) -> Diffusion:
  """The validated `Diffusion` of config for kind 'ddpm' or 'vdm'."""
  o = config.objective
  num_levels = 0
  if spec.kind == "images":
    num_levels = 2 if spec.binarized else check_positive_int(o.num_levels, "objective.num_levels")
    _check(num_levels >= 2, "objective.num_levels", "at least 2 values per pixel", num_levels)
  common = dict(net=network(config, spec), example_shape=tuple(spec.example_shape),
                value_range=tuple(float(v) for v in spec.value_range), num_levels=num_levels)
  if kind == "ddpm":
    check_choice(o.schedule, DDPM_SCHEDULES, "objective.schedule")
    steps = check_positive_int(o.num_steps, "objective.num_steps")
    _check(steps >= 2, "objective.num_steps", "T >= 2", steps)
    if o.schedule == "linear":
      _check(0 < o.beta_start <= o.beta_end < 1, "objective.beta_end", f"0 < beta_start={o.beta_start} <= "
             "beta_end < 1", o.beta_end)
      betas = schedules.linear_betas(steps, o.beta_start, o.beta_end)
    else:
      betas = schedules.cosine_betas(steps)
    return Diffusion(discrete_gammas=schedules.discrete_gamma(betas), **common)
  _check(spec.kind == "images", "data.name", "image data ('vdm' is defined here with a decoder of discrete "
         "pixels)", spec.name)
  check_choice(o.schedule, VDM_SCHEDULES, "objective.schedule")
  _check(o.gamma_min < o.gamma_max, "objective.gamma_max", f"> objective.gamma_min={o.gamma_min}", o.gamma_max)
  gamma_net = None
  if o.schedule == "learned":
    gamma_net = schedules.MonotoneNetwork(o.gamma_min, o.gamma_max, check_positive_int(o.gamma_hidden,
                                                                                         "objective.gamma_hidden"))
  return Diffusion(gamma_net=gamma_net, gamma_min=float(o.gamma_min), gamma_max=float(o.gamma_max), **common)


def example_noise(key: jax.Array, x: jax.Array, stream: int) -> jax.Array:
  """N(0, I) like x [b, ...] from the examples' global keys (independent of the device count)."""
  keys = parallel.example_keys(jax.random.fold_in(key, stream), x.shape[0])
  return jax.vmap(lambda k: jax.random.normal(k, x.shape[1:], x.dtype))(keys)


def ddpm_loss(model: Diffusion):
  """loss_fn for updates.make_update: L_simple / D = ||eps - eps_theta(x_t, t / T)||^2 / D, t ~ U{1..T}."""

  def loss_fn(params, model_state, batch, key):
    x0 = model.to_model_space(batch["x"])  # [b, ...]
    keys = parallel.example_keys(key, x0.shape[0])
    step_index = jax.vmap(lambda k: jax.random.randint(k, (), 1, model.num_steps + 1))(keys)  # [b]
    eps = example_noise(key, x0, 1)
    alpha, sigma = schedules.alpha_sigma(model.discrete_gammas[step_index - 1])
    x_t = objectives.diffuse(x0, alpha, sigma, eps)
    eps_hat = model.eps(params, x_t, step_index / model.num_steps, model.dropout_keys(jax.random.fold_in(key, 3),
                                                                                       x0.shape[0]))
    loss = parallel.global_mean(objectives.simple_loss(eps, eps_hat) / objectives.flat(x0).shape[-1])
    return loss, ({}, model_state)

  return loss_fn


def vdm_loss(model: Diffusion):
  """loss_fn for updates.make_update: the -ELBO in nats per example, L_T + L_inf(t) + L_0, one low-discrepancy
  t over the global batch per example. Metrics: its parts, bits_per_dim, gamma_0 and gamma_1."""

  def loss_fn(params, model_state, batch, key):
    x0 = model.to_model_space(batch["x"])
    b = x0.shape[0]
    index = jax.lax.axis_index(parallel.AXIS) * b + jnp.arange(b)
    t = objectives.low_discrepancy_times(jax.random.fold_in(key, 0), index, b * jax.lax.psum(1, parallel.AXIS))
    ends = model.gamma(params, jnp.array([0.0, 1.0]))
    prior = objectives.prior_kl(x0, *schedules.alpha_sigma(ends[1]))
    diffusion = model.continuous_term(params, x0, t, example_noise(key, x0, 1),
                                      model.dropout_keys(jax.random.fold_in(key, 3), b))
    reconstruction = -model.reconstruction_log_likelihood(params, x0, example_noise(key, x0, 2))
    parts = {"prior": prior, "diffusion": diffusion, "reconstruction": reconstruction}
    metrics = {name: parallel.global_mean(value) for name, value in parts.items()}
    loss = metrics["prior"] + metrics["diffusion"] + metrics["reconstruction"]
    metrics.update(bits_per_dim=loss / (objectives.flat(x0).shape[-1] * jnp.log(2.0)), gamma_0=ends[0],
                   gamma_1=ends[1])
    return loss, (metrics, model_state)

  return loss_fn


def diffusion_trainer(config, spec, model: Diffusion, loss_fn) -> Trainer:
  """The Trainer of a Diffusion: one Adam per parameter group, EMA parameters (train.ema_decay) for sampling
  and evaluation."""
  m = config.model
  check_choice(m.sampler, SAMPLERS, "model.sampler")
  sample_steps = check_positive_int(m.sample_steps, "model.sample_steps")
  if model.is_discrete_time:
    _check(sample_steps <= model.num_steps, "model.sample_steps", f"at most objective.num_steps={model.num_steps}",
           sample_steps)
  _check(0.0 <= m.eta <= 1.0, "model.eta", "a number in [0, 1]", m.eta)
  evaluation.check_eval_config(config.eval, spec)
  names = ("score", "gamma") if model.gamma_net is not None else ("score",)
  optimizers = make_optimizers(config, names)

  def init(key):
    return make_state(key, model.init(key), optimizers)

  @functools.partial(jax.jit, static_argnums=(2, 3))
  def draw(params, key, n, return_path=False):
    return model.sample(params, key, n, m.sampler, sample_steps, m.eta, return_path)

  def sample(state, key, n):
    return draw(evaluation_params(state), key, n)

  def save_pictures(state, key, directory, step_number, data):
    return plots.save_diffusion_pictures(lambda n: draw(evaluation_params(state), key, n, True), model,
                                         directory, step_number, data)

  def evaluate(state, data, key):
    return evaluation.evaluate_diffusion(config, model, evaluation_params(state), data, key,
                                         lambda k, n: sample(state, k, n))

  return Trainer(init=init, update=updates.make_update(loss_fn, optimizers), sample=sample,
                 save_pictures=save_pictures, evaluate=evaluate)


@register_model("ddpm")
def build_ddpm(config, spec) -> Trainer:
  """DDPM: discrete-time diffusion trained on L_simple."""
  model = diffusion_model(config, spec, "ddpm")
  return diffusion_trainer(config, spec, model, ddpm_loss(model))


@register_model("vdm")
def build_vdm(config, spec) -> Trainer:
  """VDM: continuous-time diffusion trained on its ELBO, schedule fixed or learned."""
  model = diffusion_model(config, spec, "vdm")
  return diffusion_trainer(config, spec, model, vdm_loss(model))
