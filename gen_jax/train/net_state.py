"""Per-network parameters, optimizer states and gradients: the plumbing every model family shares.

A family's state holds one entry per network in `params`, `opt_state` and
`model_state` ({'generator': ..., 'discriminator': ...}, {'encoder': ..., 'decoder': ...});
each network is stepped by its own optax optimizer.
"""

from typing import Iterable

import jax
import optax

from gen_jax.train.state import TrainState, create_state


def apply_gradient(optimizer: optax.GradientTransformation, params, opt_state, grads):
  """(params', opt_state') after one optax step of one network."""
  updates, opt_state = optimizer.update(grads, opt_state, params)
  return optax.apply_updates(params, updates), opt_state


def apply_gradients(optimizers: dict, params: dict, opt_state: dict, grads: dict,
                    names: Iterable[str]) -> tuple[dict, dict]:
  """Step the networks `names` with their optimizers; the others keep their params and states."""
  params, opt_state = dict(params), dict(opt_state)
  for name in names:
    params[name], opt_state[name] = apply_gradient(optimizers[name], params[name], opt_state[name], grads[name])
  return params, opt_state


def net_tuple(state: TrainState, name: str) -> tuple:
  """(params, opt_state, model_state) of network `name`."""
  return state.params[name], state.opt_state[name], state.model_state[name]


def with_nets(state: TrainState, **nets: tuple) -> TrainState:
  """`state` with the (params, opt_state, model_state) of the named networks replaced."""
  return state.replace(
      params={**state.params, **{k: v[0] for k, v in nets.items()}},
      opt_state={**state.opt_state, **{k: v[1] for k, v in nets.items()}},
      model_state={**state.model_state, **{k: v[2] for k, v in nets.items()}})


def grad_norms(grads: dict) -> dict:
  """{'grad_norm/<net>': ||g_net||_2} for every network of `grads`."""
  return {f"grad_norm/{name}": optax.tree.norm(g) for name, g in grads.items()}


def make_state(key: jax.Array, params: dict, optimizers: dict, model_state: dict | None = None) -> TrainState:
  """A step-0 TrainState with one optimizer state per network of `params`."""
  opt_state = {name: optimizers[name].init(params[name]) for name in params}
  return create_state(params, opt_state, model_state, key)


def init_modules(modules: dict, example_inputs: dict, optimizers: dict, key: jax.Array) -> TrainState:
  """A step-0 TrainState for named Flax modules: module i is initialised with fold_in(key, i) on its
  example inputs; collections other than 'params' (batch statistics, spectral-norm vectors) become
  its model_state."""
  params, model_state = {}, {}
  for i, (name, module) in enumerate(modules.items()):
    variables = dict(module.init(jax.random.fold_in(key, i), *example_inputs[name], train=False))
    params[name] = variables.pop("params")
    model_state[name] = variables
  return make_state(key, params, optimizers, model_state)


def evaluation_params(state: TrainState) -> dict:
  """The EMA parameters when the engine keeps them (train.ema_decay > 0), else the trained ones."""
  return state.ema_params if state.ema_params else state.params
