"""Training on a streamed folder: exact resume (with and without grain workers), skipped files in the
metrics, and the data errors of scripts/train.py (one line, exit 2, nothing written)."""

import json
import os
import subprocess
import sys
import time

import jax
import numpy as np
import pytest

from configs import engine_test
from gen_jax.data import streaming
from gen_jax.train import loop
from tests.helpers.image_folders import write_folder

from tests.helpers.cli import REPO


def folder_config(root, num_steps, num_workers=0):
  config = engine_test.tiny_config(num_steps=num_steps, checkpoint_every=3)
  config.data.name = f"folder:{root}"
  config.data.batch_size = 8
  config.data.num_workers = num_workers
  config.data.random_flip = True
  return config


def test_resume_on_a_streamed_folder_equals_the_uninterrupted_run(tmp_path):
  root = write_folder(tmp_path / "images", count=20, size=(4, 4), corrupt=1)
  steps = streaming.WARMUP_BATCHES + 6  # the resumed run reads its last batches from grain workers
  full = loop.train_and_evaluate(folder_config(root, steps), str(tmp_path / "full"))
  loop.train_and_evaluate(folder_config(root, 3), str(tmp_path / "resumed"))
  resumed = loop.train_and_evaluate(folder_config(root, steps, num_workers=2), str(tmp_path / "resumed"))
  assert int(resumed.step) == steps
  for a, b in zip(jax.tree.leaves(jax.device_get(full.params)), jax.tree.leaves(jax.device_get(resumed.params)),
                  strict=True):
    np.testing.assert_array_equal(a, b)
  records = [json.loads(line) for line in open(tmp_path / "full" / "metrics.jsonl", encoding="utf-8")]
  skipped = [r["data/skipped_examples"] for r in records if "data/skipped_examples" in r]
  assert skipped and skipped[-1] >= 1  # 14 batches of 8 from 21 files: the corrupt one was met


def mixed_sizes(tmp_path):
  root = write_folder(tmp_path / "mixed", count=4)
  write_folder(tmp_path / "mixed" / "a" / "more", count=1, size=(5, 5), classes=())
  return {"name": f"folder:{root}"}


@pytest.mark.parametrize("fields,message", [
    (lambda p: {"name": f"folder:{p / 'missing'}"}, "data.name: folder '.*missing' does not exist"),
    (lambda p: (p / "empty").mkdir() or {"name": f"folder:{p / 'empty'}"}, "data.name: folder .* holds no .png"),
    (mixed_sizes, "data.image_size: the images of .* have different sizes"),
    (lambda p: {"name": "mnist", "data_dir": str(p)}, "data.data_dir: tfds dataset 'mnist' is not prepared in"),
])
def test_data_errors_are_one_line_exit_2_before_the_workdir_is_touched(tmp_path, fields, message):
  overrides = [f"--config.data.{k}={v}" for k, v in fields(tmp_path).items()]
  workdir = tmp_path / "run"
  result = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "train.py"),
                           f"--config={os.path.join(REPO, 'configs', 'engine_test.py')}", f"--workdir={workdir}",
                           *overrides], capture_output=True, text=True, timeout=120, check=False)
  assert result.returncode == 2, result.stderr[-2000:]
  lines = result.stderr.strip().splitlines()
  assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr[-2000:]
  assert __import__("re").search(message, lines[0]), lines[0]
  assert not workdir.exists()


KILLED_CONSUMER = """
import os, signal, sys
from configs.default import get_config
from gen_jax import data
from gen_jax.data import streaming

if __name__ == "__main__":
  config = get_config().data
  config.name, config.num_workers = "folder:" + {root!r}, 1
  stream = data.batch_stream(data.load(config), 2, 0, config)
  stream.local_batches(0, streaming.WARMUP_BATCHES + 2)  # the last batches come from the worker
  children = [int(c) for task in os.listdir(f"/proc/{{os.getpid()}}/task")
              for c in open(f"/proc/{{os.getpid()}}/task/{{task}}/children").read().split()]
  print(" ".join(map(str, children)), flush=True)
  os.kill(os.getpid(), signal.SIGKILL)
"""


def test_grain_workers_exit_when_the_training_process_is_killed(tmp_path):
  root = write_folder(tmp_path / "images", count=8)
  script = tmp_path / "consumer.py"
  script.write_text(KILLED_CONSUMER.format(root=root))
  result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=False,
                          cwd=REPO, env={**os.environ, "PYTHONPATH": REPO})
  children = [int(pid) for pid in result.stdout.split()]
  assert result.returncode == -9 and children, result.stderr[-2000:]
  deadline = time.time() + 10 * streaming.PARENT_POLL_S + 10
  while time.time() < deadline and any(os.path.exists(f"/proc/{pid}") for pid in children):
    time.sleep(0.2)
  alive = [pid for pid in children if os.path.exists(f"/proc/{pid}")
           and "spawn_main" in open(f"/proc/{pid}/cmdline", encoding="utf-8", errors="replace").read()]
  assert not alive, f"grain workers {alive} outlived the process they served"
