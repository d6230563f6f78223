"""The engine's toy model family, registered as 'engine_test': a denoising MLP with BatchNorm and
per-example noise, small enough to train in seconds. The engine's own tests and scripts/kill_test.py use it
(config: configs/engine_test.py); it exercises every part of the Trainer contract, including model state.

loss = global mean of ||f(x + 0.1 eps) - x||^2, eps ~ N(0, I) drawn per example.

Fault injection, for the reliability tests (divergence on marked examples): with
objective.nonfinite_above = a > 0, a step whose global batch holds an example
with max_i |x_i| > a reports a NaN loss (objective.nonfinite_quantity='loss')
or NaN gradients (='grad', the loss stays finite), or a NaN that first appears in
the new state: the batch statistics (='model_state') or the optimizer's momentum
(='opt_state', with objective.momentum > 0); loss, gradients and parameters stay
finite on that step.
"""

import math

import jax
import jax.numpy as jnp
import optax

from gen_jax.nets.mlp import MLP
from gen_jax.train import parallel
from gen_jax.train.family import Trainer
from gen_jax.train.registry import register_model
from gen_jax.train.state import create_state


@register_model("engine_test")
def build(config, spec):
  features = math.prod(spec.example_shape)  # points: 2; images: H W C, flattened
  net = MLP(hidden=(8,), out=features, batch_norm=True, axis_name=parallel.AXIS)
  # SGD, not Adam: the bias before BatchNorm has an exactly-zero gradient, whose round-off noise
  # Adam would normalize into full-size steps that differ between device counts.
  tx = optax.sgd(config.optim.learning_rate, momentum=config.objective.get("momentum", 0.0) or None)
  scale = config.objective.get("loss_scale", 1.0)
  nonfinite_above = config.objective.get("nonfinite_above", 0.0)
  nonfinite_quantity = config.objective.get("nonfinite_quantity", "loss")
  quantities = ("loss", "grad", "model_state", "opt_state")
  if nonfinite_quantity not in quantities:
    raise ValueError(f"objective.nonfinite_quantity: expected one of {list(quantities)}, "
                     f"got {nonfinite_quantity!r}")

  def init(key):
    variables = net.init(key, jnp.zeros((2, features)), train=False)
    params = {"net": variables["params"]}
    return create_state(params, {"net": tx.init(params["net"])}, {"net": variables["batch_stats"]}, key)

  def update(state, batch, key):
    x = batch["x"].reshape(batch["x"].shape[0], features)  # [b, D]
    noise = parallel.example_normal(key, x.shape[0], x.shape[1:])

    def loss_fn(p):
      y, new_vars = net.apply({"params": p, "batch_stats": state.model_state["net"]}, x + 0.1 * noise,
                              train=True, mutable=["batch_stats"])
      return scale * parallel.global_mean(jnp.sum((y - x) ** 2, -1)), new_vars["batch_stats"]

    (loss, stats), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.params["net"])
    poison = lambda tree: tree
    if nonfinite_above > 0:
      marked = jax.lax.pmax(jnp.max(jnp.abs(x)), parallel.AXIS) > nonfinite_above
      poison = lambda tree: jax.tree.map(lambda v: jnp.where(marked, jnp.nan, v), tree)
    if nonfinite_quantity == "loss":
      loss = poison(loss)
    elif nonfinite_quantity == "grad":
      grads = poison(grads)
    elif nonfinite_quantity == "model_state":
      stats = poison(stats)
    updates, opt = tx.update(grads, state.opt_state["net"], state.params["net"])
    if nonfinite_quantity == "opt_state":
      opt = poison(opt)
    new_state = state.replace(params={"net": optax.apply_updates(state.params["net"], updates)},
                              opt_state={"net": opt}, model_state={"net": stats})
    return new_state, {"loss": loss, "grad_norm/net": optax.global_norm(grads)}

  def apply(state, x):
    out = net.apply({"params": state.params["net"], "batch_stats": state.model_state["net"]},
                    x.reshape(x.shape[0], features), train=False)
    return out.reshape(x.shape)

  def sample(state, key, n):
    return apply(state, jax.random.normal(key, (n,) + spec.example_shape))

  def save_pictures(state, key, directory, step, data):
    del state, key, directory, step, data
    return []

  def evaluate(state, data, key):
    del key
    x = data.test["x"][:256]
    return {"test_loss": float(jnp.mean(jnp.sum((apply(state, x) - x) ** 2, -1)))}

  return Trainer(init=init, update=update, sample=sample, save_pictures=save_pictures, evaluate=evaluate)
