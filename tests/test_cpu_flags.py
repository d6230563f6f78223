"""gen_jax.train.cpu_flags: which XLA CPU flags are added, when, and that the scripts' processes run with them."""

import doctest
import os
import subprocess
import sys

from gen_jax.train import cpu_flags

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_docstring_examples():
  result = doctest.testmod(cpu_flags)
  assert result.attempted > 0 and result.failed == 0


def test_defaults_only_under_the_measured_jaxlib_and_not_when_opted_out():
  measured = cpu_flags.MEASURED_JAXLIB
  assert cpu_flags.with_defaults({}, measured)["XLA_FLAGS"] == " ".join(cpu_flags.DEFAULT_FLAGS)
  assert "XLA_FLAGS" not in cpu_flags.with_defaults({}, "0.0.1")
  assert "XLA_FLAGS" not in cpu_flags.with_defaults({cpu_flags.OPT_OUT: "0"}, measured)
  environ = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
  assert cpu_flags.with_defaults(environ, measured)["XLA_FLAGS"].split() == [environ["XLA_FLAGS"],
                                                                           *cpu_flags.DEFAULT_FLAGS]
  assert environ == {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}  # the input is not changed


def test_the_pinned_jaxlib_is_the_measured_one():
  """requirements.txt pins the jaxlib the defaults were measured with: bumping it means measuring them again."""
  with open(os.path.join(REPO, "requirements.txt"), encoding="utf-8") as f:
    pins = [line.strip() for line in f if line.strip().startswith("jaxlib==")]
  assert pins == [f"jaxlib=={cpu_flags.MEASURED_JAXLIB}"]
  assert cpu_flags.installed_jaxlib() == cpu_flags.MEASURED_JAXLIB


def test_this_test_process_and_a_script_process_run_with_the_defaults():
  """conftest applied them here; `gen_jax.cli.run` applies them in a script whose environment lacks them."""
  for flag in cpu_flags.DEFAULT_FLAGS:
    assert flag in os.environ["XLA_FLAGS"]
  code = ("import os, sys; from gen_jax import cli; "
          "cli.run(lambda argv: print(os.environ.get('XLA_FLAGS', '')))")
  env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
  out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO,
                       check=True).stdout
  assert out.split() == list(cpu_flags.DEFAULT_FLAGS)
