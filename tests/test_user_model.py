"""A user's model in a package outside gen_jax is trained by scripts/train.py and found again by
scripts/evaluate.py --workdir through the saved `model.module` field: the README's example, run verbatim."""

import json
import os
import re

import numpy as np

from gen_jax.data import toy2d
from test_engine import REPO, run_cli


def readme_model_code() -> str:
  """The Python block of the README's 'Adding a model' section."""
  readme = open(os.path.join(REPO, "README.md"), encoding="utf-8").read()
  section = readme[readme.index("### Adding a model"):]
  return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_user_model_trains_and_evaluates(tmp_path, monkeypatch):
  package = tmp_path / "site" / "my_models"
  package.mkdir(parents=True)
  (package / "__init__.py").write_text("")
  (package / "gaussian.py").write_text(readme_model_code())
  monkeypatch.setenv("PYTHONPATH", str(tmp_path / "site"))  # as if the user had pip-installed it
  workdir = tmp_path / "run"
  flags = [f"--config={REPO}/configs/gan_ring8.py", f"--workdir={workdir}", "--config.model.module=my_models.gaussian",
           "--config.model.name=my_gaussian", "--config.train.num_steps=40", "--config.optim.learning_rate=0.05",
           "--config.train.progress=False", "--config.data.batch_size=64"]
  trained = run_cli(*flags)
  assert trained.returncode == 0, trained.stderr
  assert json.load(open(workdir / "config.json"))["model"]["module"] == "my_models.gaussian"
  evaluated = run_cli(f"--workdir={workdir}", script="evaluate.py")
  assert evaluated.returncode == 0, evaluated.stderr
  nll = json.loads(evaluated.stdout.strip().splitlines()[-1])["test_nll"]
  # Fitted by maximum likelihood, the nll lies between the best Gaussian's (the data's own mean and
  # variance) and that of the N(0, I) it started from.
  x, _ = toy2d.ring8(np.random.default_rng(0), 20_000)
  best = float(np.sum(0.5 * np.log(2 * np.pi * np.e * x.var(0))))
  start = float(np.mean(np.sum(0.5 * np.log(2 * np.pi) + 0.5 * x ** 2, -1)))
  assert best - 0.01 < nll < start - 0.1, (best, nll, start)


def test_a_missing_user_module_is_one_line(tmp_path):
  result = run_cli(f"--config={REPO}/configs/gan_ring8.py", f"--workdir={tmp_path / 'run'}",
                   "--config.model.module=no_such_package.models", "--config.model.name=mine")
  assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
  assert "model.module: expected an importable module, got 'no_such_package.models'" in result.stderr
  assert not (tmp_path / "run").exists()
