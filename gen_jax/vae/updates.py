"""The VAE family's per-shard update: one loss, every network stepped by its own optimizer.

A loss function `loss_fn(params, model_state, batch, key) -> (loss, (metrics, model_state))`
returns the global-batch mean loss (built with `parallel.global_mean`) and
global-mean metrics; the update differentiates it with respect to all networks
of `params` ({'encoder': ..., 'decoder': ...}) and applies each network's optax
optimizer. Gradients of the replicated parameters come out of shard_map already
reduced over the devices (see gen_jax.train.parallel), so no pmean follows, except
for a family that runs without shard_map's varying-axes check (`Trainer.check_vma`
False): `mean_gradients=True` then pmeans them over `parallel.AXIS`.
"""

from typing import Callable

import jax

from gen_jax.train import parallel
from gen_jax.train.net_state import apply_gradients, grad_norms
from gen_jax.train.state import TrainState


def make_update(loss_fn: Callable, optimizers: dict, mean_gradients: bool = False) -> Callable:
  """update(state, batch, key) -> (state, metrics) minimizing `loss_fn` over every network
  (pmean'ing the gradients over the data axis when `mean_gradients`, see the module doc)."""

  def update(state: TrainState, batch: dict, key: jax.Array):
    def objective(params):
      return loss_fn(params, state.model_state, batch, key)

    (loss, (metrics, model_state)), grads = jax.value_and_grad(objective, has_aux=True)(state.params)
    if mean_gradients:
      grads = jax.lax.pmean(grads, parallel.AXIS)
    params, opt_state = apply_gradients(optimizers, state.params, state.opt_state, grads, grads.keys())
    metrics = {"loss": loss, **metrics, **grad_norms(grads)}
    return state.replace(params=params, opt_state=opt_state, model_state=model_state), metrics

  return update
