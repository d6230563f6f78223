"""Reliability of 2-process runs on 127.0.0.1 (gloo): a dead peer, a pre-empted process, coordinated clean-up.

Every test starts its processes with scripts/train.py and SIGKILLs any still running in a finally block.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time

from gen_jax.train import checkpoint, multihost
from gen_jax.train.metrics_writer import read_metrics
from tests.helpers.cli import REPO, fake_devices_env, load_script

LIMIT_S = 240  # every wait is bounded; 2-process runs on 2 loaded cores are slow
GLOO_NOTE = re.compile(r"\[Gloo\]|Expected number of connected peer ranks is")


def launch_pair(workdir, steps, env_by_process=({}, {})):
  """scripts/kill_test.py's 2-process command (checkpoint every step), with extra environment per process."""
  kill_test = load_script("kill_test")

  port, procs = kill_test.free_port(), []
  for i, extra in enumerate(env_by_process):
    env = fake_devices_env(2, **extra)
    command = kill_test.train_command(workdir, steps, [], i, port) + ["--config.train.checkpoint_every=1000"]
    procs.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                                  env=env))
  return procs


def end(procs):
  for proc in procs:
    if proc.poll() is None:
      proc.kill()
      proc.communicate()


def wait_for_step(workdir, step, procs):
  path = os.path.join(workdir, "metrics.jsonl")
  deadline = time.time() + LIMIT_S
  while time.time() < deadline and all(p.poll() is None for p in procs):
    if os.path.exists(path) and any(r.get("step", -1) >= step and "loss" in r for r in read_metrics(workdir)):
      return
    time.sleep(0.05)
  raise AssertionError(f"step {step} not logged within {LIMIT_S} s (exit codes {[p.poll() for p in procs]})")


def test_sigterm_to_one_process_stops_both_at_one_checkpoint_and_restart_resumes_after_a_coordinated_tidy(
    tmp_path):
  """SIGTERM to process 1 only: both processes agree, one checkpoint at one step, both exit 0. The restart
  resumes there; the leftover of an interrupted save is removed by process 0 only after process 1, a slow
  reader ($GEN_JAX_TEST_SLOW_READ_S), has finished reading and verifying its checkpoint (with the barriers in
  resume.tidy made no-ops, this test fails: process 0 tidied 3 s before process 1's read ended)."""
  workdir, trace = str(tmp_path / "run"), str(tmp_path / "trace.txt")
  procs = launch_pair(workdir, 400)
  try:
    wait_for_step(workdir, 3, procs)
    procs[1].send_signal(signal.SIGTERM)
    outputs = [proc.communicate(timeout=LIMIT_S) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], [err[-2000:] for _, err in outputs]
  finally:
    end(procs)
  # gloo's own notes ('[Gloo] Rank 0 is connected to 1 peer ranks. Expected number of connected peer ranks is : 1')
  # come from its threads without line atomicity: two can share a line and the second's tail start the next.
  lines = [line for line in outputs[0][0].splitlines() if not GLOO_NOTE.search(line)]
  match = re.fullmatch(r"stopped by a signal to another process at step (\d+); checkpoint saved in .*; run the "
                       r"same command again to resume", "\n".join(lines))
  assert match, outputs[0][0]
  stopped = int(match.group(1))
  assert 3 <= stopped < 400 and checkpoint.saved_steps_in(workdir) == [stopped]

  leftover = f"{stopped + 1}{checkpoint.INCOMPLETE_MARK}"
  os.makedirs(os.path.join(checkpoint.checkpoint_dir(workdir), leftover, "state"))
  traced = {checkpoint.TRACE_ENV: trace}
  procs = launch_pair(workdir, stopped + 1, (traced, {**traced, checkpoint.SLOW_READ_ENV: "3"}))
  try:
    outputs = [proc.communicate(timeout=LIMIT_S) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], [err[-2000:] for _, err in outputs]
  finally:
    end(procs)
  records = read_metrics(workdir)
  assert [r["step"] for r in records if r.get("event") == "resume"] == [stopped]
  assert any(leftover in r["message"] for r in records if r.get("event") == "cleanup")
  assert checkpoint.saved_steps_in(workdir) == [stopped, stopped + 1] and not checkpoint.incomplete_checkpoints(workdir)
  events = {}
  for line in open(trace, encoding="utf-8"):
    at, _, process, event = line.split(" ", 3)
    events[(int(process), event.strip())] = float(at)
  assert events[(1, f"read {stopped} ends")] < events[(0, "tidy")], events


def test_dead_peer_kill_loop_short_variant(tmp_path):
  """2 SIGKILLs of a 2-process run (the first: process 1 mid-checkpoint): each time the survivor exits by itself
  within 120 s with code 4 and one line naming the killed process; the restarts resume from the newest complete
  checkpoint, the half-written one is never used, and the final state equals an uninterrupted 2-process run's."""
  result = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "kill_test.py"), "--processes=2",
                           "--kills=2", "--steps=12", "--seed=1", f"--workdir={tmp_path}"],
                          capture_output=True, text=True, timeout=900, cwd=REPO)
  assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
  summary = json.loads(result.stdout.strip().splitlines()[-1])
  assert summary["kills"] == 2 and summary["kills_by_process"][1] >= 1 and summary["bitwise_equal"]
  assert summary["peer_lost_exits"] >= summary["kills_by_process"][1] and not summary["peer_lost_errors"]
  assert summary["peer_lost_exits"] + summary["coordinator_lost_aborts"] == 2 and not summary["resume_errors"]
  assert summary["survivor_exit_s_max"] < 120 and summary["kills_mid_checkpoint"] >= 1
  assert summary["incomplete_checkpoints_at_end"] == 0 and summary["resumes_checked"] >= 2


def test_peer_lost_line_names_the_lost_process():
  assert multihost.peer_lost_line([1], 0, 10).startswith("error: peer lost: process 1 stopped (no heartbeat "
                                                          "within 10 s), seen by process 0;")
  assert "process 0 (the coordination service)" in multihost.peer_lost_line([0], 1, 10)
