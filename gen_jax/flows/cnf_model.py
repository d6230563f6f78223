"""The continuous normalizing flow on the engine: 'cnf' (FFJORD), trained by maximum likelihood on points.

Points x [B, D] are standardized into [-3, 3] by the fixed affine map y = pre(x) of the discrete
flows (gen_jax.flows.models); the CNF dy/dt = f(y, t) (gen_jax.flows.cnf.ODEField) carries y(0) = y
to y(T) ~ N(0, I):

  log q(x) = log N(y(T); 0, I) + int_0^T tr(df/dy) dt + log |det d pre/dx|.

Each example is solved on its own adaptive grid by diffrax's Dopri5 (rtol, atol, at most
max_steps steps), differentiated through the solver's steps (scripts/benchmark_cnf_solvers.py
compares it with jax.experimental.ode.odeint's adjoint at the same tolerance).
Training uses the trace `model.trace` ('exact': D Jacobian-vector products; 'hutchinson': one
Rademacher probe per example, unbiased); evaluation always uses the exact trace, so `nll` is the
exact-trace CNF log-density up to the solver's error (tolerance model.rtol / model.atol). Metrics
report `nfe`, the mean number of field evaluations per example of the forward solve (Dopri5:
6 per step + 1); evaluation also reports `nfe_max`, which equals 6 max_steps + 1 when a solve was cut
short by the step limit (its result is then not the ODE's solution).

diffrax allocates its loop buffers as device-invariant zeros, which shard_map's varying-axes
check rejects for a solve of sharded data; the family runs with `Trainer.check_vma=False` and
pmeans its gradients itself (gen_jax.train.family). Without the check, equinox's checkpointed
loop (diffrax's default adjoint) fails its closure check, so training differentiates through
diffrax's bounded loop (`adjoint='direct'` of gen_jax.flows.cnf), whose cost grows with
max_steps: keep max_steps a small multiple of the steps the solver takes.

Config fields: model.hidden (field widths), model.end_time (T), model.rtol, model.atol,
model.max_steps, model.trace; eval.batch_size, eval.kl_samples.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.checks import check_choice, check_positive_int
from gen_jax.eval.batching import batched_apply
from gen_jax.flows import cnf
from gen_jax.flows.models import mixture_metrics, points_picture, preprocessing
from gen_jax.train import parallel
from gen_jax.train.family import Trainer
from gen_jax.train.net_state import evaluation_params, make_state
from gen_jax.train.registry import register_model
from gen_jax.vae import updates
from gen_jax.vae.trainer import make_optimizers


def check_cnf_config(config, spec) -> None:
  """ValueError naming the first invalid field the 'cnf' family reads."""
  m = config.model
  if spec.kind != "points":
    raise ValueError(f"data.name: expected a dataset of points for model.name 'cnf', got {spec.name!r} "
                     f"({spec.kind})")
  if not m.hidden or not all(isinstance(w, int) and w > 0 for w in m.hidden):
    raise ValueError(f"model.hidden: expected a non-empty tuple of positive widths, got {m.hidden!r}")
  check_choice(m.trace, cnf.TRACES, "model.trace")
  check_positive_int(m.max_steps, "model.max_steps")
  for field in ("end_time", "rtol", "atol"):
    if not isinstance(m[field], (int, float)) or not m[field] > 0:
      raise ValueError(f"model.{field}: expected a number > 0, got {m[field]!r}")
  check_positive_int(config.eval.batch_size, "eval.batch_size")
  check_positive_int(config.eval.kl_samples, "eval.kl_samples")


class CNFDensity:
  """log q(x) and sampling of the config's CNF on points (module doc); params are the field's."""

  def __init__(self, config, spec):
    m = config.model
    self.pre = preprocessing(config, spec)
    self.field = cnf.ODEField(tuple(m.hidden))
    self.dim = int(np.prod(spec.example_shape))
    self.solver = {"end_time": float(m.end_time), "rtol": float(m.rtol), "atol": float(m.atol),
                   "max_steps": int(m.max_steps)}

  def init(self, key):
    return self.field.init(key, jnp.zeros((self.dim,)), 0.0)["params"]

  def log_prob(self, params, x, noise=None):
    """(log q(x) [B], NFE [B]) for x [B, D]; `noise` [B, D]: Hutchinson's probes, None: the exact trace."""
    y, log_det = self.pre.apply({}, x, method="forward")
    log_q, nfe = cnf.cnf_log_prob(lambda z, t: self.field.apply({"params": params}, z, t), y, noise,
                                  adjoint="direct", **self.solver)
    return log_q + log_det, nfe

  def sample(self, params, key, n: int):
    """n draws x = pre^{-1}(y(0)), y(T) ~ N(0, I): [n, D]."""
    z = jax.random.normal(key, (n, self.dim))
    y, _ = cnf.cnf_sample(lambda v, t: self.field.apply({"params": params}, v, t), z, **self.solver)
    return self.pre.apply({}, y, method="inverse")[0]


