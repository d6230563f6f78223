"""The flow family on the engine: 'nice', 'realnvp', 'glow', 'maf', trained by maximum likelihood.

Loss: the global-batch mean of -log q(x) (nats per example). Points are standardized by a fixed
affine map from the data's bounding box (into [-3, 3]). Images with L discrete levels per pixel
are dequantized with uniform noise, y = (j + u) / L, u ~ U[0, 1)^D, j the pixel's level, and
modelled after RealNVP's logit transform; -log q(y) + D log L is then an upper bound on the
discrete negative log-likelihood (Theis et al. 2016), reported as `nll` and as
bits_per_dim = nll / (D ln 2). With objective.dequantization = 'variational' the noise comes from
a learned q(u | x) (Flow++, gen_jax.flows.dequantization), trained jointly with the flow on the
tighter bound D log L - log q(y) + log q(u | x); `nll` is then that bound with one noise draw per
held-out example.

ActNorm layers ('glow') are initialized from the first training batch: at step 0 the update
re-runs the flow's initialization on that batch with the key the parameters were created with
(kept in model_state['init_key']), so only the ActNorm parameters change.

Config fields: model.num_layers, model.hidden, model.transform ('affine' | 'affine_softplus' |
'spline'; 'nice' is additive), model.init_scheme (the vector flows' conditioners: 'identity' |
'uniform'), model.num_bins, model.bound (points; 'maf' and every family on images flattened for
'nice'/'maf'), model.num_scales, model.steps_per_scale, model.channels (images, 'realnvp' and
'glow'); objective.levels (images: discrete levels per pixel), objective.logit_alpha,
objective.dequantization ('uniform' | 'variational'), model.dequantizer_hidden (its MLP);
eval.batch_size, eval.kl_samples.
"""

import functools
import math
import os

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.checks import check_choice, check_positive_int
from gen_jax.data import toy2d
from gen_jax.eval import modes
from gen_jax.eval.batching import batched_apply
from gen_jax.flows import elementwise, networks, plots
from gen_jax.flows.bijections import FixedAffine, LogitTransform
from gen_jax.flows.dequantization import VariationalDequantizer, dequantization_bound
from gen_jax.flows.glow import ACTNORM_BIAS, ACTNORM_LOG_SCALE
from gen_jax.train import parallel
from gen_jax.train.family import Trainer
from gen_jax.train.registry import register_model
from gen_jax.train.net_state import evaluation_params, make_state
from gen_jax.vae import updates
from gen_jax.vae.trainer import check_non_negative, make_optimizers

TRANSFORMS = ("affine", "affine_softplus", "spline")
DEQUANTIZATIONS = ("uniform", "variational")
FAMILIES = networks.FAMILIES
POINTS_RADIUS = 3.0
GLOW_SWEEP_SAMPLES = 8


def check_flow_config(config, spec) -> None:
  """ValueError naming the first invalid field the flow family reads."""
  m, o = config.model, config.objective
  check_choice(m.name, FAMILIES, "model.name")
  check_choice(m.transform, TRANSFORMS, "model.transform")
  check_choice(m.init_scheme, elementwise.CONDITIONER_INITS, "model.init_scheme")
  for field in ("num_layers", "num_bins", "num_scales", "steps_per_scale", "channels"):
    check_positive_int(m[field], f"model.{field}")
  if not m.hidden or not all(isinstance(w, int) and w > 0 for w in m.hidden):
    raise ValueError(f"model.hidden: expected a non-empty tuple of positive widths, got {m.hidden!r}")
  if check_non_negative(m.bound, "model.bound") == 0:
    raise ValueError(f"model.bound: expected a number > 0, got {m.bound!r}")
  check_positive_int(config.eval.batch_size, "eval.batch_size")
  check_positive_int(config.eval.kl_samples, "eval.kl_samples")
  if spec.kind == "images":
    if not isinstance(o.levels, int) or o.levels < 2:
      raise ValueError(f"objective.levels: expected the number (>= 2) of discrete values per pixel, got {o.levels!r}")
    if not 0 < o.logit_alpha < 0.5:
      raise ValueError(f"objective.logit_alpha: expected a number in (0, 0.5), got {o.logit_alpha!r}")
    check_choice(o.dequantization, DEQUANTIZATIONS, "objective.dequantization")
    if o.dequantization == "variational" and not all(isinstance(w, int) and w > 0 for w in m.dequantizer_hidden):
      raise ValueError(f"model.dequantizer_hidden: expected a tuple of positive widths, got {m.dequantizer_hidden!r}")
    if m.name in ("realnvp", "glow"):
      h, w, _ = spec.example_shape
      if h % 2 ** m.num_scales or w % 2 ** m.num_scales:
        raise ValueError(f"model.num_scales: {m.num_scales} scales need H, W divisible by {2 ** m.num_scales}, "
                         f"got {spec.example_shape}")


