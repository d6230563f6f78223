"""A tiny model family for engine tests: a denoising MLP with BatchNorm and per-example noise.

loss = global mean of ||f(x + 0.1 eps) - x||^2, eps ~ N(0, I) drawn per example.
Importing this module registers it as model 'engine_test'.

Divergence on marked examples, for the reliability tests: with
objective.nonfinite_above = a > 0, a step whose global batch holds an example
with max_i |x_i| > a reports a NaN loss (objective.nonfinite_quantity='loss')
or NaN gradients (='grad', the loss stays finite).
"""

import math

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

from configs import default
from gen_jax.nets.mlp import MLP
from gen_jax.train import parallel
from gen_jax.train.family import Trainer
from gen_jax.train.registry import register_model
from gen_jax.train.state import create_state


def tiny_config(**train):
  c = default.get_config()
  c.model.name = "engine_test"
  c.data.name = "ring8"
  c.data.num_examples = 512
  c.data.batch_size = 16
  c.train.num_steps = 6
  c.train.log_every = 2
  c.train.checkpoint_every = 3
  c.train.eval_every = 3
  c.train.progress = False
  c.optim.learning_rate = 0.1
  for k, v in train.items():
    c.train[k] = v
  return c


@register_model("engine_test")
def build(config, spec):
  features = math.prod(spec.example_shape)  # points: 2; images: H W C, flattened
  net = MLP(hidden=(8,), out=features, batch_norm=True, axis_name=parallel.AXIS)
  # SGD, not Adam: the bias before BatchNorm has an exactly-zero gradient, whose round-off noise
  # Adam would normalize into full-size steps that differ between device counts.
  tx = optax.sgd(config.optim.learning_rate)
  scale = config.objective.get("loss_scale", 1.0)
  nonfinite_above = config.objective.get("nonfinite_above", 0.0)
  nonfinite_quantity = config.objective.get("nonfinite_quantity", "loss")
  if nonfinite_quantity not in ("loss", "grad"):
    raise ValueError(f"objective.nonfinite_quantity: unknown {nonfinite_quantity!r}; expected one of "
                     "['loss', 'grad']")

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
    if nonfinite_above > 0:
      marked = jax.lax.pmax(jnp.max(jnp.abs(x)), parallel.AXIS) > nonfinite_above
      if nonfinite_quantity == "loss":
        loss = jnp.where(marked, jnp.nan, loss)
      else:
        grads = jax.tree.map(lambda g: jnp.where(marked, jnp.nan, g), grads)
    updates, opt = tx.update(grads, state.opt_state["net"], state.params["net"])
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
