"""The field values every config under configs/ had when its documented numbers were measured.

A config's docstring (and the README rows it feeds) states results measured with its fields at that time;
a later edit of the config or of a base config it inherits from changes those fields silently, and the
numbers no longer reproduce (ddpm_digits once moved to a U-Net that way). tests/data/config_snapshots.json
holds each config's flattened fields; tests/test_config_snapshots.py fails on any difference. After a
deliberate change, re-measure the configs it names (or state why their numbers still hold), then rewrite
the snapshot:

  python -m tests.helpers.config_snapshots
"""

import functools
import importlib
import json
import os

from tests.helpers.cli import REPO

SNAPSHOT = os.path.join(REPO, "tests", "data", "config_snapshots.json")


def config_names() -> list[str]:
  """Every module under configs/ (each defines get_config)."""
  return sorted(name[:-3] for name in os.listdir(os.path.join(REPO, "configs"))
                if name.endswith(".py") and name != "__init__.py")


def flat_fields(name: str) -> dict:
  """{'group.field': value} of configs/<name>.py's get_config(), values as JSON stores them."""
  def flatten(tree: dict, prefix: str = "") -> dict:
    fields = {}
    for key, value in tree.items():
      if isinstance(value, dict):
        fields.update(flatten(value, f"{prefix}{key}."))
      else:
        fields[f"{prefix}{key}"] = value
    return fields

  config = importlib.import_module(f"configs.{name}").get_config()
  return json.loads(json.dumps(flatten(config.to_dict())))


def changed_fields(stored: dict, current: dict) -> list[str]:
  """'field: stored -> current' for every field added, removed or changed, sorted by field."""
  missing = object()
  return [f"{field}: {stored.get(field, '(absent)')!r} -> {current.get(field, '(absent)')!r}"
          for field in sorted(set(stored) | set(current))
          if stored.get(field, missing) != current.get(field, missing)]


@functools.cache
def load() -> dict:
  """The stored snapshot (read once per process; the tests only read it)."""
  with open(SNAPSHOT, encoding="utf-8") as f:
    return json.load(f)


def write() -> None:
  snapshot = {name: flat_fields(name) for name in config_names()}
  with open(SNAPSHOT, "w", encoding="utf-8") as f:
    json.dump(snapshot, f, indent=1, sort_keys=True)
    f.write("\n")
  print(f"wrote {len(snapshot)} configs to {SNAPSHOT}")


if __name__ == "__main__":
  write()
