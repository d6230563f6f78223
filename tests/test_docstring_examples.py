"""Every pure module's docstring examples run and print what they show (doctest)."""

import doctest
import importlib

import pytest

from tests.helpers.api import DIFFUSION_PURE_MODULES, FAMILY_PURE_MODULES, PURE_MODULES


@pytest.mark.parametrize("name", PURE_MODULES + FAMILY_PURE_MODULES)
def test_docstring_examples_run(name):
  module = importlib.import_module(name)
  result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
  assert result.attempted > 0 and result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples fail"


# Every public name documented by an example: the library-grade modules and the diffusion family's
# (the flow family's bijections still lack examples for some helpers).
@pytest.mark.parametrize("name", PURE_MODULES + DIFFUSION_PURE_MODULES)
def test_every_public_function_has_an_example(name):
  module = importlib.import_module(name)
  public = [value for key, value in vars(module).items() if not key.startswith("_") and callable(value)
            and getattr(value, "__module__", None) == name]
  missing = [value.__name__ for value in public if ">>>" not in (value.__doc__ or "")]
  assert not missing, f"{name}: public functions without an Example: {missing}"
