"""Running the repository's scripts as a user does, in a subprocess from the repository root."""

import functools
import importlib.util
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fake_devices_env(devices: int, **extra: str) -> dict:
  """This process's environment with `devices` fake CPU devices added to its XLA_FLAGS (keeping the flags
  tests/conftest.py set) and JAX_PLATFORMS=cpu, plus `extra` variables."""
  flags = f"{os.environ.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count={devices}".strip()
  return {**os.environ, "XLA_FLAGS": flags, "JAX_PLATFORMS": "cpu", **extra}


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
