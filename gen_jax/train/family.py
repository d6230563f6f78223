"""The contract between a model family (GAN, VAE, ...) and the training engine.

A family registers a builder under a name (`config.model.name`)::

    @register_model("vae")
    def build_vae(config, spec) -> Trainer: ...

`spec` is the data's `DataSpec` (gen_jax.data): example shape, number of classes,
value range and, for 2-D mixtures, mode centres. The builder returns a `Trainer`,
whose functions are pure:

* ``init(key) -> TrainState``: host-side, unsharded; build params, optimizer
  states (`optax`), model state. Use `gen_jax.train.state.create_state`.
* ``update(state, batch, key) -> (state, metrics)``: ONE training step on ONE
  device's shard, run by the engine inside `jax.shard_map` over mesh axis
  `gen_jax.train.parallel.AXIS` ('data'), jitted once with the state donated.
  `batch` is a dict of local arrays ('x': [b, ...] float32, 'y': [b] int32) with
  b = global_batch * batches_per_step / num_devices. `key` is the step key
  fold_in(state.key, step), identical on all devices: draw per-example noise with
  `parallel.example_keys(key, b)` (keys depend on the global example index, so
  results do not depend on the device count) or per-device noise with
  `parallel.device_key(key)`. Losses must be global-batch means: wrap the local
  mean in `parallel.global_mean` INSIDE the differentiated function; the
  gradients then equal one device's on the global batch (no further pmean:
  inside shard_map the gradient of replicated parameters already comes out
  summed over the data axis). BatchNorm modules used in `update` take
  `axis_name=parallel.AXIS` so statistics are over the global batch; the
  instances used for sampling (outside the mesh) take `axis_name=None`. Returned
  metrics are scalars that are identical on all devices (pmean'd); include every
  loss and each network's gradient norm (`optax.global_norm`) named
  `grad_norm/<net>`. The engine checks them for non-finite values, increments
  `state.step` and maintains `state.ema_params`: the family must NOT touch them.
  With train.num_seeds > 1 the engine vmaps `update` over a leading seed axis
  (gen_jax.train.seeds): keep it a pure traced function (no host callbacks or
  Python branches on array values); `state.step` stays a shared scalar.
* ``sample(state, key, n) -> array``: n generated examples (plain jit, no mesh);
  use `state.ema_params` when non-empty.
* ``save_pictures(state, key, directory, step, data) -> list[str]``: write PNGs
  (2-D scatter with mode centres, or sample grids) and return their paths.
  `data` is the training `Dataset`.
* ``evaluate(state, data, key) -> dict[str, float]``: the family's metrics for
  `scripts/evaluate.py` (mode-collapse benchmark, held-out NLL, ...).
* ``sample_labelled(state, key, labels) -> array`` (conditional models only,
  else None): one example per label [n], e.g. the conditional GAN; evaluation
  then scores whether each sample shows its label (`label_accuracy`).
* ``batches_per_step``: how many global batches one update consumes (e.g.
  n_critic critic updates on fresh batches); the engine feeds
  batch_size * batches_per_step examples per step.
* ``check_vma``: False runs the update under shard_map's `check_vma=False`, for
  a family whose update holds a loop that the varying-axes check rejects
  (diffrax allocates its loop buffers as device-invariant zeros, so an ODE solve
  of sharded data fails it). shard_map then does not reduce the gradients of
  replicated parameters: such an update must `pmean` them over
  `parallel.AXIS` itself (`gen_jax.vae.updates.make_update(...,
  mean_gradients=True)`), and still returns identical metrics on all devices.
"""

import dataclasses
from typing import Any, Callable

Batch = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Trainer:
  """A model family's pure functions, as the engine consumes them (see module doc)."""

  init: Callable[..., Any]
  update: Callable[..., tuple[Any, dict]]
  sample: Callable[..., Any]
  save_pictures: Callable[..., list]
  evaluate: Callable[..., dict]
  batches_per_step: int = 1
  sample_labelled: Callable[..., Any] | None = None
  check_vma: bool = True
