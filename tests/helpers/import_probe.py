"""What importing each of several modules alone pulls in (a subprocess body for tests/test_api_imports.py):

  python -m tests.helpers.import_probe MODULE [MODULE ...]

Imports numpy, jax and flax once (none of them is a forbidden module, so they hide nothing), then forks one
child per MODULE, which imports it into that fresh copy of the interpreter and reports its top-level packages
(gen_jax.* by their first two parts). Prints one JSON line {module: sorted names}. The fork saves a fresh
interpreter's ~1 s of importing jax per module.
"""

import json
import os
import sys

import flax.linen  # noqa: F401  (pre-imported for every child)
import jax  # noqa: F401
import numpy  # noqa: F401


def loaded_names() -> list[str]:
  return sorted({name.split(".")[0] if not name.startswith("gen_jax") else ".".join(name.split(".")[:2])
                 for name in sys.modules})


def probe(module: str) -> list[str]:
  """The names loaded after importing `module` in a forked child."""
  read_end, write_end = os.pipe()
  pid = os.fork()
  if pid == 0:  # the child: import, report, leave without running the parent's clean-up
    os.close(read_end)
    try:
      __import__(module)
      report = json.dumps(loaded_names())
    except BaseException as e:  # pylint: disable=broad-except
      report = json.dumps({"error": f"{type(e).__name__}: {e}"})
    with os.fdopen(write_end, "w") as out:
      out.write(report)
    os._exit(0)  # pylint: disable=protected-access
  os.close(write_end)
  with os.fdopen(read_end) as result:
    report = json.loads(result.read())
  os.waitpid(pid, 0)
  if isinstance(report, dict):
    raise RuntimeError(f"importing {module}: {report['error']}")
  return report


if __name__ == "__main__":
  print(json.dumps({module: probe(module) for module in sys.argv[1:]}))
