"""Data parallelism over a device mesh with `jax.shard_map`.

One mesh axis, `AXIS = 'data'`, spans every device of every process. Parameters
are replicated; batches are split along their example axis. A per-shard update
computes its losses as global-batch means with `global_mean` inside the
differentiated function, so (with shard_map's default `check_vma=True`) the
gradients of the replicated parameters come out already reduced: equal to the
gradients of one device on the whole global batch. No extra `pmean` of the
gradients is taken; that would be wrong by a factor of the device count.
"""

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import NamedSharding, PartitionSpec as P

AXIS = "data"


def make_mesh(num_devices: int | None = None) -> jax.sharding.Mesh:
  """A 1-D mesh over the first `num_devices` devices (default: all, all processes)."""
  available = jax.device_count()
  n = available if num_devices is None else num_devices
  if not 1 <= n <= available:
    raise ValueError(f"num_devices: expected 1..{available}, got {n}")
  if n == available:
    return jax.make_mesh((n,), (AXIS,))
  return jax.sharding.Mesh(np.array(jax.devices()[:n]), (AXIS,))


def check_divisible(global_batch: int, mesh: jax.sharding.Mesh, field: str = "data.batch_size"):
  """ValueError naming `field` unless the global batch splits evenly over the mesh and processes."""
  n = mesh.size
  if global_batch % n:
    raise ValueError(f"{field}: {global_batch} is not divisible by the device count {n}")
  if global_batch % jax.process_count():
    raise ValueError(f"{field}: {global_batch} is not divisible by the process count {jax.process_count()}")


def replicated(mesh) -> NamedSharding:
  return NamedSharding(mesh, P())


def batch_sharding(mesh, leading_axes: int = 0) -> NamedSharding:
  """Sharding for arrays whose example axis comes after `leading_axes` unsplit axes."""
  return NamedSharding(mesh, P(*([None] * leading_axes), AXIS))


def put_replicated(tree, mesh):
  """Place a host pytree on every device of the mesh (all processes pass the same values)."""
  sharding = replicated(mesh)
  return jax.tree.map(lambda x: jax.make_array_from_process_local_data(sharding, np.asarray(x)), tree)


def put_batch(local_batch, mesh, leading_axes: int = 0):
  """Assemble each process's slice of the batch into one global array on the mesh.

  `local_batch` leaves have shape [*lead, b_local, ...]; the global example axis
  is process-major: process p holds examples [p * b_local, (p + 1) * b_local).
  """
  sharding = batch_sharding(mesh, leading_axes)

  def put(x):
    x = np.asarray(x)
    global_shape = list(x.shape)
    global_shape[leading_axes] *= jax.process_count()
    return jax.make_array_from_process_local_data(sharding, x, tuple(global_shape))

  return jax.tree.map(put, local_batch)


def _typed_as_varying(x: jax.Array) -> bool:
  """Whether shard_map's varying-axes check tracks `x` as varying over `AXIS` (True when this JAX does not say)."""
  manual = getattr(jax.typeof(x), "manual_axis_type", None)
  varying = getattr(manual, "varying", None)
  return varying is None or AXIS in varying


def global_mean(x: jax.Array) -> jax.Array:
  """Mean of `x` over the global batch: mean of the local shard, then pmean over `AXIS`.

  Valid because every device holds the same number of examples. Call it inside
  the function being differentiated. On a one-device mesh whose shard_map does not
  check varying axes (the engine's, `gen_jax.train.train_step`) the local mean is
  already the global one and no all-reduce is emitted (XLA's CPU backend keeps a
  one-device all-reduce: 3-4 % of `vae_mlp`'s step).
  """
  mean = jnp.mean(x)
  if jax.lax.axis_size(AXIS) == 1 and not _typed_as_varying(mean):
    return mean
  return jax.lax.pmean(mean, AXIS)


def global_batch(local: jax.Array) -> jax.Array:
  """[b, ...] per device -> [B, ...], the global batch in device order, the same on every device.

  A psum of each device's rows placed in a zero global batch: an all-gather whose result is
  device-invariant (as replicated state must stay under shard_map's varying-axes check).
  """
  b = local.shape[0]
  placed = jax.lax.dynamic_update_slice_in_dim(
      jnp.zeros((b * jax.lax.axis_size(AXIS),) + local.shape[1:], local.dtype), local,
      jax.lax.axis_index(AXIS) * b, 0)
  return jax.lax.psum(placed, AXIS)


def device_key(key: jax.Array) -> jax.Array:
  """fold_in(key, axis_index): a key no other device shares."""
  return jax.random.fold_in(key, jax.lax.axis_index(AXIS))


def example_keys(key: jax.Array, local_batch: int) -> jax.Array:
  """One key per local example, folded from its GLOBAL index.

  key_i = fold_in(key, axis_index * local_batch + i). Noise drawn from these keys
  is the same for an example whatever the device count, which makes a run on N
  devices reproduce a run on 1 device; no two devices or examples share a key.
  """
  offset = jax.lax.axis_index(AXIS) * local_batch
  return jax.vmap(lambda i: jax.random.fold_in(key, i))(offset + jnp.arange(local_batch))


def example_normal(key: jax.Array, local_batch: int, shape, dtype=jnp.float32) -> jax.Array:
  """Standard normal noise [local_batch, *shape] drawn from `example_keys`."""
  keys = example_keys(key, local_batch)
  return jax.vmap(lambda k: jax.random.normal(k, tuple(shape), dtype))(keys)
