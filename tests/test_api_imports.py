"""Import isolation: each pure module imports alone, without the engine, the data pipeline or their heavy
dependencies (checked in a fresh interpreter, since this test process has imported everything)."""

import json
import subprocess
import sys

import pytest

from tests.helpers.api import FAMILY_PURE_MODULES, PURE_MODULES
from tests.helpers.cli import REPO

FORBIDDEN = ("gen_jax.train", "gen_jax.data", "tensorflow_datasets", "tensorflow", "orbax", "matplotlib", "tqdm",
             "tensorboardX", "tensorboard")


MODULES = PURE_MODULES + FAMILY_PURE_MODULES + ("gen_jax.vae.latent",)


@pytest.fixture(scope="module")
def loaded_by_module():
  """{module: top-level packages loaded by importing it alone} (tests/helpers/import_probe.py)."""
  result = subprocess.run([sys.executable, "-m", "tests.helpers.import_probe", *MODULES], check=True,
                          capture_output=True, text=True, cwd=REPO, timeout=600)
  return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", MODULES)
def test_pure_module_imports_without_engine_data_or_plotting(module, loaded_by_module):
  loaded = set(loaded_by_module[module])
  assert module.split(".")[0] in loaded and not loaded & set(FORBIDDEN), \
      f"{module} pulls in {sorted(loaded & set(FORBIDDEN))}"


def test_the_probe_sees_what_a_module_pulls_in():
  """The probe is not blind: a module that imports the engine is reported with it."""
  result = subprocess.run([sys.executable, "-m", "tests.helpers.import_probe", "gen_jax.train.loop", "json"],
                          check=True, capture_output=True, text=True, cwd=REPO, timeout=300)
  loaded = json.loads(result.stdout.strip().splitlines()[-1])
  assert {"gen_jax.train", "orbax"} <= set(loaded["gen_jax.train.loop"])
  assert not set(loaded["json"]) & set(FORBIDDEN)
