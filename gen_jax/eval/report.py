"""A report comparing trained runs: one self-contained HTML page and its Markdown twin.

For run directories written by `gen_jax.train.loop.train_and_evaluate`, the report shows

* the config fields whose values differ between the runs (dotted names, from DIR/config.json),
* the metrics: DIR/eval.json (when `scripts/evaluate.py` has run) and the last logged value
  of every training metric (DIR/metrics.jsonl),
* training curves: one panel per metric, the runs overlaid (matplotlib Agg),
* the newest picture of each kind in DIR/samples/ (sample grids, 2-D scatters, ...), side by
  side.

The HTML embeds every image as a base64 data URI and references nothing outside itself; the
Markdown file links to PNG copies in a folder beside it (`<name>_files/`). `render_png` shows
the page as a browser would (headless Chromium).
"""

import base64
import dataclasses
import html
import io
import json
import math
import os
import re
import shutil
import subprocess
import tempfile

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from gen_jax.train.metrics_writer import read_metrics

MISSING = "-"
_STEP_SUFFIX = re.compile(r"^(?P<kind>.+?)(?:_(?P<step>\d+))?\.png$")
_CURVE_SKIP = ("step", "wall_time")
_FIRST_KINDS = ("samples", "codes", "scatter")  # what a reader looks for first


@dataclasses.dataclass(frozen=True)
class RunSummary:
  """What the report shows of one run directory.

  config: flattened config {dotted name: value}; evaluation: DIR/eval.json ({} if absent);
  curves: {metric: (steps [T], values [T])}; pictures: {kind: newest PNG path}.
  """

  name: str
  workdir: str
  config: dict
  evaluation: dict
  curves: dict
  pictures: dict

  @property
  def last_logged(self) -> dict:
    """{metric: (step, value)} of each curve's last point."""
    return {metric: (int(steps[-1]), float(values[-1])) for metric, (steps, values) in self.curves.items()}


def flatten(tree: dict, prefix: str = "") -> dict:
  """{'a': {'b': 1}} -> {'a.b': 1}: nested dicts to dotted names (other values as they are)."""
  flat = {}
  for key, value in tree.items():
    name = f"{prefix}{key}"
    if isinstance(value, dict):
      flat.update(flatten(value, name + "."))
    else:
      flat[name] = value
  return flat


def config_differences(configs: list[dict]) -> dict[str, list]:
  """{dotted name: [value in run i, or MISSING]} for the names whose values are not all equal."""
  names = sorted(set().union(*configs))
  columns = {name: [config.get(name, MISSING) for config in configs] for name in names}
  return {name: values for name, values in columns.items()
          if any(json.dumps(v, sort_keys=True) != json.dumps(values[0], sort_keys=True) for v in values)}


