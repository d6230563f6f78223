"""Throughput of one full training step of the real gen_jax models, with XLA's FLOP count and the MFU.

Each workload is a registered model built through the model registry from a
config (the family's base config with the benchmark's shapes), stepped by the
engine's `make_train_step` (shard_map + lax.scan over `steps_per_jit` steps,
state donated), exactly as `scripts/train.py` runs it, minus data loading:
the k batches of one call are placed on the mesh once and reused.

* `vae_mlp`: Bernoulli VAE 784-400-20 (ReLU), batch 128, Adam 1e-3, one
  reparameterized sample, analytic KL; statically binarized digits at 28x28.
* `gan2d_mlp`: generator 2->400x4->2 (ReLU, no batch norm), discriminator
  2->200x3->1 (LeakyReLU 0.2, model.discriminator_act), batch 512,
  non-saturating loss, Adam 2e-4 (b1 0.5), one D then one G update, on ring8.
* `dcgan32`: the GAN family's DCGAN networks (gen_jax.nets.dcgan) for 32x32x1
  digits in [-1, 1], z of 100, 64 base features: G dense to 256x4x4, 4x4
  stride-2 transposed convs to 128x8x8, 64x16x16 (BatchNorm + ReLU) and
  1x32x32, tanh; D 4x4 stride-2 convs to 64, 128, 256 (LeakyReLU 0.2,
  BatchNorm after the second and third, model.discriminator_batch_norm) and a
  dense logit on the 4x4x256 features (= a 4x4 conv to one logit); batch 64,
  same loss and Adam. D scores concat([real, fake]) in one call, so its batch
  statistics are those of the mixed batch.

Record fields: workload, batch (global), steps (timed per window), seconds
(median window), steps_per_sec, flops_per_step (XLA cost analysis of the
compiled one-step program, all devices), achieved_flops = flops_per_step * steps_per_sec,
peak_flops (float32 matmul rate measured in the same process), mfu =
achieved_flops / peak_flops; plus compute_dtype, steps_per_jit, devices, backend.
"""

import math
from typing import Callable

import jax
import ml_collections
import numpy as np

from gen_jax.checks import check_positive_int
from gen_jax.bench import profile, register_workload, timing
from gen_jax import data as gdata
from gen_jax.train import loop, parallel
from gen_jax.train import state as state_lib
from gen_jax.train.train_step import make_train_step

DEFAULT_STEPS_PER_JIT = 1  # k = 1: no loop around the step (see gen_jax.train.train_step.make_train_step)
DEFAULT_REPEATS = 5


def vae_mlp_config() -> ml_collections.ConfigDict:
  """configs/vae_base.py with the 784-400-20 Bernoulli VAE on 28x28 binarized digits, batch 128."""
  from configs import vae_base  # pylint: disable=import-outside-toplevel  (repository configs)

  c = vae_base.get_config()
  c.data.name, c.data.image_size, c.data.scale, c.data.binarize = "digits", 28, "0_1", "static"
  c.data.batch_size = 128
  c.model.name, c.model.arch, c.model.act = "vae", "mlp", "relu"
  c.model.latent_dims, c.model.hidden = (20,), ((400,),)
  c.objective.likelihood, c.objective.estimator, c.objective.kl = "bernoulli", "elbo", "analytic"
  c.objective.num_samples, c.objective.beta = 1, 1.0
  c.optim.learning_rate, c.optim.b1, c.optim.b2 = 1e-3, 0.9, 0.999
  return c


def _gan_config(data_name: str, batch_size: int) -> ml_collections.ConfigDict:
  """configs/gan_base.py with the non-saturating loss, Adam 2e-4 (b1 0.5) for both nets, n_critic 1."""
  from configs import gan_base  # pylint: disable=import-outside-toplevel  (repository configs)

  c = gan_base.get_config()
  c.model.name = "gan"
  c.data.name, c.data.batch_size, c.data.fresh_samples = data_name, batch_size, False
  c.objective.loss, c.objective.n_critic, c.objective.pack = "non_saturating", 1, 1
  c.optim.learning_rate, c.optim.discriminator_learning_rate, c.optim.b1, c.optim.b2 = 2e-4, 0.0, 0.5, 0.999
  return c


def gan2d_mlp_config() -> ml_collections.ConfigDict:
  """The 2-D GAN: G 2->400x4->2 ReLU without batch norm, D 2->200x3->1 LeakyReLU 0.2, batch 512."""
  c = _gan_config("ring8", 512)
  c.model.latent_dim = 2
  c.model.generator_hidden, c.model.generator_batch_norm = (400, 400, 400, 400), False
  c.model.discriminator_hidden, c.model.discriminator_act = (200, 200, 200), "leaky_relu"
  return c


def dcgan32_config() -> ml_collections.ConfigDict:
  """DCGAN on 32x32x1 digits in [-1, 1]: z of 100, 64 base features (G 256-128-64-1, D 64-128-256 with
  BatchNorm after its second and third convolutions), batch 64."""
  c = _gan_config("digits", 64)
  c.data.image_size, c.data.scale, c.data.binarize = 32, "-1_1", "none"
  c.model.latent_dim, c.model.features, c.model.discriminator_batch_norm = 100, 64, True
  return c


