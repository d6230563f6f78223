"""Reliability of whole processes: SIGKILL anywhere, SIGTERM/SIGINT, and the scripts' exit codes and one-line errors."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import jax
import numpy as np

import engine_model
from gen_jax.train import checkpoint, loop, rundir

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENGINE_CONFIG = f"--config={REPO}/tests/engine_config.py"


def script(name, *args, timeout=300):
  return subprocess.run([sys.executable, os.path.join(REPO, "scripts", name), *args], capture_output=True,
                        text=True, timeout=timeout, cwd=REPO)


def assert_one_line_error(result, code, *fragments):
  assert result.returncode == code, (result.returncode, result.stderr[-2000:])
  lines = result.stderr.strip().splitlines()
  assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
  for fragment in fragments:
    assert fragment in lines[0], lines[0]


def test_kill_anywhere_short_variant(tmp_path):
  """3 SIGKILLs (the first mid-checkpoint), each restart resumes its newest complete checkpoint, bitwise end."""
  result = script("kill_test.py", "--kills=3", "--steps=20", "--seed=1", f"--workdir={tmp_path}", timeout=600)
  assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
  summary = json.loads(result.stdout.strip().splitlines()[-1])
  assert summary["kills"] == 3 and summary["bitwise_equal"] and not summary["resume_errors"]
  assert summary["kills_mid_checkpoint"] >= 1 and summary["incomplete_checkpoints_at_end"] == 0
  assert summary["resumes_checked"] >= 2


def wait_for_scalar_lines(workdir, step, proc, limit_s=240):
  """Wait until metrics.jsonl logs step `step` (log_every=1)."""
  path = os.path.join(workdir, "metrics.jsonl")
  deadline = time.time() + limit_s
  while time.time() < deadline and proc.poll() is None:
    if os.path.exists(path) and f'"step": {step}, ' in open(path).read():
      return
    time.sleep(0.005)
  raise AssertionError(f"step {step} not logged within {limit_s} s (exit code {proc.poll()})")


def test_sigterm_then_sigint_save_the_current_step_exit_0_and_resume_bitwise(tmp_path):
  """SIGTERM stops run 1 at step s1 (checkpoint s1, exit 0, one line); run 2 resumes at s1, SIGINT stops it at
  s2; its checkpoint equals an uninterrupted run to s2 bit for bit."""
  steps = 400
  workdir = str(tmp_path / "run")
  command = [sys.executable, os.path.join(REPO, "scripts", "train.py"), ENGINE_CONFIG, f"--workdir={workdir}",
             f"--config.train.num_steps={steps}", "--config.train.checkpoint_every=1000",
             "--config.train.log_every=1", "--config.train.progress=False"]
  stopped_at = [0]
  for sig, name in ((signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")):
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    wait_for_scalar_lines(workdir, stopped_at[-1] + 3, proc)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err[-2000:]
    lines = out.strip().splitlines()
    if stopped_at[-1]:
      assert lines.pop(0) == f"resuming from the checkpoint at step {stopped_at[-1]}"
    assert len(lines) == 1, out
    match = re.fullmatch(rf"stopped by {name} at step (\d+); checkpoint saved in .*; run the same command again "
                         r"to resume", lines[0])
    assert match, lines[0]
    stopped_at.append(int(match.group(1)))
    assert stopped_at[-2] < stopped_at[-1] < steps and checkpoint.saved_steps_in(workdir)[-1] == stopped_at[-1]
  reference = loop.train_and_evaluate(engine_model.tiny_config(num_steps=stopped_at[-1], checkpoint_every=1000,
                                                               log_every=1), str(tmp_path / "reference"))
  resumed = rundir.load_run(workdir)[3]
  for a, b in zip(jax.tree.leaves(jax.device_get(reference)), jax.tree.leaves(jax.device_get(resumed)), strict=True):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_divergence_exits_3_with_one_line_naming_the_step(tmp_path):
  result = script("train.py", ENGINE_CONFIG, f"--workdir={tmp_path}", "--config.optim.learning_rate=1e30")
  assert_one_line_error(result, 3, "non-finite", "at step", "train.on_nonfinite")


def test_workdir_errors_exit_2_with_one_line(tmp_path):
  blocker = tmp_path / "file"
  blocker.write_text("")
  assert_one_line_error(script("train.py", ENGINE_CONFIG, f"--workdir={blocker}/run"), 2, "--workdir: cannot write")
  workdir = str(tmp_path / "run")
  loop.train_and_evaluate(engine_model.tiny_config(), workdir)
  for step in checkpoint.saved_steps_in(workdir):
    os.remove(os.path.join(checkpoint.checkpoint_dir(workdir), str(step), "state", "_METADATA"))
  assert_one_line_error(script("train.py", ENGINE_CONFIG, f"--workdir={workdir}"), 2, "no usable checkpoint")


def test_evaluate_bad_flags_exit_2_with_one_line(tmp_path):
  assert_one_line_error(script("evaluate.py", f"--workdir={tmp_path}", "--step=abc"), 2, "--step")
  assert_one_line_error(script("evaluate.py", f"--workdir={tmp_path}", "--no_such_flag"), 2, "no_such_flag")
  assert_one_line_error(script("evaluate.py"), 2, "--workdir")
  assert_one_line_error(script("evaluate.py", f"--workdir={tmp_path}", "extra"), 2, "unexpected arguments")


def test_train_bad_config_values_exit_2_with_one_line(tmp_path):
  assert_one_line_error(script("train.py", f"--config={REPO}/configs/no_such_config.py"), 2, "--config")
  assert_one_line_error(script("train.py", ENGINE_CONFIG, f"--workdir={tmp_path}", "--config.train.num_steps=1.5"),
                        2, "num_steps")
  assert_one_line_error(script("train.py", ENGINE_CONFIG, f"--workdir={tmp_path}", "--config.data.name=points",
                               f"--config.data.points_path={tmp_path}/missing.npy"), 2, "data.points_path")