def read_curves(workdir: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
  """{metric: (steps, values)} of DIR/metrics.jsonl's numeric scalars, sorted by step; of records
  repeated after a resume the last one wins. Hyper-parameter and event records are skipped."""
  by_step = {}
  for record in read_metrics(workdir):
    if "hparams" in record or "event" in record:
      continue
    by_step.setdefault(int(record["step"]), {}).update(record)
  curves = {}
  for step in sorted(by_step):
    for metric, value in by_step[step].items():
      if metric not in _CURVE_SKIP and isinstance(value, (int, float)) and not isinstance(value, bool):
        curves.setdefault(metric, ([], []))
        curves[metric][0].append(step)
        curves[metric][1].append(float(value))
  return {metric: (np.array(steps), np.array(values)) for metric, (steps, values) in sorted(curves.items())}


def latest_pictures(samples_dir: str) -> dict[str, str]:
  """{kind: path} of the newest PNG of each kind in `samples_dir`: 'samples_0001500.png' is kind
  'samples' at step 1500; a name without a step ('strip.png') is its own kind."""
  newest = {}
  if os.path.isdir(samples_dir):
    for filename in os.listdir(samples_dir):
      match = _STEP_SUFFIX.match(filename)
      if match:
        step = int(match["step"] or -1)
        if match["kind"] not in newest or step > newest[match["kind"]][0]:
          newest[match["kind"]] = (step, os.path.join(samples_dir, filename))
  return {kind: path for kind, (_, path) in sorted(newest.items())}


def load_summary(workdir: str, name: str | None = None) -> RunSummary:
  """The RunSummary of a run directory (FileNotFoundError naming it when it holds no run)."""
  config_path = os.path.join(workdir, "config.json")
  if not os.path.isfile(config_path) or not os.path.isfile(os.path.join(workdir, "metrics.jsonl")):
    raise FileNotFoundError(f"workdir: {workdir!r} holds no run (config.json and metrics.jsonl expected)")
  with open(config_path, encoding="utf-8") as f:
    config = flatten(json.load(f))
  evaluation = {}
  eval_path = os.path.join(workdir, "eval.json")
  if os.path.isfile(eval_path):
    with open(eval_path, encoding="utf-8") as f:
      evaluation = json.load(f)
  return RunSummary(name or os.path.basename(os.path.normpath(workdir)), workdir, config, evaluation,
                    read_curves(workdir), latest_pictures(os.path.join(workdir, "samples")))


def run_names(workdirs: list[str]) -> list[str]:
  """Each directory's base name, made unique by its position ('a', 'a (2)') when names repeat."""
  names = [os.path.basename(os.path.normpath(w)) for w in workdirs]
  return [f"{n} ({i + 1})" if names.count(n) > 1 else n for i, n in enumerate(names)]


def format_value(value) -> str:
  """4 significant digits for floats, JSON for lists, dicts and the empty string, str otherwise."""
  if value == "":
    return '""'
  if isinstance(value, float):
    return f"{value:.4g}"
  if isinstance(value, (list, dict)):
    return json.dumps(value)
  return str(value)


def curves_png(runs: list[RunSummary], columns: int = 3) -> bytes | None:
  """PNG bytes of one panel per metric (union over runs), each run's curve overlaid; None when
  no run logged any metric."""
  metrics = sorted(set().union(*(run.curves for run in runs)))
  if not metrics:
    return None
  columns = min(columns, len(metrics))
  rows = math.ceil(len(metrics) / columns)
  figure = Figure(figsize=(4.2 * columns, 2.8 * rows), dpi=90, layout="constrained")
  FigureCanvasAgg(figure)
  for i, metric in enumerate(metrics):
    axes = figure.add_subplot(rows, columns, i + 1)
    for j, run in enumerate(runs):
      if metric in run.curves:
        steps, values = run.curves[metric]
        axes.plot(steps, values, marker="o" if len(steps) < 20 else None, markersize=3,
                  color=f"C{j}", label=run.name)
    axes.set_title(metric, fontsize=10)
    axes.set_xlabel("step", fontsize=8)
    axes.tick_params(labelsize=8)
    axes.grid(alpha=0.3)
  handles = [Line2D([], [], color=f"C{j}", label=run.name) for j, run in enumerate(runs)]
  figure.legend(handles=handles, loc="outside upper center", ncols=min(len(runs), 6), fontsize=9)
  buffer = io.BytesIO()
  figure.savefig(buffer, format="png")
  return buffer.getvalue()


def _metric_rows(runs: list[RunSummary]) -> tuple[list, list]:
  """(eval rows, last-logged rows): [(name, [cell per run])]."""
  eval_names = sorted(set().union(*(run.evaluation for run in runs)))
  eval_rows = [(name, [format_value(run.evaluation[name]) if name in run.evaluation else MISSING for run in runs])
               for name in eval_names]
  logged = [run.last_logged for run in runs]
  logged_rows = [(name, [f"{format_value(last[name][1])} (step {last[name][0]})" if name in last else MISSING
                         for last in logged])
                 for name in sorted(set().union(*logged))]
  return eval_rows, logged_rows


def _picture_kinds(runs: list[RunSummary]) -> list[str]:
  """Kinds of pictures of any run: those in _FIRST_KINDS first, then the rest alphabetically."""
  kinds = set().union(*(run.pictures for run in runs))
  return sorted(kinds, key=lambda kind: (_FIRST_KINDS.index(kind) if kind in _FIRST_KINDS else len(_FIRST_KINDS), kind))


def _data_uri(png: bytes) -> str:
  return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _read(path: str) -> bytes:
  with open(path, "rb") as f:
    return f.read()


_CSS = """
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: left; vertical-align: top; font-size: 13px; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.pictures { width: 100%; table-layout: fixed; }
table.pictures td { text-align: center; }
table.pictures img { max-width: 100%; max-height: 420px; image-rendering: pixelated; }
img.curves { max-width: 100%; }
p.note { color: #666; font-size: 13px; }
"""


def _html_table(header: list[str], rows: list[tuple[str, list[str]]], numeric: bool = False) -> str:
  cell_class = ' class="num"' if numeric else ""
  head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
  body = "".join(f"<tr><th>{html.escape(name)}</th>"
                 + "".join(f"<td{cell_class}>{html.escape(cell)}</td>" for cell in cells) + "</tr>"
                 for name, cells in rows)
  return f"<table><tr>{head}</tr>{body}</table>"


def render_html(runs: list[RunSummary], curves: bytes | None) -> str:
  """The self-contained report page (images as data URIs)."""
  names = [run.name for run in runs]
  parts = [f"<h1>Run comparison: {html.escape(', '.join(names))}</h1>",
           _html_table(["run", "directory"], [(run.name, [os.path.abspath(run.workdir)]) for run in runs])]
  differences = config_differences([run.config for run in runs])
  parts.append("<h2>Config differences</h2>")
  parts.append(_html_table(["field"] + names, [(k, [format_value(v) for v in vs]) for k, vs in differences.items()])
               if differences else '<p class="note">The runs have identical configs.</p>')
  eval_rows, logged_rows = _metric_rows(runs)
  parts.append("<h2>Evaluation (eval.json)</h2>")
  parts.append(_html_table(["metric"] + names, eval_rows, numeric=True) if eval_rows else
               '<p class="note">No eval.json yet: run scripts/evaluate.py --workdir=DIR.</p>')
  parts.append("<h2>Last logged training metrics</h2>")
  parts.append(_html_table(["metric"] + names, logged_rows, numeric=True))
  parts.append("<h2>Training curves</h2>")
  parts.append(f'<img class="curves" alt="training curves" src="{_data_uri(curves)}">' if curves else
               '<p class="note">No logged metrics.</p>')
  kinds = _picture_kinds(runs)
  parts.append("<h2>Pictures (newest of each kind)</h2>")
  if kinds:
    head = "<tr><th style='width:10%'>kind</th>" + "".join(f"<th>{html.escape(n)}</th>" for n in names) + "</tr>"
    rows = "".join(
        f"<tr><th>{html.escape(kind)}</th>" + "".join(
            f'<td><img alt="{html.escape(run.name)} {html.escape(kind)}" src="{_data_uri(_read(run.pictures[kind]))}">'
            f"<br><small>{html.escape(os.path.basename(run.pictures[kind]))}</small></td>"
            if kind in run.pictures else f"<td>{MISSING}</td>" for run in runs) + "</tr>"
        for kind in kinds)
    parts.append(f'<table class="pictures">{head}{rows}</table>')
  else:
    parts.append('<p class="note">No pictures under DIR/samples/.</p>')
  return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>gen_jax report</title>"
          f"<style>{_CSS}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n")


