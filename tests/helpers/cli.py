"""Running the repository's scripts as a user does, in a subprocess from the repository root."""

import functools
import importlib.util
import os
import subprocess
import sys

from gen_jax.train.host_devices import with_host_devices  # imports no jax

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# LLVM at optimization level 0, its expensive passes off: for a subprocess that only compiles tiny programs
# and runs them a step or two. The families' device comparisons took half the time with the same losses; code
# that computes for real (e.g. training the digits classifier) ran 15x slower, so nothing else uses them.
FAST_COMPILE_FLAGS = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"


def fake_devices_env(devices: int, fast_compile: bool = False, **extra: str) -> dict:
  """This process's environment with `devices` fake CPU devices (`with_host_devices`: a device count the
  environment already sets wins), JAX_PLATFORMS=cpu, FAST_COMPILE_FLAGS if `fast_compile`, and the `extra`
  variables."""
  env = with_host_devices(devices)
  if fast_compile:
    env["XLA_FLAGS"] += f" {FAST_COMPILE_FLAGS}"
  return {**env, "JAX_PLATFORMS": "cpu", **extra}


def run_cli(*args, script="train.py", env=None):
  """`python scripts/<script> *args` from the repository root; the CompletedProcess (text output)."""
  return subprocess.run([sys.executable, os.path.join(REPO, "scripts", script), *args],
                        capture_output=True, text=True, timeout=300, cwd=REPO, env=env)


def assert_one_line_field_error(workdir, config_file: str, flag: str, message: str) -> None:
  """`scripts/train.py --config=configs/<config_file> --workdir=<workdir> <flag>` exits with code 2, prints
  exactly 'error: <message>' and creates no workdir."""
  result = run_cli(f"--config={REPO}/configs/{config_file}", f"--workdir={workdir}", flag)
  assert result.returncode == 2, result.stderr
  assert result.stderr.strip().splitlines() == [f"error: {message}"], result.stderr
  assert not os.path.exists(workdir)


@functools.cache
def load_script(name: str):
  """scripts/<name>.py imported once as a module (its functions, without running its main)."""
  spec = importlib.util.spec_from_file_location(f"gen_jax_script_{name}", os.path.join(REPO, "scripts", f"{name}.py"))
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module
