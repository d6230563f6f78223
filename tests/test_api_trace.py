"""Trace anywhere: every public function of the pure modules gives the same result eagerly, under `jax.jit`
with its float hyper-parameters traced, and under `jax.vmap` over a leading batch axis (hyper-parameters
batched too), and, where differentiable, a finite `jax.grad` with respect to its float arrays and
hyper-parameters.

CASES is the table walked by the test: (name, make, call, hypers, grad). `make(key)` builds the example
array arguments (a dict); `hypers` are the float hyper-parameters, passed as Python floats eagerly and
as traced arrays under jit and vmap; `call(**arrays, **hypers)` calls the public function with its
static arguments filled in. STATIC lists the public names whose arguments are all static (config checks,
shape arithmetic, result containers). test_every_public_name_has_a_case makes a new public function
without a row fail.
"""

import importlib
import inspect
from typing import Callable, NamedTuple

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gen_jax import probability, sampling
from gen_jax.gan import losses, regularizers, rejection
from gen_jax.vae import flows, hierarchical, objectives, vq
from tests.helpers.api import PURE_MODULES


STATIC = {
    "checks.check_int": "config check of a Python integer",
    "checks.check_positive_int": "config check of a Python integer",
    "checks.check_non_negative_int": "config check of a Python integer",
    "checks.check_choice": "config check of a static choice",
    "checks.value_check": "traced in every function that calls it; raising tested in test_value_checks.py",
    "checks.checked": "a wrapper; tested eagerly and jitted in test_value_checks.py",
    "sampling.RejectionResult": "result container",
    "losses.check_kind": "static choice",
    "objectives.check_likelihood": "static choice",
    "objectives.num_decoder_params": "static choice -> int",
    "flows.check_flow": "static choice and length",
    "flows.planar_param_count": "static sizes -> int",
    "hierarchical.check_layers": "static sizes",
    "hierarchical.PosteriorSample": "result container",
}


class Case(NamedTuple):
  name: str
  make: Callable[[jax.Array], dict]
  call: Callable
  hypers: dict = {}
  grad: bool = False


def normal(key, *shape):
  return jax.random.normal(key, shape)


def keys_of(key, n):
  return jax.random.split(key, n)


def spd(key, d=2):
  a = normal(key, d, d)
  return a @ a.T + d * jnp.eye(d)


def split2(key):
  return jax.random.split(key)


def probs(key, *shape):
  return jax.random.uniform(key, shape, minval=0.1, maxval=1.0)


def joint(key):
  table = probs(key, 2, 3)
  return table / table.sum()


class _Body(nn.Module):
  @nn.compact
  def __call__(self, x, train):
    return nn.tanh(nn.Dense(4)(x))


class _Linear(nn.Module):
  @nn.compact
  def __call__(self, x):
    return nn.Dense(1)(x)[:, 0]


def critic(x):
  return jnp.sin(x) @ jnp.array([1.0, -2.0])


def triangle(x):
  return 2 * x[:, 0]


def uniform_points(key, n):
  return jax.random.uniform(key, (n, 1))


def flat(x):
  return jnp.ones(x.shape[:1])


def module_case(name, module, inputs, static=(), result=lambda out: out, grad=False):
  """A Flax module's init + apply(params, *inputs, *static), with its parameters among the traced arrays."""

  init = jax.jit(lambda key, *args: module.init(key, *args, *static))

  def make(key):
    init_key, data_key = split2(key)
    args = inputs(data_key)
    return {"params": init(init_key, *args), "args": args}

  def call(params, args):
    return result(module.apply(params, *args, *static))

  return Case(name, make, call, grad=grad)


SN_DENSE = regularizers.spectral_normalized(nn.Dense, update_stats=False)(3)
HIER_ENCODER = hierarchical.HierarchicalEncoder((3, 2), ((8,), (4,)), (5,))
HIER_DECODER = hierarchical.HierarchicalDecoder((3, 2), ((8,), (4,)), (5,))
FLOW = flows.Flow("iaf", 2, made_hidden=(8,))
FLOW_ENCODER = flows.FlowEncoder(2, (8,), (5,), flow="planar", flow_length=2)


