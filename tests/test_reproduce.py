"""scripts/reproduce.py: every cheap config documents its seed-0 figures in a parseable line, figures agree
to their printed digits only, and the script prints documented vs measured (a 20-step smoke run here:
its figures cannot match, so it exits 1)."""

import json
import re
import subprocess
import sys

import pytest

from gen_jax.train import reproduce
from tests.helpers.cli import REPO


@pytest.mark.parametrize("name", reproduce.CHEAP_CONFIGS)
def test_every_default_config_documents_its_figures(name):
  figures = reproduce.documented_figures(name)
  assert figures and all(float(v) == float(v) for v in figures.values())


def test_agreement_is_to_the_printed_digits():
  assert reproduce.agrees("52.3", 52.34) and reproduce.agrees("52.3", 52.26)
  assert not reproduce.agrees("52.3", 52.36)
  assert reproduce.agrees("0.121", 0.1214) and not reproduce.agrees("0.121", 0.1216)
  assert reproduce.agrees("8", 8) and not reproduce.agrees("8", 7)


def test_a_config_without_a_reproduce_line_is_named():
  with pytest.raises(ValueError, match=r"configs/gan_base.py's docstring to have a line 'Reproduce"):
    reproduce.documented_figures("gan_base")


def test_script_prints_documented_and_measured_side_by_side(tmp_path):
  result = subprocess.run([sys.executable, f"{REPO}/scripts/reproduce.py", "--configs=demo", f"--workdir={tmp_path}",
                           "--override=train.num_steps=20", "--override=eval.num_samples=500"],
                          capture_output=True, text=True, timeout=300, cwd=REPO)
  records = [json.loads(line) for line in result.stdout.strip().splitlines()]
  figures = [r for r in records if "metric" in r]
  assert {r["metric"] for r in figures} == set(reproduce.documented_figures("demo"))
  assert all({"documented", "measured", "agrees"} <= set(r) for r in figures)
  assert records[-2]["config"] == "demo" and records[-2]["cpu_seconds"] > 0
  assert records[-1] == {"figures": len(figures), "agree": sum(r["agrees"] for r in figures)}
  assert result.returncode == (0 if records[-1]["agree"] == len(figures) else 1)
  saved = json.loads((tmp_path / "demo" / "config.json").read_text())  # every --override applied
  assert (saved["seed"], saved["train"]["num_steps"], saved["eval"]["num_samples"]) == (0, 20, 500)


def test_overrides_convert_to_the_fields_type():
  config = reproduce.config_for("demo", {"train.num_steps": "7", "optim.learning_rate": "1e-3",
                                         "train.progress": "false", "data.name": "grid25"})
  assert (config.seed, config.train.num_steps, config.optim.learning_rate) == (0, 7, 1e-3)
  assert config.train.progress is False and config.data.name == "grid25"


@pytest.mark.parametrize("field, value, message", [
    ("train.num_step", "7", "the config has no field 'train.num_step'"),
    ("trian.num_steps", "7", "the config has no field 'trian.num_steps'"),
    ("train.num_steps", "7.5", "train.num_steps expects a int, got '7.5'"),
    ("train.progress", "maybe", "train.progress expects a bool, got 'maybe'"),
    ("data.attributes", "a", "data.attributes is a tuple; only int, float, bool and str fields can be set"),
])
def test_a_bad_override_is_named(field, value, message):
  with pytest.raises(ValueError, match=re.escape(f"--override: {message}")):
    reproduce.config_for("demo", {field: value})


def test_script_rejects_a_bad_override_before_training(tmp_path):
  result = subprocess.run([sys.executable, f"{REPO}/scripts/reproduce.py", "--configs=demo", f"--workdir={tmp_path}",
                           "--override=train.num_steps=20", "--override=train.bogus=1"],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
  assert result.returncode == 2
  assert result.stderr.strip().splitlines() == ["error: --override: the config has no field 'train.bogus'"]
  assert not (tmp_path / "demo").exists()
