"""scripts/demo_samplers.py writes its PNG (small sample count)."""

import importlib.util
import os

from absl import flags

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_demo_main_writes_png(tmp_path, capsys):
  spec = importlib.util.spec_from_file_location("demo_samplers", os.path.join(REPO, "scripts", "demo_samplers.py"))
  demo = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(demo)
  out = tmp_path / "pictures" / "samplers.png"
  out.parent.mkdir()
  flags.FLAGS(["demo_samplers.py", f"--out={out}", "--num_samples=2000"])
  try:
    demo.main([])
  finally:
    flags.FLAGS.unparse_flags()
  assert capsys.readouterr().out.strip() == str(out)
  assert out.read_bytes()[:8] == PNG_SIGNATURE and out.stat().st_size > 20_000
