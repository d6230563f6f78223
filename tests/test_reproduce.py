"""scripts/reproduce.py: every cheap config documents its seed-0 figures in a parseable line, figures agree
to their printed digits only, and the script prints documented vs measured (a 20-step smoke run here:
its figures cannot match, so it exits 1)."""

import json
import subprocess
import sys

import pytest

from gen_jax.train import reproduce
from test_engine import REPO


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
