"""Where a compiled step's time goes: XLA op times from a `jax.profiler` trace, by op and by category.

`profile_ops(run, steps)` traces `run()` (which must wait for its result) with
`jax.profiler.trace(..., create_perfetto_trace=True)`, reads the Perfetto JSON
the profiler writes, and sums the durations of the XLA ops executed on
XLA's CPU threads (`tf_XLA*`; on GPU/TPU the '/device:' lines), per op name.
Durations are per thread, so on a CPU with several threads they add up to CPU
time, not wall time: shares are fractions of all op time.

Categories (`op_category`), to tell compute from overhead:
  matmul: dot / fused dot ops (XLA 'dot', 'ynn_fusion': the YNNPACK matmul fusions);
  convolution: 'convolution' ops and convolution fusions;
  collective: all-reduce / all-gather / ... (psum of the global means; trivial on 1 device);
  elementwise: the other fusions (activations, losses, optimizer updates);
  other: copies, is-finite checks, reductions, ...
"""

import collections
import glob
import gzip
import json
import os
import tempfile
from typing import Callable

import jax

CATEGORIES = ("matmul", "convolution", "collective", "elementwise", "other")
_COLLECTIVES = ("all-reduce", "all-gather", "reduce-scatter", "all-to-all", "collective-permute")


def op_category(name: str) -> str:
  """The category (see module doc) of an XLA op by its HLO name."""
  base = name.split("/")[-1].lower().removeprefix("wrapped_")  # XLA CPU wraps lone ops as 'wrapped_<op>'
  if base.startswith(_COLLECTIVES):
    return "collective"
  if "convolution" in base or base.startswith("conv"):
    return "convolution"
  if base.startswith(("dot", "ynn_fusion")) or "_dot" in base:
    return "matmul"
  if "fusion" in base:
    return "elementwise"
  return "other"


def _is_op_line(process: str, thread: str) -> bool:
  """XLA's CPU worker threads ('tf_XLA...') or a device's lines ('/device:GPU:0', '/device:TPU:0')."""
  return thread.startswith("tf_XLA") or "/device:" in process


def _op_durations(trace_file: str) -> collections.Counter:
  """Microseconds per op name, summed over the trace's XLA / device op lines."""
  with gzip.open(trace_file, "rt") as f:
    trace = json.load(f)
  events = trace["traceEvents"] if isinstance(trace, dict) else trace
  names = {"process_name": {}, "thread_name": {}}
  for e in events:
    if e.get("ph") == "M" and e.get("name") in names:
      key = e["pid"] if e["name"] == "process_name" else (e["pid"], e["tid"])
      names[e["name"]][key] = e["args"]["name"]
  totals = collections.Counter()
  for e in events:
    process = names["process_name"].get(e.get("pid"), "")
    thread = names["thread_name"].get((e.get("pid"), e.get("tid")), "")
    if e.get("ph") == "X" and _is_op_line(process, thread) and not e["name"].startswith(("$", "ThunkExecutor")):
      totals[e["name"]] += e.get("dur", 0)
  return totals


def profile_ops(run: Callable[[], None], steps: int, log_dir: str | None = None) -> dict:
  """{'ops': {name: ms per step}, 'categories': {category: ms per step}} of `run()` covering `steps` steps."""
  with tempfile.TemporaryDirectory() as scratch:
    directory = log_dir or scratch
    with jax.profiler.trace(directory, create_perfetto_trace=True):
      run()
    files = glob.glob(os.path.join(directory, "**", "perfetto_trace.json.gz"), recursive=True)
    if not files:
      raise RuntimeError(f"jax.profiler wrote no perfetto_trace.json.gz under {directory}")
    totals = _op_durations(max(files, key=os.path.getmtime))
  ops = {name: us / 1000 / steps for name, us in totals.items()}
  categories = dict.fromkeys(CATEGORIES, 0.0)
  for name, ms in ops.items():
    categories[op_category(name)] += ms
  return {"ops": ops, "categories": categories}


def profile_records(workload: str, profile: dict, top: int) -> list[dict]:
  """JSON records: one per category, then the `top` ops by time, each with ms per step and share of op time."""
  total = sum(profile["categories"].values()) or 1.0
  records = [{"workload": workload, "profile": "category", "name": c, "cpu_ms_per_step": ms, "share": ms / total}
             for c, ms in profile["categories"].items()]
  ranked = sorted(profile["ops"].items(), key=lambda item: -item[1])[:top]
  records += [{"workload": workload, "profile": "op", "name": name, "category": op_category(name),
               "cpu_ms_per_step": ms, "share": ms / total} for name, ms in ranked]
  return records
