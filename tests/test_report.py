"""The run-comparison report (gen_jax.eval.report, scripts/report.py): pure helpers, and the
HTML / Markdown of a tiny GAN run and a tiny VAE run, self-contained, rendered by Chromium when
it is installed."""

import base64
import json
import os
import re
import subprocess
import sys

import matplotlib.image
import numpy as np
import pytest

from configs import gan_base, vae_digits
from gen_jax.eval import report
from gen_jax.train.run_evaluation import evaluate_run
from gen_jax.train.loop import train_and_evaluate

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_flatten_and_config_differences():
  a = report.flatten({"seed": 0, "model": {"name": "gan", "hidden": [8, 8]}, "eval": {"k": 1}})
  assert a == {"seed": 0, "model.name": "gan", "model.hidden": [8, 8], "eval.k": 1}
  b = {"seed": 0, "model.name": "vae", "model.hidden": [8, 8]}
  assert report.config_differences([a, b]) == {"eval.k": [1, report.MISSING], "model.name": ["gan", "vae"]}
  assert report.config_differences([a, dict(a)]) == {}


def test_read_curves_keeps_the_last_record_of_a_resumed_step(tmp_path):
  records = [{"step": 0, "hparams": {"seed": 0}}, {"step": 10, "wall_time": 1.0, "loss": 3.0},
             {"step": 20, "wall_time": 2.0, "loss": 2.0, "note": "text"},
             {"step": 10, "event": "resume", "message": "resuming"},
             {"step": 20, "wall_time": 3.0, "loss": 1.5, "kl": 0.5}]
  (tmp_path / "metrics.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n{\"step\": 3")
  curves = report.read_curves(str(tmp_path))
  assert sorted(curves) == ["kl", "loss"]
  np.testing.assert_array_equal(curves["loss"][0], [10, 20])
  np.testing.assert_array_equal(curves["loss"][1], [3.0, 1.5])
  np.testing.assert_array_equal(curves["kl"][0], [20])


def test_latest_pictures_picks_the_newest_of_each_kind(tmp_path):
  for name in ("samples_0000500.png", "samples_0001500.png", "samples_0001000.png", "strip.png",
               "latent_scatter_0000500.png", "notes.txt"):
    (tmp_path / name).write_bytes(b"")
  assert report.latest_pictures(str(tmp_path)) == {
      "latent_scatter": str(tmp_path / "latent_scatter_0000500.png"),
      "samples": str(tmp_path / "samples_0001500.png"), "strip": str(tmp_path / "strip.png")}
  assert report.latest_pictures(str(tmp_path / "absent")) == {}


def test_run_names_and_format_value():
  assert report.run_names(["runs/a", "x/b/", "y/a"]) == ["a (1)", "b", "a (3)"]
  assert [report.format_value(v) for v in (0.000123456, 3, [1, 2], "x", True, "")] == [
      "0.0001235", "3", "[1, 2]", "x", "True", '""']


def test_bad_arguments(tmp_path):
  with pytest.raises(ValueError, match="workdirs"):
    report.write_report([], str(tmp_path / "r.html"))
  with pytest.raises(ValueError, match="out"):
    report.write_report([str(tmp_path)], str(tmp_path / "r.md"))
  with pytest.raises(FileNotFoundError, match="workdir"):
    report.load_summary(str(tmp_path))


def tiny_gan_config():
  c = gan_base.get_config()
  c.data.name = "ring8"
  c.data.num_examples = 2000
  c.model.generator_hidden = (32, 32)
  c.model.discriminator_hidden = (32,)
  c.train.num_steps = 20
  c.train.steps_per_jit = 10
  c.train.log_every = 10
  c.train.eval_every = c.train.checkpoint_every = 20
  c.train.progress = False
  c.eval.num_samples = 200
  return c


def tiny_vae_config():
  c = vae_digits.get_config()
  c.train.num_steps = 20
  c.train.log_every = 10
  c.train.eval_every = c.train.checkpoint_every = 20
  c.train.progress = False
  return c


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
  """A GAN on ring8 (evaluated) and a VAE on digits (not evaluated), 20 steps each."""
  root = tmp_path_factory.mktemp("runs")
  gan, vae = str(root / "gan_ring8"), str(root / "vae_digits")
  train_and_evaluate(tiny_gan_config(), gan)
  evaluate_run(gan)
  train_and_evaluate(tiny_vae_config(), vae)
  return gan, vae


@pytest.fixture(scope="module")
def written(two_runs, tmp_path_factory):
  out = str(tmp_path_factory.mktemp("report") / "report.html")
  result = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "report.py"), *two_runs, f"--out={out}"],
                          capture_output=True, text=True, check=False, cwd=REPO)
  assert result.returncode == 0, result.stderr
  assert result.stdout.split() == [out, out[:-len(".html")] + ".md"]
  with open(out, encoding="utf-8") as f:
    return out, f.read()