def _markdown_table(header: list[str], rows: list[tuple[str, list[str]]]) -> str:
  escape = lambda text: str(text).replace("|", "\\|")
  lines = ["| " + " | ".join(escape(h) for h in header) + " |", "|" + "---|" * len(header)]
  lines += ["| " + " | ".join(escape(c) for c in [name, *cells]) + " |" for name, cells in rows]
  return "\n".join(lines)


def render_markdown(runs: list[RunSummary], files_dir: str, curves_file: str | None,
                    picture_files: dict) -> str:
  """The Markdown twin; images are links into `files_dir` (relative to the .md file):
  `curves_file` and picture_files {(run name, kind): file name}."""
  names = [run.name for run in runs]
  parts = [f"# Run comparison: {', '.join(names)}",
           _markdown_table(["run", "directory"], [(run.name, [os.path.abspath(run.workdir)]) for run in runs])]
  differences = config_differences([run.config for run in runs])
  parts += ["## Config differences",
            _markdown_table(["field"] + names, [(k, [format_value(v) for v in vs]) for k, vs in differences.items()])
            if differences else "The runs have identical configs."]
  eval_rows, logged_rows = _metric_rows(runs)
  parts += ["## Evaluation (eval.json)", _markdown_table(["metric"] + names, eval_rows) if eval_rows else
            "No eval.json yet: run `scripts/evaluate.py --workdir=DIR`.",
            "## Last logged training metrics", _markdown_table(["metric"] + names, logged_rows),
            "## Training curves", f"![training curves]({files_dir}/{curves_file})" if curves_file else
            "No logged metrics."]
  kinds = _picture_kinds(runs)
  parts.append("## Pictures (newest of each kind)")
  parts.append(_markdown_table(["kind"] + names, [
      (kind, [f"![{run.name} {kind}]({files_dir}/{picture_files[run.name, kind]})"
              if kind in run.pictures else MISSING for run in runs]) for kind in kinds])
               if kinds else "No pictures under DIR/samples/.")
  return "\n\n".join(parts) + "\n"


