"""The lazy model registry: a name imports only its own family; reloading a model module is harmless."""

import importlib
import subprocess
import sys

import pytest

from gen_jax.registry import Registry
from gen_jax.train import registry


def test_looking_up_vae_imports_no_gan_module():
  code = ("import sys; from gen_jax.train import registry; registry.get_model('vae'); "
          "print(sorted(m for m in sys.modules if m.startswith('gen_jax.gan')))")
  out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
  assert out.stdout.strip() == "[]"


def test_every_builtin_name_is_registered_by_its_module():
  for name, module in registry.BUILTIN_MODELS.items():
    builder = registry.get_model(name)
    assert builder.__module__ == module, (name, builder.__module__)


def test_reloading_a_model_module_keeps_working():
  module = importlib.import_module("gen_jax.vae.wae")
  importlib.reload(module)  # a notebook's autoreload: registers a new function object of the same name
  assert registry.get_model("wae") is module.build_wae


def test_two_different_objects_under_one_name_raise():
  table = Registry("model", "model.name", {})
  table.register("a")(len)
  table.register("a")(len)  # the same object again: harmless
  with pytest.raises(ValueError, match=r"model.name: model 'a' is registered twice"):
    table.register("a")(abs)


def test_unknown_name_lists_the_valid_ones():
  with pytest.raises(ValueError, match=r"model.name: expected one of \['aae', .*'wae'\], got 'vea'"):
    registry.get_model("vea")
