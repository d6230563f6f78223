"""What every script shares: absl flag parsing and one-line errors with exit code 2.

A mistake of the user's (unknown or malformed flag, unknown config name, a
missing file, an invalid config field) or a workdir that cannot hold the run
(unwritable, full disk, a failed save, no usable checkpoint) prints ONE line on
stderr and exits with code 2; a training run that diverges exits with code 3.
Set GEN_JAX_TRACEBACK=1 to see the full traceback instead.
"""

import os
import sys

from absl import app, flags, logging

EXIT_USAGE = 2
EXIT_NONFINITE = 3
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fail(message: str, code: int = EXIT_USAGE):
  """Print `error: message` as one line on stderr and exit with `code`."""
  sys.stderr.write("error: " + " ".join(str(message).split()) + "\n")
  sys.exit(code)


def config_from_flag(name: str = "config"):
  """The ConfigDict of a `config_flags` file flag; a load failure is one line naming --<name>."""
  try:
    config = flags.FLAGS[name].value
    config.get("seed")  # config_flags defers load errors to the first access
  except OSError as e:
    reason = [line.strip() for line in str(e).splitlines() if line.strip()][-1]
    fail(f"--{name}: could not load {flags.FLAGS[name].config_filename!r}: {reason}")
  return config


def _parse_flags(argv):
  try:
    return flags.FLAGS(argv)
  except flags.Error as e:
    fail(e)


def run(main):
  """app.run(main) with user errors turned into one line and exit code 2 (3 for divergence)."""
  from gen_jax.train.safety import NonFiniteError, WorkdirError  # pylint: disable=import-outside-toplevel

  def guarded(argv):
    logging.set_verbosity(logging.WARNING)  # keep orbax's INFO lines off the console
    if os.environ.get("GEN_JAX_TRACEBACK"):
      return main(argv)
    try:
      return main(argv)
    except (ValueError, FileNotFoundError, NotADirectoryError, PermissionError, WorkdirError) as e:
      fail(e)
    except NonFiniteError as e:
      fail(e, EXIT_NONFINITE)

  app.run(guarded, flags_parser=_parse_flags)
