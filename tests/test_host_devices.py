"""gen_jax.train.host_devices: the environment of a process with N fake CPU devices."""

import doctest
import os
import subprocess
import sys

import pytest

from gen_jax.train import host_devices
from gen_jax.train.host_devices import DEVICE_COUNT_FLAG, with_host_devices


def test_examples_run():
  result = doctest.testmod(host_devices)
  assert result.attempted > 0 and result.failed == 0


def test_adds_the_count_after_the_users_flags_and_leaves_the_input_alone():
  environ = {"XLA_FLAGS": "--xla_dump_to=/tmp/x", "HOME": "/home/u"}
  env = with_host_devices(3, environ)
  assert env == {"XLA_FLAGS": f"--xla_dump_to=/tmp/x {DEVICE_COUNT_FLAG}=3", "HOME": "/home/u"}
  assert environ == {"XLA_FLAGS": "--xla_dump_to=/tmp/x", "HOME": "/home/u"}
  assert with_host_devices(2, {})["XLA_FLAGS"] == f"{DEVICE_COUNT_FLAG}=2"


def test_a_count_already_set_wins():
  assert with_host_devices(4, {"XLA_FLAGS": f"{DEVICE_COUNT_FLAG}=8"})["XLA_FLAGS"] == f"{DEVICE_COUNT_FLAG}=8"


def test_defaults_to_this_processes_environment(monkeypatch):
  monkeypatch.setenv("GEN_JAX_HOST_DEVICES_PROBE", "1")
  monkeypatch.delenv("XLA_FLAGS", raising=False)
  env = with_host_devices(2)
  assert env["GEN_JAX_HOST_DEVICES_PROBE"] == "1" and env["XLA_FLAGS"] == f"{DEVICE_COUNT_FLAG}=2"


@pytest.mark.parametrize("devices", [0, -1, 1.5, True, "4", None])
def test_rejects_a_bad_device_count(devices):
  with pytest.raises(ValueError, match=r"devices: expected an integer >= 1, got "):
    with_host_devices(devices, {})


def test_a_new_process_sees_the_devices():
  env = {**with_host_devices(3, {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}), "JAX_PLATFORMS": "cpu"}
  out = subprocess.run([sys.executable, "-c", "import jax; print(jax.device_count())"], env=env, capture_output=True,
                       text=True, check=True, timeout=120)
  assert out.stdout.strip() == "3"
