"""Registries by name: a config string picks the model family builder."""

import importlib
from typing import Callable

_MODELS: dict[str, Callable] = {}
# Packages whose import registers their models.
_FAMILY_PACKAGES = ("gen_jax.gan", "gen_jax.vae")


def register_model(name: str):
  """Decorator: register `builder(config, spec) -> Trainer` under `name`."""

  def wrap(builder):
    if name in _MODELS and _MODELS[name] is not builder:
      raise ValueError(f"model {name!r} is registered twice")
    _MODELS[name] = builder
    return builder

  return wrap


def _load_families():
  for package in _FAMILY_PACKAGES:
    try:
      importlib.import_module(package)
    except ModuleNotFoundError as e:
      if e.name != package:
        raise


def model_names() -> list[str]:
  """Sorted names of all registered models."""
  _load_families()
  return sorted(_MODELS)


def get_model(name: str) -> Callable:
  """The builder registered as `name`; ValueError listing the valid names otherwise."""
  _load_families()
  if name not in _MODELS:
    raise ValueError(f"model.name: unknown model {name!r}; expected one of {sorted(_MODELS)}")
  return _MODELS[name]