def write_report(workdirs: list[str], out: str = "report.html") -> tuple[str, str]:
  """Write OUT (HTML), OUT with suffix .md and the Markdown's images in `<OUT stem>_files/`.

  Returns (html path, markdown path).
  """
  if not workdirs:
    raise ValueError("workdirs: expected at least one run directory")
  if not out.endswith(".html"):
    raise ValueError(f"out: expected a path ending in .html, got {out!r}")
  runs = [load_summary(w, name) for w, name in zip(workdirs, run_names(workdirs))]
  curves = curves_png(runs)
  stem = out[:-len(".html")]
  files_dir = stem + "_files"
  os.makedirs(files_dir, exist_ok=True)
  if curves:
    with open(os.path.join(files_dir, "curves.png"), "wb") as f:
      f.write(curves)
  picture_files = {}
  for i, run in enumerate(runs):
    for kind, path in run.pictures.items():
      picture_files[run.name, kind] = f"run{i + 1}_{kind}.png"
      shutil.copyfile(path, os.path.join(files_dir, picture_files[run.name, kind]))
  with open(out, "w", encoding="utf-8") as f:
    f.write(render_html(runs, curves))
  markdown_path = stem + ".md"
  with open(markdown_path, "w", encoding="utf-8") as f:
    f.write(render_markdown(runs, os.path.basename(files_dir), "curves.png" if curves else None, picture_files))
  return out, markdown_path


def find_chromium() -> str | None:
  """Path of a Chromium executable on PATH ('chromium' or 'chromium-browser'), or None."""
  return shutil.which("chromium") or shutil.which("chromium-browser")