TRAINING_CONFIGS: dict[str, Callable[[], ml_collections.ConfigDict]] = {
    "vae_mlp": vae_mlp_config,
    "gan2d_mlp": gan2d_mlp_config,
    "dcgan32": dcgan32_config,
}


def workload_config(name: str, compute_dtype: str = "float32", steps_per_jit: int = DEFAULT_STEPS_PER_JIT,
                    devices: int | None = None, batch_size: int | None = None) -> ml_collections.ConfigDict:
  """The config of training workload `name` with the run options set (train.*, and data.batch_size if given)."""
  if name not in TRAINING_CONFIGS:
    raise ValueError(f"workload: expected one of {sorted(TRAINING_CONFIGS)}, got {name!r}")
  c = TRAINING_CONFIGS[name]()
  c.train.compute_dtype = compute_dtype
  c.train.steps_per_jit = check_positive_int(steps_per_jit, "steps_per_jit")
  c.train.num_devices = devices or 0
  c.train.ema_decay = 0.0
  if batch_size is not None:
    c.data.batch_size = check_positive_int(batch_size, "batch_size")
  return c


class PreparedStep:
  """A compiled engine step of one config with its state and k device-resident batches.

  Attributes:
    train_step: the engine's jitted `(state, batches, active) -> (state, metrics)`.
    state: the replicated TrainState (donated by each call: use `advance`).
    batches, active: the k = train.steps_per_jit global batches on the mesh, all active.
    global_batch: examples per update (data.batch_size * batches_per_step).
    stream: the run's batch stream (`gen_jax.data.batch_stream`).
    mesh: the device mesh.
  """

  def __init__(self, config: ml_collections.ConfigDict):
    mesh, dataset, trainer = loop.build(config)
    k = config.train.steps_per_jit
    self.mesh = mesh
    self.global_batch = config.data.batch_size * trainer.batches_per_step
    self.stream = gdata.batch_stream(dataset, self.global_batch, config.seed, config.data)
    self.train_step = make_train_step(trainer, mesh, config.train.ema_decay, self.stream.to_model_range)
    self.state = parallel.put_replicated(state_lib.initial_state(trainer, config), mesh)
    self._host_batches = self.stream.local_batches(0, k)                     # [k, B, ...]
    self.stream.close()
    self.batches = parallel.put_batch(self._host_batches, mesh, leading_axes=1)
    self.active = parallel.put_replicated(np.ones(k, bool), mesh)
    self.steps_per_call = k

  def advance(self, state, calls: int):
    """`calls` consecutive compiled calls (k steps each) from `state`; no host synchronization."""
    for _ in range(calls):
      state, _ = self.train_step(state, self.batches, self.active)
    return state

  def flops_per_step(self) -> float:
    """XLA's FLOP count of ONE step (the first batch, k = 1) over all devices: the cost analysis of the
    SPMD program counts one device's share, times the mesh size."""
    first = parallel.put_batch(jax.tree.map(lambda x: x[:1], self._host_batches), self.mesh, leading_axes=1)
    active = parallel.put_replicated(np.ones(1, bool), self.mesh)
    return timing.compiled_flops(self.train_step, self.state, first, active) * self.mesh.size


def measure_config(name: str, config: ml_collections.ConfigDict, steps: int, repeats: int = DEFAULT_REPEATS,
                   profile_top: int = 0) -> list[dict]:
  """The record (see module doc) for the run `config` describes: median over `repeats` windows of
  ceil(steps / k) compiled calls of k = train.steps_per_jit steps each. With `profile_top` > 0, then
  the op-time profile of one more window (gen_jax.bench.profile: categories and the top ops)."""
  check_positive_int(steps, "steps")
  prepared = PreparedStep(config)
  flops = prepared.flops_per_step()
  k = config.train.steps_per_jit
  calls = math.ceil(steps / k)
  seconds, prepared.state = timing.time_carried(lambda s: prepared.advance(s, calls), prepared.state,
                                                repeats=repeats)
  peak = timing.matmul_flops_per_sec()
  records = [timing.throughput_record(name, prepared.global_batch, calls * k, seconds, flops, peak,
                                      compute_dtype=config.train.compute_dtype, steps_per_jit=k,
                                      devices=prepared.mesh.size, backend=jax.default_backend())]
  if profile_top > 0:

    def window():
      prepared.state = jax.block_until_ready(prepared.advance(prepared.state, calls))

    records += profile.profile_records(name, profile.profile_ops(window, calls * k), profile_top)
  return records


def measure_training(name: str, steps: int, devices: int | None, *, compute_dtype: str = "float32",
                     steps_per_jit: int = DEFAULT_STEPS_PER_JIT, repeats: int = DEFAULT_REPEATS,
                     batch_size: int | None = None, profile_top: int = 0) -> list[dict]:
  """The records of training workload `name` (see module doc, `workload_config` and `measure_config`)."""
  config = workload_config(name, compute_dtype, steps_per_jit, devices, batch_size)
  return measure_config(name, config, steps, repeats, profile_top)


def _training_workload(name: str):
  def workload(steps: int, devices: int | None, **options):
    yield from measure_training(name, steps, devices, **options)

  workload.__doc__ = f"Training-step throughput of {name!r} (see gen_jax.bench.training)."
  return workload


for _name in TRAINING_CONFIGS:
  register_workload(_name)(_training_workload(_name))
