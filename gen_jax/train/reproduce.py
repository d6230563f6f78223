"""Rerun documented commands and compare the figures a config's docstring states with what they print now.

A config documents its seed-0 result in one line of its module docstring:

    Reproduce (scripts/reproduce.py, seed 0): modes 8, high_quality 52.3, reverse_kl 0.121

`documented_figures(name)` reads that line; `reproduce(name, workdir)` trains the config with seed 0 in
`workdir` (resuming a finished run costs nothing), evaluates it as `scripts/evaluate.py` does and yields
one record per figure: documented, measured, and whether they agree to the documented precision (half a
unit in the last printed digit: training is deterministic on one machine, so a figure either
reproduces to its printed digits or it is stale).
"""

import decimal
import importlib
import re
import resource
import time
from typing import Iterator

from gen_jax.train.loop import train_and_evaluate
from gen_jax.train.run_evaluation import evaluate_run

# The documented commands cheap enough to rerun together (about 15 CPU-minutes here): the demo, one seed of
# each fast 2-D config, the default VAE.
CHEAP_CONFIGS = ["demo", "gan_ring8", "pacgan_ring8", "gan_grid25", "pacgan_grid25", "lsgan_grid25",
                 "wgan_gp_grid25", "hinge_sn_grid25", "vae_digits"]
CLAIM = re.compile(r"^\s*Reproduce \(scripts/reproduce\.py, seed 0\):\s*(.+)$", re.M)
FIGURE = re.compile(r"^\s*([a-z_/]+)\s+(-?[0-9.]+)\s*$")


def documented_figures(config_name: str) -> dict[str, str]:
  """{metric: documented value as printed} from the 'Reproduce' line of configs/<name>.py's docstring."""
  module = importlib.import_module(f"configs.{config_name}")
  match = CLAIM.search(module.__doc__ or "")
  if match is None:
    raise ValueError(f"--configs: expected configs/{config_name}.py's docstring to have a line "
                     f"'Reproduce (scripts/reproduce.py, seed 0): metric value, ...', got none")
  figures = {}
  for part in match.group(1).split(","):
    figure = FIGURE.match(part)
    if figure is None:
      raise ValueError(f"configs/{config_name}.py: expected 'metric value' in its Reproduce line, got {part!r}")
    figures[figure.group(1)] = figure.group(2)
  return figures


def agrees(documented: str, measured: float) -> bool:
  """|measured - documented| <= half a unit in the documented value's last digit."""
  half_unit = decimal.Decimal(1).scaleb(decimal.Decimal(documented).as_tuple().exponent) / 2
  return abs(decimal.Decimal(repr(float(measured))) - decimal.Decimal(documented)) <= half_unit


def _cpu_seconds() -> float:
  usage = resource.getrusage(resource.RUSAGE_SELF)
  return usage.ru_utime + usage.ru_stime


def override(config, field: str, value: str) -> None:
  """config's dotted `field` (e.g. 'train.num_steps') set to `value` converted to the field's type.

  Raises:
    ValueError: naming the field when the config has none of that name, it is not a scalar, or the value
      does not convert to its type (bool: true/false/1/0).
  """
  *groups, name = field.split(".")
  node = config
  for group in groups:
    node = node.get(group) if hasattr(node, "get") else None
  if not hasattr(node, "get") or name not in node:
    raise ValueError(f"--override: the config has no field {field!r}")
  kind = type(node[name])
  if kind not in (bool, int, float, str):
    raise ValueError(f"--override: {field} is a {kind.__name__}; only int, float, bool and str fields can be set")
  booleans = {"true": True, "1": True, "false": False, "0": False}
  try:
    node[name] = booleans[value.lower()] if kind is bool else kind(value)
  except (KeyError, TypeError, ValueError) as e:
    raise ValueError(f"--override: {field} expects a {kind.__name__}, got {value!r}") from e


def config_for(config_name: str, overrides: dict | None = None):
  """configs/<name>.py's config with seed 0 and `overrides` (dotted field -> value as text) applied."""
  config = importlib.import_module(f"configs.{config_name}").get_config()
  config.seed = 0
  for field, value in (overrides or {}).items():
    override(config, field, value)
  return config


def reproduce(config_name: str, workdir: str, overrides: dict | None = None) -> Iterator[dict]:
  """Train configs/<name>.py with seed 0 (plus `overrides`, dotted field -> value) in `workdir`, evaluate
  it, and yield {'config', 'metric', 'documented', 'measured', 'agrees'} per documented figure, then one
  {'config', 'wall_seconds', 'cpu_seconds'} record for training and evaluation together."""
  figures = documented_figures(config_name)
  config = config_for(config_name, overrides)
  start_wall, start_cpu = time.time(), _cpu_seconds()
  train_and_evaluate(config, workdir)
  results = evaluate_run(workdir)
  for metric, documented in figures.items():
    if metric not in results:
      raise ValueError(f"configs/{config_name}.py: documents {metric!r}, which its evaluation does not report "
                       f"(it reports {sorted(results)})")
    yield {"config": config_name, "metric": metric, "documented": float(documented),
           "measured": results[metric], "agrees": agrees(documented, results[metric])}
  yield {"config": config_name, "wall_seconds": round(time.time() - start_wall, 1),
         "cpu_seconds": round(_cpu_seconds() - start_cpu, 1)}