@pytest.mark.slow  # trains two tiny runs (~30 s)
def test_html_is_self_contained(written):
  _, page = written
  assert not re.search(r"(https?|file|ftp)://", page)
  assert not re.search(r"""(src|href)=["'](?!data:)""", page)
  sources = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
  assert len(sources) >= 1 + 2 + 5  # curves, the GAN's scatter and strip, the VAE's five pictures
  for source in sources:
    assert base64.b64decode(source).startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.slow
def test_html_shows_config_differences_metrics_and_curves(written, two_runs):
  _, page = written
  differences = page.split("<h2>Config differences</h2>")[1].split("<h2>")[0]
  for field in ("model.name", "data.name", "data.binarize", "model.generator_hidden"):
    assert f"<th>{field}</th>" in differences
  assert "<th>seed</th>" not in differences and "<th>train.num_steps</th>" not in differences
  evaluation = page.split("<h2>Evaluation (eval.json)</h2>")[1].split("<h2>")[0]
  with open(os.path.join(two_runs[0], "eval.json"), encoding="utf-8") as f:
    std_ratio = json.load(f)["std_ratio"]
  assert re.search(rf"<th>std_ratio</th><td class=\"num\">{report.format_value(std_ratio)}</td><td class=\"num\">-</td>",
                   evaluation)
  logged = page.split("<h2>Last logged training metrics</h2>")[1].split("<h2>")[0]
  assert "<th>loss/generator</th>" in logged and "<th>elbo</th>" in logged and "(step 20)" in logged


@pytest.mark.slow
def test_markdown_twin_links_existing_pictures(written):
  out, _ = written
  markdown_path = out[:-len(".html")] + ".md"
  with open(markdown_path, encoding="utf-8") as f:
    markdown = f.read()
  assert "| model.name | gan | vae |" in markdown
  links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
  assert "report_files/curves.png" in links and len(links) >= 8
  for link in links:
    assert os.path.isfile(os.path.join(os.path.dirname(markdown_path), link)), link


@pytest.mark.slow
@pytest.mark.skipif(report.find_chromium() is None, reason="chromium is not installed")
def test_chromium_renders_the_page(written):
  out, _ = written
  png = report.render_png(out, out[:-len(".html")] + ".png", width=1000, height=1600)
  pixels = matplotlib.image.imread(png)  # [H, W, 4] in [0, 1]
  assert pixels.shape[:2] == (1600, 1000)
  assert pixels[..., :3].std() > 0.05  # not a blank page


GAN_RESULTS = dict(step=1500, fd=12.345, kid=0.01234, kid_stderr=0.00123, precision=0.8, recall=0.7,
                   modes_covered=10.0, class_kl=0.0234)


def test_image_quality_table_rows():
  conditional = dict(GAN_RESULTS, label_accuracy=0.9567)
  table = report.image_quality_table([("dcgan", GAN_RESULTS), ("cgan", conditional)]).splitlines()
  assert table[0] == "| model | steps | fd | kid ± stderr | precision | recall | classes / label accuracy |"
  assert table[2] == "| dcgan | 1500 | 12.35 | 0.0123 ± 0.0012 | 0.800 | 0.700 | 10 classes, KL 0.023 |"
  assert table[3].endswith("| label acc. 0.957 |")
  with pytest.raises(ValueError, match="ring8"):
    report.image_quality_row("ring8", {"modes": 8})


def test_image_quality_row_of_a_mean_over_seeds_shows_standard_errors_over_seeds():
  seeds_mean = dict(GAN_RESULTS, stderr=dict(fd=1.5, kid=0.002, precision=0.01, recall=0.02, class_kl=0.004))
  row = report.image_quality_row("vae (3 seeds)", seeds_mean)
  assert row[2:] == ["12.35 ± 1.50", "0.0123 ± 0.0020", "0.800 ± 0.010", "0.700 ± 0.020",
                     "10 classes, KL 0.023 ± 0.004"]  # kid's spread is over seeds, not kid_stderr


def test_image_table_evaluates_each_run(monkeypatch):
  evaluated, logged = [], []
  monkeypatch.setattr(report, "run_sample_quality", lambda w: evaluated.append(w) or GAN_RESULTS)
  table = report.image_table(["runs/a", "runs/b"], log=lambda name, results: logged.append(name))
  assert evaluated == ["runs/a", "runs/b"] and logged == ["a", "b"]
  assert table.splitlines()[3].startswith("| b | 1500 | 12.35 |")
