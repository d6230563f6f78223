"""The benchmark registry, timing helper, sampler workloads at tiny sizes, and the script's CLI."""

import functools
import importlib.util
import json
import os
import subprocess
import sys

import jax.numpy as jnp
import pytest

from gen_jax import bench
from gen_jax.bench import samplers
from gen_jax.bench.timing import time_call

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_registry_lists_sampler_workloads():
  assert {"sampler_discrete", "sampler_rejection"} <= set(bench.workload_names())
  assert bench.get_workload("sampler_discrete") is samplers.sampler_discrete
  with pytest.raises(ValueError, match="sampler_discrete"):
    bench.get_workload("no_such_workload")
  with pytest.raises(ValueError, match="twice"):
    bench.register_workload("sampler_discrete")(lambda steps, devices: [])


def test_time_call_returns_positive_median():
  assert time_call(lambda x: x + 1, jnp.ones(3), repeats=3) > 0
  with pytest.raises(ValueError, match="repeats"):
    time_call(lambda: None, repeats=0)


def test_sampler_discrete_records_at_tiny_sizes():
  records = list(samplers.sampler_discrete(1, None, num_samples=1000, num_categories=(5, 300)))
  assert len(records) == 6
  assert {r["impl"] for r in records} == {"gen_jax.sample_discrete", "numpy.Generator.choice",
                                          "jax.random.categorical"}
  for record in records:
    json.dumps(record)
    assert record["samples_per_sec"] > 0 and record["num_categories"] in (5, 300)


def test_sampler_rejection_records_at_tiny_sizes():
  records = list(samplers.sampler_rejection(1, 1, num_samples=2000))
  assert [r["impl"] for r in records] == ["gen_jax.rejection_sample", "jax.random.beta", "numpy.Generator.beta"]
  assert records[0]["complete"] and 0.2 < records[0]["acceptance_rate"] < 0.6
  with pytest.raises(ValueError, match="devices"):
    list(samplers.sampler_rejection(1, 4, num_samples=10))


def run_script(*args):
  env = dict(os.environ, PYTHONPATH=REPO)
  return subprocess.run([sys.executable, os.path.join(REPO, "scripts", "benchmark.py"), *args], cwd=REPO, env=env,
                        capture_output=True, text=True, timeout=120)


def test_script_unknown_workload_exits_2_listing_names():
  result = run_script("--workload", "nope")
  assert result.returncode == 2
  assert "sampler_discrete" in result.stderr and "sampler_rejection" in result.stderr
  assert result.stdout == ""


def test_script_prints_one_json_line_per_record(monkeypatch, capsys):
  """The script's run_workload on a tiny registered workload (the real sizes take minutes)."""
  tiny = functools.partial(samplers.sampler_discrete, num_samples=100, num_categories=(3, 40))
  monkeypatch.setitem(bench.WORKLOADS.entries, "tiny_discrete", tiny)
  spec = importlib.util.spec_from_file_location("benchmark_script", os.path.join(REPO, "scripts", "benchmark.py"))
  script = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(script)
  assert script.run_workload("tiny_discrete", 1, None) == 0
  lines = capsys.readouterr().out.strip().splitlines()
  assert len(lines) == 6 and {json.loads(line)["num_categories"] for line in lines} == {3, 40}
  assert script.run_workload(None, 1, None) == 2
