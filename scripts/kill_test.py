"""Kill anywhere: SIGKILL a training run at random moments, restart it, and compare with an uninterrupted run.

`python scripts/kill_test.py [--kills=10] [--steps=150] [--seed=0] [--workdir=DIR] [--folder_images=N]`

Trains the tiny engine-test model (tests/engine_config.py) with a checkpoint at
every step, once uninterrupted (DIR/reference) and once (DIR/killed) through
`--kills` SIGKILLs at random moments: while it starts up, while it trains, and
the moment a checkpoint's temporary directory appears (mid-write; the summary
counts the kills that really left one). Before each
restart it notes the newest complete checkpoint; the restart must resume from
exactly that step (its 'resume' event in metrics.jsonl), with any interrupted
save cleaned up. At the end the two runs' states (parameters, optimizer and
model state, key, step) must be equal bit for bit and no temporary checkpoint
may be left. Prints one JSON summary on the last line; exit code 0 iff every
check passed.

With `--folder_images=N` the model trains on a streamed folder instead of
ring8: N 8x8 grey JPEGs written to DIR/images by scripts/make_image_folder.py,
read by one grain worker (`data.num_workers=1`) with random flips.
"""

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

from absl import flags

from gen_jax import cli

flags.DEFINE_integer("kills", 10, "Number of SIGKILLs before the run may finish.")
flags.DEFINE_integer("steps", 150, "Training steps of the run (train.num_steps).")
flags.DEFINE_integer("seed", 0, "Seed of the kill schedule.")
flags.DEFINE_string("workdir", "", "Directory for the two runs (default: a new temporary directory).")
flags.DEFINE_integer("folder_images", 0, "Train on a generated folder of this many 8x8 images (0: on ring8).")

MODES = ("checkpoint", "training", "startup")
MODE_WEIGHTS = (0.4, 0.4, 0.2)
POLL_S = 0.001
WAIT_LIMIT_S = 120.0


def train_command(workdir: str, steps: int, data: list[str]) -> list[str]:
  return [sys.executable, os.path.join(cli.REPO_ROOT, "scripts", "train.py"),
          f"--config={os.path.join(cli.REPO_ROOT, 'tests', 'engine_config.py')}", f"--workdir={workdir}",
          f"--config.train.num_steps={steps}", "--config.train.checkpoint_every=1",
          "--config.train.log_every=1", f"--config.train.eval_every={steps}", "--config.train.keep_checkpoints=2",
          *data]


def folder_data(root: str, count: int) -> list[str]:
  """Config flags training on a new folder of `count` 8x8 grey images in root/images ([] for count 0)."""
  if not count:
    return []
  folder = os.path.join(root, "images")
  subprocess.run([sys.executable, os.path.join(cli.REPO_ROOT, "scripts", "make_image_folder.py"), f"--out={folder}",
                  f"--count={count}", "--size=8", "--grey"], check=True, stdout=subprocess.DEVNULL)
  return [f"--config.data.name=folder:{folder}", "--config.data.num_workers=1", "--config.data.random_flip=True"]


def launch(workdir: str, steps: int, log_path: str, data: list[str]) -> subprocess.Popen:
  log = open(log_path, "w", encoding="utf-8")  # pylint: disable=consider-using-with
  return subprocess.Popen(train_command(workdir, steps, data), stdout=log, stderr=subprocess.STDOUT,
                          cwd=cli.REPO_ROOT)


def count_lines(path: str) -> int:
  if not os.path.exists(path):
    return 0
  with open(path, "rb") as f:
    return sum(1 for _ in f)


def wait_for(proc: subprocess.Popen, ready) -> bool:
  """Poll `ready()` every POLL_S until it holds (True) or the process ends (False)."""
  deadline = time.time() + WAIT_LIMIT_S
  while proc.poll() is None and time.time() < deadline:
    if ready():
      return True
    time.sleep(POLL_S)
  return False


def kill_at(proc, mode: str, workdir: str, rng: random.Random, startup_s: float) -> bool:
  """SIGKILL `proc` at a moment chosen by `mode`; False if it ended on its own first.

  'startup' kills at a uniform time in [0.1, 1] x `startup_s` (the time the first
  launch took to reach its first save), or at its first logged step if sooner: in
  imports, compilation, restore or cleanup.
  """
  from gen_jax.train import checkpoint  # pylint: disable=import-outside-toplevel

  metrics = os.path.join(workdir, "metrics.jsonl")
  lines = count_lines(metrics)
  if mode == "startup":  # never later than the end of startup (the first logged step) of this launch
    end = time.time() + rng.uniform(0.1, 1.0) * startup_s
    ok = wait_for(proc, lambda: time.time() >= end or count_lines(metrics) > lines + 1)
  elif mode == "training":
    ok = wait_for(proc, lambda: count_lines(metrics) > lines + 1)
    ok = ok and wait_for(proc, lambda end=time.time() + rng.uniform(0.0, 0.2): time.time() >= end)
  else:  # mid-write: a temporary checkpoint directory of this launch, after `wanted` - 1 new complete steps
    first_line, wanted = count_lines(metrics), rng.randint(1, 3)
    before = checkpoint.saved_steps_in(workdir)
    target = (before[-1] if before else 0) + wanted - 1

    def mid_save():
      if count_lines(metrics) <= first_line:  # leftovers of earlier launches go before the start event
        return False
      steps = checkpoint.saved_steps_in(workdir)
      newest = steps[-1] if steps else 0
      # Under heavy load a save can finish between two polls; never wait past target + 2 steps.
      return (newest >= target and bool(checkpoint.incomplete_checkpoints(workdir))) or newest >= target + 2

    ok = wait_for(proc, mid_save)
  if not ok:
    return False
  proc.send_signal(signal.SIGKILL)
  proc.wait()
  return True


