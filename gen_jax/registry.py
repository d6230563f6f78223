"""Name -> object registries that import their modules lazily (big_vision style).

A `Registry` knows, for each built-in name, the module whose import registers it,
and imports only that module on the first lookup of the name: asking for 'vae'
never imports the GAN family. A user's own module registers more names with the
same decorator; `get(name, module='my_pkg.my_model')` imports it first (the
`model.module` config field), so a run trained with a user's model is found again
by `scripts/evaluate.py`.

Registering the same object again (an `importlib.reload` of its module in a
notebook) replaces the entry; two different objects under one name raise.
"""

import importlib
from typing import Any, Callable


def _identity(obj) -> tuple[str, str]:
  return getattr(obj, "__module__", ""), getattr(obj, "__qualname__", repr(obj))


class Registry:
  """Objects registered by name; built-in names map to the module that registers them."""

  def __init__(self, kind: str, field: str, builtins: dict[str, str]):
    self.kind = kind          # 'model', 'workload': used in messages
    self.field = field        # config field or argument named in messages
    self.builtins = dict(builtins)
    self.entries: dict[str, Any] = {}

  def register(self, name: str) -> Callable:
    """Decorator: register `obj` under `name` (re-registering the same object is harmless)."""

    def wrap(obj):
      old = self.entries.get(name)
      if old is not None and old is not obj and _identity(old) != _identity(obj):
        raise ValueError(f"{self.field}: {self.kind} {name!r} is registered twice "
                         f"({'.'.join(_identity(old))} and {'.'.join(_identity(obj))})")
      self.entries[name] = obj
      return obj

    return wrap

  def import_module(self, module: str) -> None:
    """Import a user's module that registers entries; ValueError naming it if it cannot be imported."""
    try:
      importlib.import_module(module)
    except ModuleNotFoundError as e:
      if e.name is not None and (module + ".").startswith(e.name + "."):  # the module (or its package) is missing
        raise ValueError(f"{self.kind}.module: expected an importable module, got {module!r} "
                         f"(no module named {e.name!r})") from e
      raise

  def names(self) -> list[str]:
    """Sorted names: the built-in ones and every one registered so far."""
    return sorted(set(self.builtins) | set(self.entries))

  def get(self, name: str, module: str = "") -> Any:
    """The object registered as `name`, importing `module` (or the built-in's module) first."""
    if module:
      self.import_module(module)
    if name not in self.entries and name in self.builtins:
      importlib.import_module(self.builtins[name])  # an error here is a bug in that module: let it show
    if name not in self.entries:
      raise ValueError(f"{self.field}: expected one of {self.names()}, got {name!r}")
    return self.entries[name]
