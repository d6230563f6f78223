"""Every CLI mistake a new user makes gets ONE line on stderr naming the field and exit code 2,
and touches no workdir (the trial behind the library-grade API issue)."""

import json
import os
import shutil

import pytest

from test_engine import REPO, run_cli

CONFIGS = os.path.join(REPO, "configs")
VAE = f"--config={CONFIGS}/vae_digits.py"
GAN = f"--config={CONFIGS}/gan_ring8.py"


def one_error_line(result) -> str:
  assert result.returncode == 2, result.stderr
  lines = result.stderr.strip().splitlines()
  assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
  return lines[0]


@pytest.mark.parametrize("args, expected", [
    ([VAE, "--config.train.num_step=1"], "--config.train.num_step: expected an existing config field, got "
                                         "'num_step', which 'train' lacks; did you mean --config.train.num_steps?"),
    ([VAE, "--config.trian.num_steps=1"], "did you mean --config.train.num_steps?"),
    (["--config.trian.num_steps=1"], "did you mean --config.train.num_steps?"),  # the default (demo) config
    ([VAE, "--config.train.num_steps=abc"], "--config.train.num_steps=abc"),
    ([GAN, "--config.optim.learning_rate=-1"], "optim.learning_rate: expected > 0, got -1.0"),
    ([VAE, "--config.data.name=ring8"], "data.name: expected an image dataset for this image config"),
])
def test_train_cli_mistakes(tmp_path, args, expected):
  workdir = tmp_path / "run"
  line = one_error_line(run_cli(*args, f"--workdir={workdir}"))
  assert expected in line
  assert not workdir.exists()


def test_config_file_with_a_syntax_error_names_file_and_line(tmp_path):
  bad = tmp_path / "bad.py"
  bad.write_text("def get_config(:\n  pass\n")
  line = one_error_line(run_cli(f"--config={bad}", f"--workdir={tmp_path / 'run'}"))
  assert f"{bad}:1" in line and "syntax error" in line


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
  """A 2-step engine-test run to evaluate (the smallest model there is)."""
  workdir = tmp_path_factory.mktemp("cli") / "run"
  result = run_cli(f"--config={REPO}/tests/engine_config.py", f"--workdir={workdir}", "--config.train.num_steps=2")
  assert result.returncode == 0, result.stderr
  return workdir


def test_evaluate_with_a_misspelled_override(trained_run):
  line = one_error_line(run_cli(f"--workdir={trained_run}", VAE, "--config.eval.num_sample=5", script="evaluate.py"))
  assert "did you mean --config.eval.num_samples?" in line


def test_evaluate_a_corrupt_config_json_names_the_file(trained_run, tmp_path):
  broken = tmp_path / "broken"
  shutil.copytree(trained_run, broken)
  saved = (broken / "config.json").read_text()
  (broken / "config.json").write_text(saved[: len(saved) // 2])
  line = one_error_line(run_cli(f"--workdir={broken}", script="evaluate.py"))
  assert f"{broken}/config.json" in line and "corrupt" in line
  assert json.loads(saved)  # the original run is untouched