def preprocessing(config, spec):
  """The fixed bijection before the flow: a standardization into [-3, 3] (points) or the logit transform."""
  if spec.kind == "points":
    lo, hi = spec.value_range
    return FixedAffine((lo + hi) / 2, POINTS_RADIUS / max((hi - lo) / 2, 1e-6))
  return LogitTransform(float(config.objective.logit_alpha))


def flow_density(config, spec, axis_name=None) -> networks.FlowDensity:
  """The FlowDensity the config describes for data `spec`."""
  m = config.model
  shape = tuple(spec.example_shape)
  dim = int(np.prod(shape))
  transform = m.transform if m.name != "nice" else "additive"
  pre = preprocessing(config, spec)
  if spec.kind == "images" and m.name in ("realnvp", "glow"):
    body = networks.image_body(m.name, shape, m.num_scales, m.steps_per_scale, m.channels, transform, m.num_bins,
                               float(m.bound), axis_name)
    return networks.FlowDensity(pre, body, shape)
  body = networks.vector_body(m.name, dim, m.num_layers, tuple(m.hidden), transform, m.num_bins, float(m.bound),
                              axis_name, m.init_scheme)
  return networks.FlowDensity(pre, body, shape, flatten=len(shape) > 1)


class Quantizer:
  """Images in value_range with `levels` values per pixel <-> continuous y in [0, 1)^D (module doc)."""

  def __init__(self, value_range, levels: int):
    self.lo, self.hi = value_range
    self.levels = levels

  def level(self, x):
    """The pixel levels j in {0, ..., L-1} of x (floats)."""
    return jnp.round((x - self.lo) / (self.hi - self.lo) * (self.levels - 1))

  def dequantize(self, x, keys):
    """y = (j + u) / L, one uniform noise draw per example key: x [B, ...], keys [B]."""
    u = jax.vmap(lambda k: jax.random.uniform(k, x.shape[1:]))(keys)
    return (self.level(x) + u) / self.levels

  def quantize(self, y):
    """The pixel values of y's bins, in value_range."""
    j = jnp.clip(jnp.floor(y * self.levels), 0, self.levels - 1)
    return self.lo + j / (self.levels - 1) * (self.hi - self.lo)


def merge_actnorm(params, initialized):
  """params with every ActNorm leaf taken from `initialized`."""
  names = (repr(ACTNORM_BIAS), repr(ACTNORM_LOG_SCALE))
  return jax.tree_util.tree_map_with_path(
      lambda path, p, q: q if jax.tree_util.keystr(path[-1:]).strip("[]") in names else p, params, initialized)


class DiscreteFlow:
  """'nice', 'realnvp', 'glow', 'maf': the FlowDensity of the config, as the trainer uses it."""


  def __init__(self, config, spec):
    self.model = flow_density(config, spec)
    self.train_model = flow_density(config, spec, axis_name=parallel.AXIS)
    self.needs_data_init = config.model.name == "glow"

  def init(self, key, x):
    return self.model.init(key, x)["params"]

  def initialize_from_data(self, params, x, init_key):
    """params with the ActNorm layers initialized from the batch x (over the mesh axis)."""
    return merge_actnorm(params, self.train_model.init(init_key, x)["params"])

  def log_prob(self, params, x):
    """log q(x) [B] for x [B, ...]."""
    return self.model.apply({"params": params}, x)

  def sample(self, params, key, n, temperature):
    return self.model.apply({"params": params}, key, n, temperature, method="sample")


def points_picture(config, spec, log_prob, samples, directory: str, step_number: int) -> str:
  """The learned 2-D density exp(log_prob) on a 120 x 120 grid beside `samples` [N, 2]: the PNG's path."""
  lo, hi = spec.value_range
  limits = (lo - 0.15 * (hi - lo), hi + 0.15 * (hi - lo))
  grid = plots.density_grid(limits, 120)
  log_q = batched_apply(log_prob, grid, config.eval.batch_size)
  path = os.path.join(directory, f"density_{step_number:07d}.png")
  return plots.save_density_and_samples(np.asarray(log_q), np.asarray(samples), limits, path,
                                        f"{config.model.name}, step {step_number}", spec.mode_centres)


def mixture_metrics(config, spec, data, nll, sample) -> dict:
  """On ring8 / grid25 (else {}): kl_to_truth = E_p[log p - log q] over eval.kl_samples fresh draws, with
  nll(x [N, 2]) -> -log q [N], and the mode metrics of sample(n) -> [n, 2] (n = eval.num_samples)."""
  if spec.name not in toy2d.MIXTURES or data.sampler is None:
    return {}
  fresh = data.sampler(np.random.default_rng(config.eval.seed), config.eval.kl_samples)[0]
  result = {"kl_to_truth": float(np.mean(toy2d.log_density(spec.name, fresh) + nll(fresh)))}
  samples = np.asarray(sample(config.eval.num_samples), np.float64)
  return {**result, **modes.mode_metrics(samples, spec.mode_centres, spec.mode_std)}


