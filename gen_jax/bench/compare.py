"""gen_jax beside PyTorch eager: both benchmark scripts run alternately as subprocesses, ratios of steps/s.

`compare(workloads, rounds, ...)` runs, for each round and workload,
`scripts/benchmark.py --workload W` and `scripts/benchmark_torch.py --workload W`
one after the other (the order alternates between rounds so neither side
always runs on a warmer or quieter machine), reads the JSON record each
prints, and summarizes every workload by medians over the rounds:

  ratio = median over rounds r of (gen_jax steps/s)_r / (torch steps/s)_r.

A third side, 'torch_compile' (scripts/benchmark_torch.py --compile), joins the
rotation when given a command; its ratio is `ratio_torch_compile`.

On a machine shared with other work, a per-round ratio of two measurements
taken seconds apart is far steadier than either rate alone.
"""

import json
import statistics
import subprocess
import sys
from typing import Callable, Iterable, Sequence

from gen_jax.checks import check_positive_int

SIDES = ("gen_jax", "torch")  # always run
PEERS = ("torch", "torch_compile")  # gen_jax's steps/s is divided by each peer's that runs


def _suffix(peer: str) -> str:
  """'' for torch (the fields 'ratio', 'ratios'), else '_<peer>'."""
  return "" if peer == "torch" else f"_{peer}"


def parse_records(output: str) -> list[dict]:
  """The JSON objects printed one per line in `output` (other lines, e.g. warnings, are skipped)."""
  records = []
  for line in output.splitlines():
    line = line.strip()
    if not line.startswith("{"):
      continue
    try:
      record = json.loads(line)
    except json.JSONDecodeError:
      continue
    if isinstance(record, dict):
      records.append(record)
  return records


def last_record(output: str, workload: str) -> dict:
  """The last record of `workload` in `output`; ValueError quoting the output's end if there is none."""
  matching = [r for r in parse_records(output) if r.get("workload") == workload]
  if not matching:
    raise ValueError(f"output: no JSON record of workload {workload!r}; it ended with: {output[-500:]!r}")
  return matching[-1]


def summarize(workload: str, rounds: Sequence[dict]) -> dict:
  """Medians over rounds, each round {'gen_jax': record, 'torch': record[, 'torch_compile': record]}.

  Fields: workload, rounds, gen_jax_steps_per_sec, torch_steps_per_sec, ratio
  (median of per-round ratios), ratios (per round), gen_jax_mfu, torch_mfu; with
  torch_compile also torch_compile_steps_per_sec, ratio_torch_compile,
  ratios_torch_compile and torch_compile_mfu.
  """
  if not rounds:
    raise ValueError("rounds: expected at least one round")
  sides = [side for side in ("gen_jax", *PEERS) if side in rounds[0]]
  rates = {side: [r[side]["steps_per_sec"] for r in rounds] for side in sides}
  summary = dict(workload=workload, rounds=len(rounds))
  for side in sides:
    summary[f"{side}_steps_per_sec"] = statistics.median(rates[side])
    summary[f"{side}_mfu"] = statistics.median(r[side]["mfu"] for r in rounds)
  for peer in sides[1:]:
    ratios = [j / t for j, t in zip(rates["gen_jax"], rates[peer])]
    summary.update({f"ratio{_suffix(peer)}": statistics.median(ratios), f"ratios{_suffix(peer)}": ratios})
  return summary


def run_command(command: Sequence[str]) -> str:
  """stdout of `command`; RuntimeError with its stderr's end when it fails."""
  done = subprocess.run(list(command), capture_output=True, text=True, check=False)
  if done.returncode:
    raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-1500:]}")
  return done.stdout


def side_order(round_index: int, sides: Sequence[str] = SIDES) -> tuple[str, ...]:
  """`sides` (default ('gen_jax', 'torch')) in even rounds, reversed in odd ones."""
  return tuple(sides) if round_index % 2 == 0 else tuple(sides)[::-1]


def compare(workloads: Iterable[str], rounds: int, commands: dict[str, Callable[[str], Sequence[str]]],
            run: Callable[[Sequence[str]], str] = run_command, report: Callable[[dict], None] | None = None):
  """Alternating runs of the sides; returns one `summarize` dict per workload.

  `commands[side](workload)` is the command line of that side ('gen_jax', 'torch' and optionally
  'torch_compile'); `run(command)` returns its stdout; `report(record)` (if given) sees each round's
  {'workload', 'round', <side>: record..., 'ratio'[, 'ratio_torch_compile']} as it completes.
  """
  if not set(SIDES) <= set(commands) <= {"gen_jax", *PEERS}:
    raise ValueError(f"commands: expected the sides {list(SIDES)} (and optionally 'torch_compile'), "
                     f"got {sorted(commands)}")
  sides = [side for side in ("gen_jax", *PEERS) if side in commands]
  check_positive_int(rounds, "rounds")
  workloads = list(workloads)
  results = {w: [] for w in workloads}
  for i in range(rounds):
    for workload in workloads:
      records = {side: last_record(run(commands[side](workload)), workload) for side in side_order(i, sides)}
      results[workload].append(records)
      if report:
        ratios = {f"ratio{_suffix(peer)}": records["gen_jax"]["steps_per_sec"] / records[peer]["steps_per_sec"]
                  for peer in sides[1:]}
        report(dict(workload=workload, round=i, **records, **ratios))
  return [summarize(w, results[w]) for w in workloads]


def python_command(script: str, workload: str, *flags: str) -> list[str]:
  """[this interpreter, script, --workload=workload, *flags]."""
  return [sys.executable, script, f"--workload={workload}", *flags]