def new_start_events(workdir: str, first_line: int) -> list[dict]:
  from gen_jax.train.metrics_writer import read_metrics  # pylint: disable=import-outside-toplevel

  records = read_metrics(workdir) if os.path.exists(os.path.join(workdir, "metrics.jsonl")) else []
  return [r for r in records[first_line:] if r.get("event") in ("start", "resume")]


def state_leaves(workdir: str):
  import jax  # pylint: disable=import-outside-toplevel
  import numpy as np  # pylint: disable=import-outside-toplevel

  sys.path.insert(0, os.path.join(cli.REPO_ROOT, "tests"))
  import engine_model  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import  (registers the model)
  from gen_jax.train.rundir import load_run  # pylint: disable=import-outside-toplevel

  return [np.asarray(x) for x in jax.tree.leaves(jax.device_get(load_run(workdir)[3]))]


def kill_loop(workdir: str, steps: int, kills: int, rng: random.Random, logs: str, data: list[str]) -> dict:
  """Kill and restart the run in `workdir` `kills` times, then let it finish; returns the counts."""
  from gen_jax.train import checkpoint  # pylint: disable=import-outside-toplevel

  summary = {"kills": 0, "kills_mid_checkpoint": 0, "kills_by_mode": dict.fromkeys(MODES, 0), "launches": [],
             "incomplete_checkpoints_left": 0, "resumes_checked": 0, "resume_errors": []}
  metrics = os.path.join(workdir, "metrics.jsonl")
  launches, startup_s = 0, 5.0
  while True:
    steps_before = checkpoint.saved_steps_in(workdir)
    expected = steps_before[-1] if steps_before else 0
    first_line = count_lines(metrics)
    finishing = summary["kills"] >= kills
    launched_at = time.time()
    proc = launch(workdir, steps, os.path.join(logs, f"launch_{launches}.log"), data)
    launches += 1
    mode = MODES[0] if summary["kills"] == 0 else rng.choices(MODES, MODE_WEIGHTS)[0]
    killed = not finishing and kill_at(proc, mode, workdir, rng, startup_s)
    if killed and summary["kills"] == 0:
      startup_s = time.time() - launched_at
    if killed:
      summary["kills"] += 1
      summary["kills_by_mode"][mode] += 1
      left = checkpoint.incomplete_checkpoints(workdir)
      summary["kills_mid_checkpoint"] += bool(left)
      summary["incomplete_checkpoints_left"] += len(left)
    else:
      proc.wait()
    summary["launches"].append(f"{'finish' if finishing else mode}: {'killed' if killed else 'ended'} after "
                               f"{time.time() - launched_at:.1f} s")
    for event in new_start_events(workdir, first_line):
      summary["resumes_checked"] += 1
      if event["step"] != expected:
        summary["resume_errors"].append(f"launch {launches - 1}: started at step {event['step']}, "
                                        f"newest complete checkpoint was {expected}")
    if not killed:
      summary["final_returncode"] = proc.returncode
      return summary


def main(argv):
  if len(argv) > 1:
    cli.fail(f"unexpected arguments: {' '.join(argv[1:])}")
  from gen_jax.train import checkpoint  # pylint: disable=import-outside-toplevel

  start_time = time.time()
  root = flags.FLAGS.workdir or tempfile.mkdtemp(prefix="kill_test_")
  reference, killed = os.path.join(root, "reference"), os.path.join(root, "killed")
  logs = os.path.join(root, "logs")
  os.makedirs(logs, exist_ok=True)
  steps = flags.FLAGS.steps
  data = folder_data(root, flags.FLAGS.folder_images)
  ref = launch(reference, steps, os.path.join(logs, "reference.log"), data)  # runs beside the kill loop
  summary = kill_loop(killed, steps, flags.FLAGS.kills, random.Random(flags.FLAGS.seed), logs, data)
  if ref.wait() != 0:
    cli.fail(f"the uninterrupted reference run failed; see {os.path.join(logs, 'reference.log')}", 1)
  final_steps = checkpoint.saved_steps_in(killed)
  summary["final_step"] = final_steps[-1] if final_steps else None
  summary["incomplete_checkpoints_at_end"] = len(checkpoint.incomplete_checkpoints(killed))
  equal = summary["final_step"] == steps and all(
      a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
      for a, b in zip(state_leaves(reference), state_leaves(killed), strict=True))
  summary.update(bitwise_equal=bool(equal), seconds=round(time.time() - start_time, 1), workdir=root,
                 data=data[0].removeprefix("--config.data.name=") if data else "ring8")
  ok = (equal and summary["kills"] == flags.FLAGS.kills and not summary["resume_errors"]
        and summary["final_returncode"] == 0 and summary["incomplete_checkpoints_at_end"] == 0)
  print(json.dumps(summary, sort_keys=True))
  if not ok:
    sys.exit(1)


if __name__ == "__main__":
  cli.run(main)