def encoder_inputs(key):
  return (normal(key, 2, 5), keys_of(key, 2))


def log_prob_terms(key):
  a, b, c = jax.random.split(key, 3)
  return {"log_likelihood": normal(a, 3, 2), "log_prior": normal(b, 3, 2), "log_posterior": normal(c, 3, 2)}


CASES = [
    # --- sampling ---
    Case("sampling.sample_discrete", lambda k: {"key": k, "probs": probs(k, 2, 4)},
         lambda key, probs: sampling.sample_discrete(key, probs, (5, 2))),
    Case("sampling.inverse_transform_sample", lambda k: {"key": k},
         lambda key, rate: sampling.inverse_transform_sample(key, lambda u: -jnp.log1p(-u) / rate, (4,)),
         {"rate": 2.0}, grad=True),
    Case("sampling.tabulated_inverse_cdf", lambda k: {"u": jax.random.uniform(k, (4,))},
         lambda u, low, high: sampling.tabulated_inverse_cdf(lambda x: jnp.exp(-x), low, high, 33)(u),
         {"low": 0.5, "high": 3.0}, grad=True),
    Case("sampling.rejection_sample", lambda k: {"key": k},
         lambda key, bound: sampling.rejection_sample(key, triangle, uniform_points, flat, bound, 8),
         {"bound": 2.0}),
    Case("sampling.reparameterize", lambda k: {"key": k, "mean": normal(k, 3), "log_var": normal(k, 3)},
         lambda key, mean, log_var: sampling.reparameterize(key, mean, log_var, 2), grad=True),
    Case("sampling.reparameterize_full", lambda k: {"key": k, "mean": normal(k, 2), "cov": spd(k)},
         lambda key, mean, cov: sampling.reparameterize_full(key, mean, cov, 2), grad=True),
    # --- probability ---
    Case("probability.cholesky", lambda k: {"cov": spd(k)}, probability.cholesky, grad=True),
    Case("probability.gaussian_log_prob", lambda k: {"x": normal(k, 3), "mean": normal(k, 3) * 0.5,
                                                     "log_var": normal(k, 3) * 0.1},
         probability.gaussian_log_prob, grad=True),
    Case("probability.mvn_log_prob", lambda k: {"x": normal(k, 2), "mean": normal(k, 2) * 0.5, "cov": spd(k)},
         probability.mvn_log_prob, grad=True),
    Case("probability.bernoulli_log_prob", lambda k: {"x": probs(k, 3), "logits": normal(k, 3)},
         probability.bernoulli_log_prob, grad=True),
    Case("probability.kl_standard_normal", lambda k: {"mean": normal(k, 3), "log_var": normal(k, 3) * 0.1},
         probability.kl_standard_normal, grad=True),
    Case("probability.kl_diag_gaussians",
         lambda k: {"mean_p": normal(k, 3), "log_var_p": normal(k, 3) * 0.1, "mean_q": normal(k, 3) * 0.5,
                    "log_var_q": normal(k, 3) * 0.2}, probability.kl_diag_gaussians, grad=True),
    Case("probability.kl_gaussian", lambda k: {"mean_p": normal(k, 2), "cov_p": spd(k), "mean_q": normal(k, 2) * 0.5,
                                               "cov_q": spd(split2(k)[0])}, probability.kl_gaussian, grad=True),
    Case("probability.monte_carlo_kl", lambda k: {"key": k},
         lambda key, shift: probability.monte_carlo_kl(
             key, lambda kk, n: normal(kk, n, 1), lambda x: probability.gaussian_log_prob(x, 0.0, 0.0),
             lambda x: probability.gaussian_log_prob(x, shift, 0.0), 16), {"shift": 1.0}, grad=True),
    Case("probability.log_mean_exp", lambda k: {"x": normal(k, 3, 2)}, lambda x: probability.log_mean_exp(x, 0),
         grad=True),
    Case("probability.marginal", lambda k: {"joint": joint(k)}, lambda joint: probability.marginal(joint, 1), grad=True),
    Case("probability.conditional", lambda k: {"joint": joint(k)}, lambda joint: probability.conditional(joint, 0),
         grad=True),
    Case("probability.expectation", lambda k: {"values": normal(k, 3), "probs": probs(k, 3)},
         probability.expectation, grad=True),
    # --- gan.losses ---
    *[Case(f"losses.{fn.__name__}", lambda k: {"real_logits": normal(k, 4), "fake_logits": normal(split2(k)[0], 4)},
           fn, grad=True)
      for fn in (losses.bce_discriminator, losses.least_squares_discriminator, losses.wasserstein_discriminator,
                 losses.hinge_discriminator)],
    *[Case(f"losses.{fn.__name__}", lambda k: {"fake_logits": normal(k, 4)}, fn, grad=True)
      for fn in (losses.minimax_generator, losses.non_saturating_generator, losses.least_squares_generator,
                 losses.linear_generator)],
    Case("losses.discriminator_loss", lambda k: {"real_logits": normal(k, 4), "fake_logits": normal(k, 4) + 1},
         lambda real_logits, fake_logits: losses.discriminator_loss(real_logits, fake_logits, "least_squares"),
         grad=True),
    Case("losses.generator_loss", lambda k: {"fake_logits": normal(k, 4)},
         lambda fake_logits: losses.generator_loss(fake_logits, "non_saturating"), grad=True),
    Case("losses.info_code_loss", lambda k: {"q_outputs": normal(k, 4, 5), "category": jnp.arange(4) % 3,
                                             "continuous": normal(k, 4, 2)}, losses.info_code_loss, grad=True),
    # --- gan.regularizers ---
    Case("regularizers.clip_weights", lambda k: {"params": {"w": normal(k, 3), "b": normal(k, 2)}},
         regularizers.clip_weights, {"bound": 0.5}, grad=True),
    Case("regularizers.interpolate", lambda k: {"real": normal(k, 3, 2), "fake": normal(k, 3, 2) + 1,
                                                "keys": keys_of(k, 3)}, regularizers.interpolate, grad=True),
    Case("regularizers.gradient_penalty", lambda k: {"real": normal(k, 3, 2), "fake": normal(k, 3, 2) + 1,
                                                     "keys": keys_of(k, 3)},
         lambda real, fake, keys, weight: weight * regularizers.gradient_penalty(critic, real, fake, keys),
         {"weight": 10.0}, grad=True),
    Case("regularizers.r1_penalty", lambda k: {"real": normal(k, 3, 2)},
         lambda real, gamma: gamma / 2 * regularizers.r1_penalty(critic, real), {"gamma": 1.0}, grad=True),
    module_case("regularizers.spectral_normalized", SN_DENSE, lambda k: (normal(k, 2, 4),), grad=True),
    Case("regularizers.orthogonal_penalty", lambda k: {"params": {"w": normal(k, 3, 2), "b": normal(k, 2)}},
         regularizers.orthogonal_penalty, {"beta": 1e-2}, grad=True),
    Case("regularizers.path_length_penalty", lambda k: {"w": normal(k, 3, 4), "key": k},
         lambda w, key, mean_length, decay: regularizers.path_length_penalty(
             lambda v: jnp.tanh(v).reshape(-1, 2, 2, 1), w, key, mean_length, decay),
         {"mean_length": 0.5, "decay": 0.1}, grad=True),
    Case("regularizers.lazy_penalty", lambda k: {"x": normal(k, 3), "step": jnp.array(4)},
         lambda x, step, weight: regularizers.lazy_penalty(step, 2, lambda: weight * jnp.sum(x ** 2)),
         {"weight": 0.5}, grad=True),
    Case("regularizers.pack", lambda k: {"x": normal(k, 4, 2)}, lambda x: regularizers.pack(x, 2), grad=True),
    Case("regularizers.unpack", lambda k: {"x": normal(k, 2, 4)}, lambda x: regularizers.unpack(x, 2), grad=True),
    # --- gan.rejection ---
    module_case("rejection.LogRatioClassifier", rejection.LogRatioClassifier(_Body()), lambda k: (normal(k, 3, 2),),
                grad=True),
    Case("rejection.logistic_loss", lambda k: {"real_logits": normal(k, 4), "fake_logits": normal(k, 3)},
         rejection.logistic_loss, grad=True),
    Case("rejection.fit_log_ratio", lambda k: {"key": k, "real": normal(k, 16, 1) + 1, "fake": normal(k, 16, 1) - 1},
         lambda key, real, fake, learning_rate: rejection.fit_log_ratio(key, _Linear(), real, fake, 5, 4,
                                                                       learning_rate),
         {"learning_rate": 0.05}),
    Case("rejection.log_envelope", lambda k: {"log_ratios": normal(k, 9)}, rejection.log_envelope,
         {"quantile": 0.9}, grad=True),
    Case("rejection.rejection_sample_generator", lambda k: {"key": k},
         lambda key, log_m: rejection.rejection_sample_generator(
             key, lambda kk, n: normal(kk, n, 1), lambda x: -jnp.square(x[:, 0]), log_m, 8), {"log_m": 0.0}),
    # --- vae.objectives ---
    Case("objectives.decoder_log_likelihood", lambda k: {"x": normal(k, 2, 3), "out": normal(k, 4, 2, 3)},
         lambda x, out, log_var: objectives.decoder_log_likelihood(x, out, "gaussian_fixed", 1, log_var),
         {"log_var": -1.0}, grad=True),
    Case("objectives.decoder_mean", lambda k: {"out": normal(k, 2, 6)},
         lambda out: objectives.decoder_mean(out, "gaussian"), grad=True),
    Case("objectives.sample_posterior", lambda k: {"keys": keys_of(k, 2), "mean": normal(k, 2, 3),
                                                   "log_var": normal(k, 2, 3) * 0.1},
         lambda keys, mean, log_var: objectives.sample_posterior(keys, mean, log_var, 4), grad=True),
    Case("objectives.elbo", lambda k: {"log_likelihood": normal(k, 3, 2), "kl": probs(k, 2)}, objectives.elbo,
         {"beta": 0.5}, grad=True),
    Case("objectives.log_importance_weights", log_prob_terms, objectives.log_importance_weights, grad=True),
    Case("objectives.iwae_bound", log_prob_terms, objectives.iwae_bound, grad=True),
    Case("objectives.imq_kernel", lambda k: {"a": normal(k, 3, 2), "b": normal(k, 4, 2),
                                             "scales": jnp.array([0.5, 1.0])}, objectives.imq_kernel, grad=True),
    Case("objectives.mmd_imq", lambda k: {"z_q": normal(k, 4, 2), "z_p": normal(split2(k)[0], 4, 2)},
         objectives.mmd_imq, grad=True),
    # --- vae.flows ---
    Case("flows.planar_flow", lambda k: {"z": normal(k, 3, 2), "u": normal(k, 2), "w": normal(k, 2) + 1,
                                         "b": normal(k)}, flows.planar_flow, grad=True),
    Case("flows.split_planar_params", lambda k: {"params": normal(k, 2, 10)},
         lambda params: flows.split_planar_params(params, 2, 2), grad=True),
    module_case("flows.IAFStep", flows.IAFStep((8,)), lambda k: (normal(k, 2, 3), normal(k, 2, 4)), grad=True),
    module_case("flows.Flow", FLOW, lambda k: (normal(k, 3, 2, 4), normal(k, 2, 5)), grad=True),
    module_case("flows.FlowEncoder", FLOW_ENCODER, encoder_inputs, (3,), lambda out: out.log_prob, grad=True),
    # --- vae.vq ---
    Case("vq.quantize", lambda k: {"z_e": normal(k, 2, 3, 2), "embedding": normal(split2(k)[0], 4, 2)},
         vq.quantize),
    Case("vq.straight_through", lambda k: {"z_e": normal(k, 3, 2), "z_q": normal(k, 3, 2)}, vq.straight_through,
         grad=True),
    Case("vq.commitment_loss", lambda k: {"z_e": normal(k, 2, 3, 2), "z_q": normal(split2(k)[0], 2, 3, 2)},
         vq.commitment_loss, grad=True),
    Case("vq.perplexity", lambda k: {"probs": joint(k).ravel()}, vq.perplexity, grad=True),
    Case("vq.init_codebook", lambda k: {"key": k}, lambda key: vq.init_codebook(key, 4, 2, 3)),
    Case("vq.ema_codebook_update",
         lambda k: {"codebook": vq.init_codebook(k, 4, 2, 3), "z_e": normal(k, 2, 3, 2),
                    "indices": jax.random.randint(k, (2, 3), 0, 4)},
         vq.ema_codebook_update, {"decay": 0.9, "epsilon": 1e-5}, grad=True),
    Case("vq.restart_dead_codes", lambda k: {"codebook": vq.init_codebook(k, 4, 2, 3), "key": k},
         vq.restart_dead_codes, {"threshold": 1.5, "noise_scale": 0.01}),
    # --- vae.hierarchical ---
    Case("hierarchical.split_gaussian", lambda k: {"h": normal(k, 2, 6)}, hierarchical.split_gaussian, grad=True),
    Case("hierarchical.layer_keys", lambda k: {"keys": keys_of(k, 3)}, lambda keys: hierarchical.layer_keys(keys, 1)),
    module_case("hierarchical.HierarchicalEncoder", HIER_ENCODER, encoder_inputs, (3,), lambda out: out.log_prob,
                grad=True),
    module_case("hierarchical.HierarchicalDecoder", HIER_DECODER,
                lambda k: ((normal(k, 3, 2, 3), normal(k, 3, 2, 2)),), grad=True),
]

