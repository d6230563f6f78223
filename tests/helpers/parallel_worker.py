"""Subprocess body for multi-device and multi-process engine tests (XLA_FLAGS set by the caller).

  python -m tests.helpers.parallel_worker devices OUT.npz WORKDIR [FOLDER]          # 1 vs 4 fake devices, one process
  python -m tests.helpers.parallel_worker process OUT.npz WORKDIR ID PORT [FOLDER]  # one of two processes, 2 fake devices each

With FOLDER the data is that folder of images (data.name='folder:FOLDER',
streamed), and each process also writes OUT.ID.npz: its slices of the first
global batches ('x' [3, b_local, ...] uint8).
"""

import sys

import jax
import numpy as np

from configs import engine_test
from gen_jax import data as gdata
from gen_jax.train import loop


def flat_params(state):
  return {str(i): np.asarray(x) for i, x in enumerate(jax.tree.leaves(jax.device_get(state.params)))}


def tiny_config(folder="", **train):
  config = engine_test.tiny_config(**train)
  if folder:
    config.data.name = f"folder:{folder}"
    config.data.num_workers = 1
  return config


def devices(out, workdir, folder=""):
  results = {}
  for n in (1, 4):
    config = tiny_config(folder, num_devices=n, num_steps=3)
    results.update({f"d{n}_{k}": v for k, v in flat_params(loop.train_and_evaluate(config, f"{workdir}/{n}")).items()})
  try:
    config = engine_test.tiny_config(num_devices=4)
    config.data.batch_size = 18
    loop.build(config)
    results["indivisible_error"] = np.array("none")
  except ValueError as e:
    results["indivisible_error"] = np.array(str(e))
  np.savez(out, **results)


def process(out, workdir, process_id, port, folder=""):
  config = tiny_config(folder, num_steps=3, distributed=True, coordinator_address=f"127.0.0.1:{port}",
                       num_processes=2, process_id=int(process_id))
  state = loop.train_and_evaluate(config, workdir)
  if folder:
    stream = gdata.batch_stream(gdata.load(config.data), config.data.batch_size, config.seed, config.data,
                                process_index=jax.process_index(), process_count=jax.process_count())
    np.savez(f"{out}.{process_id}.npz", x=stream.local_batches(0, 3)["x"])
    stream.close()
  if jax.process_index() == 0:
    np.savez(out, device_count=jax.device_count(), **flat_params(state))


if __name__ == "__main__":
  {"devices": devices, "process": process}[sys.argv[1]](*sys.argv[2:])
