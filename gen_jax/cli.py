"""What every script shares: absl flag parsing and one-line errors with exit code 2.

A mistake of the user's (unknown or malformed flag, unknown config name, a
missing file, an invalid config field) or a workdir that cannot hold the run
(unwritable, full disk, a failed save, no usable checkpoint) prints ONE line on
stderr and exits with code 2; a training run that diverges exits with code 3; a
multi-process run that loses a process (dead, pre-empted without notice, or
unreachable: see `gen_jax.train.multihost`) exits with code 4 on every survivor.
Set GEN_JAX_TRACEBACK=1 to see the full traceback instead.
"""

import difflib
import importlib.util
import os
import sys

from absl import app, flags, logging
from ml_collections import config_flags

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


# config-file flag name -> its default file, for the flags made by define_config_flag
_CONFIG_FLAG_DEFAULTS: dict[str, str | None] = {}


def _field_paths(config, prefix: str = "") -> list[str]:
  """Every dotted field and group path of a ConfigDict, e.g. ['train', 'train.num_steps', ...]."""
  paths = []
  for key, value in config.items():
    paths.append(prefix + key)
    if hasattr(value, "items"):
      paths.extend(_field_paths(value, prefix + key + "."))
  return paths


def unknown_field_message(flag_name: str, config, path: str) -> str | None:
  """One line for a `--flag_name.path` override naming no field of `config`, or None if it names one."""
  node, walked = config, []
  for part in path.split("."):
    if not hasattr(node, "items") or part not in node:
      candidates = _field_paths(config)
      guess = difflib.get_close_matches(path, candidates, n=1, cutoff=0.5)
      hint = f"; did you mean --{flag_name}.{guess[0]}?" if guess else ""
      where = repr('.'.join(walked)) if walked else f"--{flag_name}"
      return f"--{flag_name}.{path}: expected an existing config field, got {part!r}, which {where} lacks{hint}"
    node = node[part]
    walked.append(part)
  return None


def _override_paths(argv, flag_name: str) -> list[str]:
  """Dotted paths of the `--flag_name.a.b=v` / `--flag_name.a.b v` overrides in argv."""
  prefix = f"--{flag_name}."
  return [arg[len(prefix):].split("=", 1)[0] for arg in argv[1:] if arg.startswith(prefix)]


def _argv_value(argv, flag_name: str) -> str | None:
  """The value given to `--flag_name=v` or `--flag_name v` in argv, or None."""
  for i, arg in enumerate(argv[1:], start=1):
    if arg.startswith(f"--{flag_name}="):
      return arg.split("=", 1)[1]
    if arg == f"--{flag_name}" and i + 1 < len(argv):
      return argv[i + 1]
  return None


def _load_config_file(path: str):
  """get_config() of a config file ('FILE' or 'FILE:ARG', as ml_collections reads it)."""
  path, _, arg = path.partition(":")
  spec = importlib.util.spec_from_file_location("_gen_jax_config_file", path)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module.get_config(arg) if arg else module.get_config()


def _config_of(flag_name: str, argv, default: str | None):
  """The config of a config-file flag, loaded again from its file (a failed override leaves it unset)."""
  path = _argv_value(argv, flag_name) or default
  return _load_config_file(path) if path else None


def _override_error(argv, flag_name: str, default: str | None) -> str | None:
  """The one-line message for the first `--flag_name.*` override that names no field of its config."""
  config = _config_of(flag_name, argv, default)
  for path in _override_paths(argv, flag_name) if config is not None else ():
    message = unknown_field_message(flag_name, config, path)
    if message:
      return message
  return None


def define_config_flag(name: str, default: str | None, help_text: str) -> None:
  """config_flags.DEFINE_config_file (locked), with a bad override in sys.argv as one line and exit 2.

  ml_collections applies the overrides of a default config while the flag is defined,
  so a misspelled `--config.x.y` fails here, before flags are parsed.
  """
  _CONFIG_FLAG_DEFAULTS[name] = default
  try:
    config_flags.DEFINE_config_file(name, default, help_text, lock_config=True)
  except (AttributeError, KeyError) as e:
    fail(_override_error(sys.argv, name, default) or f"--{name}: {e}")


def _parse_flags(argv):
  try:
    return flags.FLAGS(argv)
  except flags.Error as e:
    fail(e)
  except (AttributeError, KeyError) as e:  # ml_collections: an override names no field
    for name, default in _CONFIG_FLAG_DEFAULTS.items():
      message = _override_error(argv, name, default)
      if message:
        fail(message)
    fail(f"config override: {e}")
  except SyntaxError as e:  # a config file that does not parse
    fail(f"--config: expected a Python config file, got a syntax error at {e.filename}:{e.lineno}: {e.msg}")


def run(main):
  """app.run(main) with user errors turned into one line and exit code 2 (3 for divergence, 4 for a lost peer)."""
  from gen_jax.train.multihost import EXIT_PEER_LOST, PeerLostError  # pylint: disable=import-outside-toplevel
  from gen_jax.train.safety import NonFiniteError, WorkdirError  # pylint: disable=import-outside-toplevel
  from gen_jax.train.host_memory import retain_freed_memory  # pylint: disable=import-outside-toplevel
  from gen_jax.train.cpu_flags import apply_defaults  # pylint: disable=import-outside-toplevel

  def guarded(argv):
    logging.set_verbosity(logging.WARNING)  # keep orbax's INFO lines off the console
    retain_freed_memory()  # XLA's per-call CPU buffers reuse their pages (gen_jax.train.host_memory)
    if os.environ.get("GEN_JAX_TRACEBACK"):
      return main(argv)
    try:
      return main(argv)
    except (ValueError, FileNotFoundError, NotADirectoryError, PermissionError, WorkdirError) as e:
      fail(e)
    except NonFiniteError as e:
      fail(e, EXIT_NONFINITE)
    except PeerLostError as e:
      fail(e, EXIT_PEER_LOST)

  apply_defaults()  # XLA CPU flags, before any computation starts a backend (gen_jax.train.cpu_flags)
  app.run(guarded, flags_parser=_parse_flags)
