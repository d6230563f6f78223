"""Running the repository's scripts as a user does, in a subprocess from the repository root."""

import functools
import importlib.util
import os
import subprocess
import sys

from gen_jax.train.host_devices import with_host_devices  # imports no jax

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# LLVM at optimization level 0, its expensive passes off: for tests, which compile tiny programs and run them a
# step or two. tests/conftest.py sets them for the whole run; code that computes for real (training the digits
# classifier: 15x slower at level 0) runs in a subprocess without them (`run_at_full_optimization`).
FAST_COMPILE_FLAGS = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"
# XLA's defaults, for one jitted function that computes for real in a test: jax.jit(f, compiler_options=...).
FULL_OPTIMIZATION = {"xla_backend_optimization_level": 3, "xla_llvm_disable_expensive_passes": False}


def fake_devices_env(devices: int, fast_compile: bool = False, **extra: str) -> dict:
  """This process's environment with `devices` fake CPU devices (`with_host_devices`: a device count the
  environment already sets wins), JAX_PLATFORMS=cpu, FAST_COMPILE_FLAGS if `fast_compile`, and the `extra`
  variables."""
  env = with_host_devices(devices)
  if fast_compile and FAST_COMPILE_FLAGS not in env["XLA_FLAGS"]:
    env["XLA_FLAGS"] += f" {FAST_COMPILE_FLAGS}"
  return {**env, "JAX_PLATFORMS": "cpu", **extra}


def run_at_full_optimization(code: str, timeout: int = 900) -> None:
  """`python -c code` from the repository root with this process's XLA_FLAGS minus FAST_COMPILE_FLAGS: for
  computation that is slow at optimization level 0 (e.g. training a feature classifier into a cache that the
  test then loads). Fails the test with the end of its stderr unless it exits 0."""
  flags = " ".join(os.environ.get("XLA_FLAGS", "").replace(FAST_COMPILE_FLAGS, "").split())
  result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, cwd=REPO,
                          env={**os.environ, "XLA_FLAGS": flags})
  assert result.returncode == 0, result.stderr[-3000:]


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