def render_png(html_path: str, png_path: str, width: int = 1400, height: int = 2400,
               timeout: float = 120.0) -> str:
  """Screenshot of the page at `html_path` by headless Chromium (no network, a throwaway
  profile); returns `png_path`. FileNotFoundError when Chromium is not installed,
  RuntimeError when it writes no picture."""
  chromium = find_chromium()
  if chromium is None:
    raise FileNotFoundError("chromium: not found on PATH (Debian: apt-get install chromium)")
  if os.path.exists(png_path):
    os.remove(png_path)
  with tempfile.TemporaryDirectory() as profile:
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={profile}", f"--screenshot={os.path.abspath(png_path)}",
               f"--window-size={width},{height}", "file://" + os.path.abspath(html_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
  if not os.path.isfile(png_path):
    raise RuntimeError(f"chromium wrote no screenshot (exit {result.returncode}): {result.stderr[-2000:]}")
  return png_path


def mean_cell(result: dict, key: str, digits: int = 2) -> str:
  """result[key] to `digits` decimals, with ' ± standard error' when the result is a mean over seeds (its
  'stderr' dict holds key); '' when the key is absent."""
  value = result.get(key)
  if value is None:
    return ""
  stderr = result.get("stderr", {}).get(key)
  return f"{value:.{digits}f}" + ("" if stderr is None else f" ± {stderr:.{digits}f}")


def image_quality_row(name: str, results: dict) -> list[str]:
  """One row of `image_quality_table`: name, step, fd, kid +- stderr, precision, recall, and
  label accuracy (conditional models) or classes covered with KL to the uniform class prior.

  A mean over seeds (results with a 'stderr' dict, as `scripts/evaluate.py` writes for a seed-batched run)
  shows 'mean ± standard error over seeds' in every number cell, kid included; a single run's kid shows
  the estimator's own standard error (kid_stderr)."""
  if "fd" not in results:
    raise ValueError(f"results: {name!r} has no image sample-quality metrics (is it an image model?)")
  if "label_accuracy" in results:
    classes = f"label acc. {mean_cell(results, 'label_accuracy', 3)}"
  else:
    classes = f"{results['modes_covered']:.0f} classes, KL {mean_cell(results, 'class_kl', 3)}"
  kid = (mean_cell(results, "kid", 4) if "stderr" in results
         else f"{results['kid']:.4f} ± {results['kid_stderr']:.4f}")
  return [name, str(results.get("step", MISSING)), mean_cell(results, "fd"), kid,
          mean_cell(results, "precision", 3), mean_cell(results, "recall", 3), classes]


def image_quality_table(named_results: list[tuple[str, dict]]) -> str:
  """Markdown table of (run name, evaluate_run results) pairs of image models."""
  header = ["model", "steps", "fd", "kid ± stderr", "precision", "recall", "classes / label accuracy"]
  rows = [image_quality_row(name, results) for name, results in named_results]
  return _markdown_table(header, [(row[0], row[1:]) for row in rows])


def run_sample_quality(workdir: str) -> dict:
  """`sample_quality_metrics` of the newest usable checkpoint in `workdir`, with the key
  PRNGKey(eval.seed) that scripts/evaluate.py uses (so the numbers equal its), plus 'step'.
  Reads the run only: no eval.json is written and the family's own evaluation is not run."""
  import jax  # pylint: disable=import-outside-toplevel
  from gen_jax.eval.sample_quality import sample_quality_metrics  # pylint: disable=import-outside-toplevel
  from gen_jax.train.rundir import load_run  # pylint: disable=import-outside-toplevel

  config, trainer, dataset, state = load_run(workdir)
  results = sample_quality_metrics(config, trainer, dataset, state, jax.random.PRNGKey(config.eval.seed))
  return {**results, "step": int(state.step)}


def image_table(workdirs: list[str], log=print) -> str:
  """`image_quality_table` of `run_sample_quality` of each run directory; `log(name, results
  as JSON)` after each run."""
  named_results = []
  for workdir, name in zip(workdirs, run_names(workdirs)):
    results = run_sample_quality(workdir)
    log(name, json.dumps(results, sort_keys=True))
    named_results.append((name, results))
  return image_quality_table(named_results)
