"""Seed batching: `train.num_seeds = N` trains seeds seed .. seed + N - 1 of one config in one program.

The batched state is a `TrainState` whose parameters, optimizer state, model
state, EMA and key carry a leading seed axis [N, ...], while `step` and
`data_offset` stay scalars (all seeds take the same steps; a rollback rolls back
every seed). Seed k starts from exactly the state a plain run with seed + k
starts from (`state.initial_seed_state`), draws its step keys from its own key,
and trains on the batches of a plain run with seed + k: one data stream per seed,
stacked along axis 1 of each chunk ([k_steps, N, b, ...]). So seed k of a batched
run follows the plain run with seed + k; only XLA's batched kernels may round
differently (see tests/test_seed_batching.py for the tolerance measured).
What differs from N plain runs: one checkpoint holds all seeds, metrics.jsonl
holds one record per seed per log step (its `seed` field), pictures go to
DIR/samples/seed_<s>/, and a non-finite update in any seed stops (or rolls back)
all of them.
"""

import jax
import numpy as np

from gen_jax import data as gdata
from gen_jax.train.state import TrainState

# vmap axes of a batched TrainState: the seed axis on the per-seed parts, none on the shared counters.
SEED_AXES = TrainState(step=None, params=0, opt_state=0, model_state=0, ema_params=0, key=0, data_offset=None)


def seeds_of(config) -> list[int]:
  """The seeds a run trains: [seed, ..., seed + train.num_seeds - 1] (a config saved before the field: [seed])."""
  return [config.seed + k for k in range(int(config.train.get("num_seeds", 1)))]


def seed_state(state: TrainState, k: int) -> TrainState:
  """Seed k's plain state out of a batched state."""
  take = lambda x: x[k]
  return state.replace(params=jax.tree.map(take, state.params), opt_state=jax.tree.map(take, state.opt_state),
                       model_state=jax.tree.map(take, state.model_state),
                       ema_params=jax.tree.map(take, state.ema_params), key=state.key[k])


class SeedStreams:
  """The data streams of N seeds as one: chunk 'x' [count, N, b_local, ...], 'y' [count, N, b_local].

  Stream k is exactly the stream a plain run with seed + k reads (`gdata.batch_stream`).
  """

  def __init__(self, streams):
    self.streams = list(streams)
    self.to_model_range = self.streams[0].to_model_range

  def local_batches(self, start: int, count: int) -> dict[str, np.ndarray]:
    chunks = [stream.local_batches(start, count) for stream in self.streams]
    return {key: np.stack([c[key] for c in chunks], axis=1) for key in chunks[0]}

  def metrics(self) -> dict[str, float]:
    """The streams' counters, summed over seeds."""
    totals = {}
    for stream in self.streams:
      for name, value in stream.metrics().items():
        totals[name] = totals.get(name, 0.0) + value
    return totals

  def close(self):
    for stream in self.streams:
      stream.close()


def batch_stream(config, dataset, global_batch: int, process_index: int, process_count: int):
  """The run's stream: the plain `gdata.batch_stream` for one seed, else a `SeedStreams` of one per seed."""
  make = lambda seed: gdata.batch_stream(dataset, global_batch, seed, config.data, process_index=process_index,
                                         process_count=process_count)
  seeds = seeds_of(config)
  return make(seeds[0]) if len(seeds) == 1 else SeedStreams(make(seed) for seed in seeds)
