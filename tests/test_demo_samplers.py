"""scripts/demo_samplers.py writes its PNG (small sample count)."""

import importlib.util
import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_demo_writes_png(tmp_path):
  spec = importlib.util.spec_from_file_location("demo_samplers", os.path.join(REPO, "scripts", "demo_samplers.py"))
  demo = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(demo)
  out = str(tmp_path / "samplers.png")
  assert demo.draw_samplers_figure(out, num_samples=2000) == out
  with open(out, "rb") as f:
    assert f.read(8) == PNG_SIGNATURE
  assert os.path.getsize(out) > 20_000
