"""Import isolation: each pure module imports alone, without the engine, the data pipeline or their heavy
dependencies (checked in a fresh interpreter, since this test process has imported everything)."""

import json
import subprocess
import sys

import pytest

from tests.helpers.api import FAMILY_PURE_MODULES, PURE_MODULES

FORBIDDEN = ("gen_jax.train", "gen_jax.data", "tensorflow_datasets", "tensorflow", "orbax", "matplotlib", "tqdm",
             "tensorboardX", "tensorboard")


@pytest.mark.parametrize("module", PURE_MODULES + FAMILY_PURE_MODULES + ("gen_jax.vae.latent",))
def test_pure_module_imports_without_engine_data_or_plotting(module):
  code = (f"import sys, json, {module}\n"
          f"print(json.dumps(sorted({{name.split('.')[0] if not name.startswith('gen_jax') else "
          f"'.'.join(name.split('.')[:2]) for name in sys.modules}})))")
  loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                         text=True).stdout))
  assert not loaded & set(FORBIDDEN), f"{module} pulls in {sorted(loaded & set(FORBIDDEN))}"
