"""1 device vs 4 fake devices, and two processes on 127.0.0.1 vs one 4-device process."""

import socket
import subprocess
import sys

import numpy as np
import pytest

from configs import engine_test
from gen_jax import data as gdata
from tests.helpers.image_folders import write_folder

from tests.helpers.cli import REPO, fake_devices_env


def worker(*args, devices: int):
  return subprocess.Popen([sys.executable, "-m", "tests.helpers.parallel_worker", *args],
                          env=fake_devices_env(devices, fast_compile=True), cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)


def finish(proc, timeout=300):
  out, _ = proc.communicate(timeout=timeout)
  assert proc.returncode == 0, out[-3000:]


def params_of(npz, prefix=""):
  return [npz[k] for k in sorted((k for k in npz.files if k.startswith(prefix) and k[len(prefix):].isdigit()),
                                 key=lambda k: int(k[len(prefix):]))]


def test_one_device_equals_four_devices_on_the_same_global_batch(tmp_path):
  finish(worker("devices", str(tmp_path / "out.npz"), str(tmp_path), devices=4))
  result = np.load(tmp_path / "out.npz")
  one, four = params_of(result, "d1_"), params_of(result, "d4_")
  assert len(one) == len(four) > 0
  for a, b in zip(one, four):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
  assert "data.batch_size" in str(result["indivisible_error"]) and "4" in str(result["indivisible_error"])


def free_port() -> int:
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


@pytest.mark.parametrize("data", ["ring8", "folder"])
def test_two_processes_match_one_process_with_four_devices(tmp_path, data):
  """With a streamed folder, each process reads only its half of each global batch (checked against a
  one-process stream), the 1- and 4-device runs agree, and the two processes reproduce them."""
  folder = [write_folder(tmp_path / "images", count=40, size=(4, 4))] if data == "folder" else []
  port = str(free_port())
  procs = [worker("process", str(tmp_path / "multi.npz"), str(tmp_path / "multi"), str(i), port, *folder,
                  devices=2) for i in range(2)]
  single = worker("devices", str(tmp_path / "single.npz"), str(tmp_path / "single"), *folder, devices=4)
  for proc in procs + [single]:
    finish(proc)
  multi = np.load(tmp_path / "multi.npz")
  assert int(multi["device_count"]) == 4
  single_params = np.load(tmp_path / "single.npz")
  for a, b in zip(params_of(single_params, "d1_"), params_of(single_params, "d4_"), strict=True):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
  for a, b in zip(params_of(multi), params_of(single_params, "d4_"), strict=True):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
  if folder:
    config = engine_test.tiny_config()
    config.data.name, config.data.num_workers = f"folder:{folder[0]}", 0
    one_process = gdata.batch_stream(gdata.load(config.data), config.data.batch_size, config.seed, config.data)
    halves = [np.load(f"{tmp_path / 'multi.npz'}.{i}.npz")["x"] for i in range(2)]
    np.testing.assert_array_equal(np.concatenate(halves, axis=1), one_process.local_batches(0, 3)["x"])