@register_model("cnf")
def cnf_trainer(config, spec) -> Trainer:
  """The Trainer of the 'cnf' family (module doc)."""
  check_cnf_config(config, spec)
  density = CNFDensity(config, spec)
  optimizers = make_optimizers(config, ("field",))
  hutchinson = config.model.trace == "hutchinson"

  def init(key):
    return make_state(key, {"field": density.init(key)}, optimizers)

  def loss_fn(params, model_state, batch, key):
    x = batch["x"]  # [b, D]
    noise = None
    if hutchinson:
      keys = parallel.example_keys(key, x.shape[0])
      noise = jax.vmap(lambda k: jax.random.rademacher(k, (density.dim,), jnp.float32))(keys)  # [b, D]
    log_q, nfe = density.log_prob(params["field"], x, noise)
    loss = parallel.global_mean(-log_q)
    return loss, ({"nll": loss, "nfe": parallel.global_mean(nfe.astype(jnp.float32))}, model_state)

  update = updates.make_update(loss_fn, optimizers, mean_gradients=True)

  @functools.partial(jax.jit, static_argnums=2)
  def sample(state, key, n):
    return density.sample(evaluation_params(state)["field"], key, n)

  @jax.jit
  def log_prob_and_nfe(params, x):
    log_q, nfe = density.log_prob(params["field"], x)
    return jnp.stack([log_q, nfe.astype(log_q.dtype)], axis=-1)  # [B, 2]

  def held_out(params, x):
    """(-log q [N], NFE [N]) by the exact trace, in batches of eval.batch_size."""
    rows = batched_apply(lambda v: log_prob_and_nfe(params, v), np.asarray(x, np.float32), config.eval.batch_size)
    return -np.asarray(rows[:, 0], np.float64), np.asarray(rows[:, 1], np.float64)

  def save_pictures(state, key, directory, step_number, data):
    params = evaluation_params(state)
    return [points_picture(config, spec, lambda g: log_prob_and_nfe(params, g)[:, 0], sample(state, key, 2000),
                           directory, step_number)]

  def evaluate(state, data, key):
    if data.test is None:
      raise ValueError(f"data.name: {spec.name!r} has no held-out split to evaluate on")
    params = evaluation_params(state)
    nll, nfe = held_out(params, data.test["x"])
    result = {"nll": float(nll.mean()), "bits_per_dim": float(nll.mean() / (density.dim * np.log(2))),
              "nfe": float(nfe.mean()), "nfe_max": float(nfe.max()), "num_examples": int(len(nll))}
    result.update(mixture_metrics(config, spec, data, lambda x: held_out(params, x)[0],
                                  lambda n: sample(state, jax.random.fold_in(key, 1), n)))
    return result

  return Trainer(init=init, update=update, sample=sample, save_pictures=save_pictures, evaluate=evaluate,
                 check_vma=False)