def flow_trainer(config, spec) -> Trainer:
  """The Trainer for a flow family member (module doc)."""
  check_flow_config(config, spec)
  density = DiscreteFlow(config, spec)
  dim = int(np.prod(spec.example_shape))
  images = spec.kind == "images"
  quantizer = Quantizer(spec.value_range, config.objective.levels) if images else None
  variational = images and config.objective.dequantization == "variational"
  dequantizer = VariationalDequantizer(tuple(config.model.dequantizer_hidden)) if variational else None
  optimizers = make_optimizers(config, ("flow", "dequantizer") if variational else ("flow",))

  def prepare(params, x, keys):
    """(y, log q(u | x) [B]): the dequantized images (uniform or variational noise, one draw per key), or
    the points and 0."""
    if not variational:
      return (quantizer.dequantize(x, keys) if images else x), jnp.zeros(x.shape[:1])
    j = quantizer.level(x).reshape(x.shape[0], -1)  # [B, D]
    eps = jax.vmap(lambda k: jax.random.normal(k, (dim,)))(keys)  # [B, D]
    u, log_q_u = dequantizer.apply({"params": params["dequantizer"]}, j / (quantizer.levels - 1), eps)
    return ((j + u) / quantizer.levels).reshape(x.shape), log_q_u

  def negative_log_likelihood(params, x, keys):
    """-log q(x) [B] (points) or the dequantization bound on -log P(x) [B] (images)."""
    y, log_q_u = prepare(params, x, keys)
    log_q = density.log_prob(params["flow"], y)
    return dequantization_bound(log_q, log_q_u, dim, quantizer.levels) if images else -log_q

  def init(key):
    example = jnp.zeros((1,) + tuple(spec.example_shape)) + 0.5
    params = {"flow": density.init(key, example)}
    if variational:
      params["dequantizer"] = dequantizer.init(key, example.reshape(1, -1), example.reshape(1, -1))["params"]
    return make_state(key, params, optimizers, {"init_key": key})

  def loss_fn(params, model_state, batch, key):
    keys = parallel.example_keys(key, batch["x"].shape[0])
    loss = parallel.global_mean(negative_log_likelihood(params, batch["x"], keys))
    metrics = {"nll": loss, "bits_per_dim": loss / (dim * math.log(2))}
    return loss, (metrics, model_state)

  base_update = updates.make_update(loss_fn, optimizers)

  def update(state, batch, key):
    if not density.needs_data_init:
      return base_update(state, batch, key)

    def data_init():
      x = prepare(state.params, batch["x"], parallel.example_keys(key, batch["x"].shape[0]))[0]
      return {**state.params,
              "flow": density.initialize_from_data(state.params["flow"], x, state.model_state["init_key"])}

    params = jax.lax.cond(state.step == 0, data_init, lambda: state.params)
    return base_update(state.replace(params=params), batch, key)

  @functools.partial(jax.jit, static_argnums=(2, 3))
  def draw(state, key, n, temperature=1.0):
    y = density.sample(evaluation_params(state)["flow"], key, n, temperature)
    return quantizer.quantize(y) if images else y

  def sample(state, key, n):
    return draw(state, key, n)

  @jax.jit
  def log_prob(params, x):
    return density.log_prob(params["flow"], x)

  def save_pictures(state, key, directory, step_number, data):
    if not images:
      return [points_picture(config, spec, lambda g: log_prob(evaluation_params(state), g), sample(state, key, 2000),
                             directory, step_number)]
    paths = [plots.save_image_grid(np.asarray(sample(state, key, 64)),
                                   os.path.join(directory, f"samples_{step_number:07d}.png"), nrow=8,
                                   value_range=spec.value_range)]
    if config.model.name == "glow":
      rows = [np.asarray(draw(state, key, GLOW_SWEEP_SAMPLES, t)) for t in plots.TEMPERATURES]
      paths.append(plots.save_temperature_sweep(rows, os.path.join(directory, f"temperatures_{step_number:07d}.png"),
                                                spec.value_range))
    return paths

  def held_out_nll(params, x, key) -> np.ndarray:
    """-log q per example [N] (images: the dequantization bound with one fixed noise draw per example)."""
    keys = jax.random.split(key, x.shape[0])
    x_all = jnp.asarray(x)
    rows = jax.jit(lambda i: negative_log_likelihood(params, x_all[i], keys[i]))
    return np.asarray(batched_apply(rows, np.arange(x.shape[0]), config.eval.batch_size), np.float64)

  def evaluate(state, data, key):
    if data.test is None:
      raise ValueError(f"data.name: {spec.name!r} has no held-out split to evaluate on")
    params = evaluation_params(state)
    nll = held_out_nll(params, np.asarray(data.test["x"]), key)
    result = {"nll": float(nll.mean()), "bits_per_dim": float(nll.mean() / (dim * math.log(2))),
              "num_examples": int(len(nll))}
    result.update(mixture_metrics(config, spec, data, lambda x: held_out_nll(params, x, key),
                                  lambda n: sample(state, jax.random.fold_in(key, 1), n)))
    return result

  return Trainer(init=init, update=update, sample=sample, save_pictures=save_pictures, evaluate=evaluate)


for _name in FAMILIES:
  register_model(_name)(flow_trainer)