TOLERANCE = dict(rtol=2e-4, atol=2e-5)


def assert_trees_close(actual, expected):
  assert jax.tree.structure(actual) == jax.tree.structure(expected)
  for a, e in zip(jax.tree.leaves(actual), jax.tree.leaves(expected)):
    np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(e, np.float64), equal_nan=True, **TOLERANCE)


def hypers_of(case, scale):
  return {name: value * scale for name, value in case.hypers.items()}


def stack(*trees):
  return jax.tree.map(lambda *leaves: jnp.stack(leaves), *trees)


def is_float(leaf):
  return jnp.issubdtype(jnp.asarray(leaf).dtype, jnp.floating)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_eager_jit_and_vmap_agree(case):
  arrays = [case.make(key) for key in jax.random.split(jax.random.PRNGKey(0), 2)]
  hypers = [hypers_of(case, 1.0), hypers_of(case, 0.9)]  # a different hyper-parameter per batch element
  traced_hypers = [{name: jnp.asarray(value) for name, value in h.items()} for h in hypers]
  eager = case.call(**arrays[0], **hypers[0])  # Python-float hyper-parameters

  jitted = jax.jit(case.call)
  assert_trees_close(jitted(**arrays[0], **traced_hypers[0]), eager)

  # vmap, compiled once (op-by-op vmap is slow); element 1 is checked against the jitted call, itself eager-equal.
  batched = jax.jit(jax.vmap(case.call))(**stack(*arrays), **stack(*traced_hypers))
  for i, expected in enumerate((eager, jitted(**arrays[1], **traced_hypers[1]))):
    assert_trees_close(jax.tree.map(lambda leaf: leaf[i], batched), expected)

  if case.grad:
    float_args = {n: v for n, v in arrays[0].items() if all(is_float(leaf) for leaf in jax.tree.leaves(v))}
    other_args = {n: v for n, v in arrays[0].items() if n not in float_args}

    def total(differentiable):
      out = case.call(**differentiable, **other_args)
      return sum(jnp.sum(leaf) for leaf in jax.tree.leaves(out) if is_float(leaf))

    grads = jax.jit(jax.grad(total))(float_args | traced_hypers[0])
    assert all(np.all(np.isfinite(leaf)) for leaf in jax.tree.leaves(grads))


def public_names(module_name):
  module = importlib.import_module(module_name)
  short = module_name.rsplit(".", 1)[-1]
  return {f"{short}.{name}" for name, value in vars(module).items()
          if not name.startswith("_") and callable(value) and getattr(value, "__module__", None) == module_name
          and (inspect.isfunction(value) or inspect.isclass(value))}


def test_every_public_name_has_a_case():
  public = set().union(*(public_names(m) for m in PURE_MODULES))
  covered = {case.name for case in CASES} | set(STATIC)
  assert not public - covered, f"public functions without a trace case: {sorted(public - covered)}"
  assert not covered - public, f"cases of names that are not public: {sorted(covered - public)}"
