"""Kill anywhere: SIGKILL a training run at random moments, restart it, and compare with an uninterrupted run.

`python scripts/kill_test.py [--kills=10] [--steps=150] [--seed=0] [--workdir=DIR] [--processes=1] [--folder_images=N]`

Trains the tiny engine-test model (configs/engine_test.py) with a checkpoint at
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

With --processes=2 the run is a 2-process run on 127.0.0.1 (2 fake CPU devices
each, gloo), the reference too. Each kill SIGKILLs one process chosen at random
(the first: process 1, mid-checkpoint); the survivor must then exit by itself
within 120 s with exit code 4 and one `error: peer lost: process <killed> ...`
line (counted in `peer_lost_exits`, failures listed in `peer_lost_errors`),
after which both processes are restarted. One exception is counted apart: when
process 0, the host of the coordination service, is killed, the runtime's error
poller in process 1 sees the connection close and aborts it at once (SIGABRT, or SIGSEGV,
its own multi-line message) before gen_jax's watchdog can report; jaxlib 0.10
offers no Python hook for that (`coordinator_lost_aborts`).

With `--folder_images=N` the model trains on a streamed folder instead of
ring8: N 8x8 grey JPEGs written to DIR/images by scripts/make_image_folder.py,
read by one grain worker (`data.num_workers=1`) with random flips.
"""

import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time

from absl import flags

from gen_jax import cli
from gen_jax.train import host_devices


MODES = ("checkpoint", "training", "startup")
MODE_WEIGHTS = (0.4, 0.4, 0.2)
POLL_S = 0.001
WAIT_LIMIT_S = 120.0
HEARTBEAT_TIMEOUT_S = 10  # multi-process runs: a killed process is declared lost after this long


def train_command(workdir: str, steps: int, data: list[str], process_id: int | None = None,
                  port: int = 0) -> list[str]:
  """train.py on the engine-test model with the `data` flags; with `process_id`, one of two processes
  coordinated on 127.0.0.1:`port`."""
  command = [sys.executable, os.path.join(cli.REPO_ROOT, "scripts", "train.py"),
             f"--config={os.path.join(cli.REPO_ROOT, 'configs', 'engine_test.py')}", f"--workdir={workdir}",
             f"--config.train.num_steps={steps}", "--config.train.checkpoint_every=1",
             "--config.train.log_every=1", f"--config.train.eval_every={steps}", "--config.train.keep_checkpoints=2",
             "--config.train.progress=False", *data]
  if process_id is None:
    return command
  return command + ["--config.train.distributed=True", f"--config.train.coordinator_address=127.0.0.1:{port}",
                    "--config.train.num_processes=2", f"--config.train.process_id={process_id}",
                    f"--config.train.heartbeat_timeout_s={HEARTBEAT_TIMEOUT_S}",
                    f"--config.train.initialization_timeout_s={int(WAIT_LIMIT_S) // 2}"]


def folder_data(root: str, count: int) -> list[str]:
  """Config flags training on a new folder of `count` 8x8 grey images in root/images ([] for count 0)."""
  if not count:
    return []
  folder = os.path.join(root, "images")
  subprocess.run([sys.executable, os.path.join(cli.REPO_ROOT, "scripts", "make_image_folder.py"), f"--out={folder}",
                  f"--count={count}", "--size=8", "--grey"], check=True, stdout=subprocess.DEVNULL)
  return [f"--config.data.name=folder:{folder}", "--config.data.num_workers=1", "--config.data.random_flip=True"]


def free_port() -> int:
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


def launch(workdir: str, steps: int, log_path: str, data: list[str], processes: int = 1) -> list[subprocess.Popen]:
  """The run's processes (one, or two on 127.0.0.1 with 2 fake CPU devices each), output in `log_path`(.<i>)."""
  if processes == 1:
    log = open(log_path, "w", encoding="utf-8")  # pylint: disable=consider-using-with
    return [subprocess.Popen(train_command(workdir, steps, data), stdout=log, stderr=subprocess.STDOUT, cwd=cli.REPO_ROOT)]
  env = {**host_devices.with_host_devices(2), "JAX_PLATFORMS": "cpu"}
  port, procs = free_port(), []
  for i in range(processes):
    log = open(f"{log_path}.{i}", "w", encoding="utf-8")  # pylint: disable=consider-using-with
    procs.append(subprocess.Popen(train_command(workdir, steps, data, i, port), stdout=log, stderr=subprocess.STDOUT,
                                  cwd=cli.REPO_ROOT, env=env))
  return procs


def end(procs: list[subprocess.Popen]):
  """SIGKILL whatever is still running of `procs` (clean-up after a failure)."""
  for proc in procs:
    if proc.poll() is None:
      proc.kill()
      proc.wait()


def wait_all(procs: list[subprocess.Popen]) -> list[int]:
  return [proc.wait() for proc in procs]


def count_lines(path: str) -> int:
  if not os.path.exists(path):
    return 0
  with open(path, "rb") as f:
    return sum(1 for _ in f)


def wait_for(procs: list[subprocess.Popen], ready) -> bool:
  """Poll `ready()` every POLL_S until it holds (True) or a process ends (False)."""
  deadline = time.time() + WAIT_LIMIT_S
  while all(p.poll() is None for p in procs) and time.time() < deadline:
    if ready():
      return True
    time.sleep(POLL_S)
  return False


def kill_at(procs, victim: int, mode: str, workdir: str, rng: random.Random, startup_s: float) -> bool:
  """SIGKILL `procs[victim]` at a moment chosen by `mode`; False if a process ended on its own first.

  'startup' kills at a uniform time in [0.1, 1] x `startup_s` (the time the first
  launch took to reach its first save), or at its first logged step if sooner: in
  imports, compilation, restore or cleanup.
  """
  from gen_jax.train import checkpoint  # pylint: disable=import-outside-toplevel

  metrics = os.path.join(workdir, "metrics.jsonl")
  lines = count_lines(metrics)
  if mode == "startup":  # never later than the end of startup (the first logged step) of this launch
    end_time = time.time() + rng.uniform(0.1, 1.0) * startup_s
    ok = wait_for(procs, lambda: time.time() >= end_time or count_lines(metrics) > lines + 1)
  elif mode == "training":
    ok = wait_for(procs, lambda: count_lines(metrics) > lines + 1)
    ok = ok and wait_for(procs, lambda end_time=time.time() + rng.uniform(0.0, 0.2): time.time() >= end_time)
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

    ok = wait_for(procs, mid_save)
  if not ok:
    return False
  procs[victim].send_signal(signal.SIGKILL)
  procs[victim].wait()
  return True


def check_survivors(procs, victim: int, log_path: str, summary: dict):
  """The processes other than `victim` must exit within WAIT_LIMIT_S with code 4 and one line naming it."""
  killed_at = time.time()
  for i, proc in enumerate(procs):
    if i == victim:
      continue
    try:
      code = proc.wait(timeout=WAIT_LIMIT_S)
    except subprocess.TimeoutExpired:
      summary["peer_lost_errors"].append(f"process {i} still running {WAIT_LIMIT_S:.0f} s after process {victim} "
                                         "was killed")
      end([proc])
      continue
    summary["survivor_exit_s_max"] = max(summary.get("survivor_exit_s_max", 0.0), round(time.time() - killed_at, 1))
    with open(f"{log_path}.{i}", encoding="utf-8") as f:
      errors = [line for line in f if line.startswith("error:")]
    named = f"process {victim}" in errors[0] or "did not all connect" in errors[0] if errors else False
    if code == 4 and len(errors) == 1 and named:  # a kill before all connected is reported without a name
      summary["peer_lost_exits"] += 1
    elif victim == 0 and code in (-signal.SIGABRT, -signal.SIGSEGV):
      # the runtime's own abort when the coordinator is gone (see the module docstring); seen as SIGABRT,
      # and as SIGSEGV when the coordination client is torn down mid-call
      summary["coordinator_lost_aborts"] += 1
    else:
      summary["peer_lost_errors"].append(f"process {i} exited with {code} and error lines {errors} after process "
                                         f"{victim} was killed")


def new_start_events(workdir: str, first_line: int) -> list[dict]:
  from gen_jax.train.metrics_writer import read_metrics  # pylint: disable=import-outside-toplevel

  records = read_metrics(workdir) if os.path.exists(os.path.join(workdir, "metrics.jsonl")) else []
  return [r for r in records[first_line:] if r.get("event") in ("start", "resume")]


def state_leaves(workdir: str):
  import jax  # pylint: disable=import-outside-toplevel
  import numpy as np  # pylint: disable=import-outside-toplevel

  from gen_jax.train.rundir import load_run  # pylint: disable=import-outside-toplevel

  return [np.asarray(x) for x in jax.tree.leaves(jax.device_get(load_run(workdir)[3]))]


def kill_loop(workdir: str, steps: int, kills: int, rng: random.Random, logs: str, data: list[str],
              processes: int = 1) -> dict:
  """Kill and restart the run in `workdir` `kills` times, then let it finish; returns the counts."""
  from gen_jax.train import checkpoint  # pylint: disable=import-outside-toplevel

  summary = {"kills": 0, "kills_mid_checkpoint": 0, "kills_by_mode": dict.fromkeys(MODES, 0), "launches": [],
             "incomplete_checkpoints_left": 0, "resumes_checked": 0, "resume_errors": []}
  if processes > 1:
    summary.update(kills_by_process=[0] * processes, peer_lost_exits=0, coordinator_lost_aborts=0,
                   peer_lost_errors=[])
  metrics = os.path.join(workdir, "metrics.jsonl")
  launches, startup_s = 0, 5.0 * processes
  while True:
    steps_before = checkpoint.saved_steps_in(workdir)
    expected = steps_before[-1] if steps_before else 0
    first_line = count_lines(metrics)
    finishing = summary["kills"] >= kills
    launched_at = time.time()
    log_path = os.path.join(logs, f"launch_{launches}.log")
    procs = launch(workdir, steps, log_path, data, processes)
    launches += 1
    try:
      mode = MODES[0] if summary["kills"] == 0 else rng.choices(MODES, MODE_WEIGHTS)[0]
      victim = rng.randrange(processes) if processes > 1 and summary["kills"] else processes - 1
      killed = not finishing and kill_at(procs, victim, mode, workdir, rng, startup_s)
      if killed and summary["kills"] == 0:
        startup_s = time.time() - launched_at
      if killed:
        summary["kills"] += 1
        summary["kills_by_mode"][mode] += 1
        if processes > 1:
          summary["kills_by_process"][victim] += 1
          check_survivors(procs, victim, log_path, summary)
        left = checkpoint.incomplete_checkpoints(workdir)
        summary["kills_mid_checkpoint"] += bool(left)
        summary["incomplete_checkpoints_left"] += len(left)
      else:
        codes = wait_all(procs)
    finally:
      end(procs)
    summary["launches"].append(f"{'finish' if finishing else mode}: {'killed' if killed else 'ended'} after "
                               f"{time.time() - launched_at:.1f} s")
    for event in new_start_events(workdir, first_line):
      summary["resumes_checked"] += 1
      if event["step"] != expected:
        summary["resume_errors"].append(f"launch {launches - 1}: started at step {event['step']}, "
                                        f"newest complete checkpoint was {expected}")
    if not killed:
      summary["final_returncode"] = max(codes)
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
  steps, processes = flags.FLAGS.steps, flags.FLAGS.processes
  if processes not in (1, 2):
    cli.fail(f"--processes: expected 1 or 2, got {processes}")
  data = folder_data(root, flags.FLAGS.folder_images)
  ref = launch(reference, steps, os.path.join(logs, "reference.log"), data, processes)  # runs beside the kill loop
  try:
    summary = kill_loop(killed, steps, flags.FLAGS.kills, random.Random(flags.FLAGS.seed), logs, data, processes)
    if max(wait_all(ref)) != 0:
      cli.fail(f"the uninterrupted reference run failed; see {os.path.join(logs, 'reference.log')}", 1)
  finally:
    end(ref)
  final_steps = checkpoint.saved_steps_in(killed)
  summary["final_step"] = final_steps[-1] if final_steps else None
  summary["incomplete_checkpoints_at_end"] = len(checkpoint.incomplete_checkpoints(killed))
  equal = summary["final_step"] == steps and all(
      a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
      for a, b in zip(state_leaves(reference), state_leaves(killed), strict=True))
  summary.update(bitwise_equal=bool(equal), seconds=round(time.time() - start_time, 1), workdir=root,
                 data=data[0].removeprefix("--config.data.name=") if data else "ring8")
  ok = (equal and summary["kills"] == flags.FLAGS.kills and not summary["resume_errors"]
        and summary["final_returncode"] == 0 and summary["incomplete_checkpoints_at_end"] == 0
        and not summary.get("peer_lost_errors"))
  print(json.dumps(summary, sort_keys=True))
  if not ok:
    sys.exit(1)


def define_flags():
  """The script's flags (defined only when it runs, so tests can import its helpers)."""
  flags.DEFINE_integer("kills", 10, "Number of SIGKILLs before the run may finish.")
  flags.DEFINE_integer("steps", 150, "Training steps of the run (train.num_steps).")
  flags.DEFINE_integer("seed", 0, "Seed of the kill schedule.")
  flags.DEFINE_string("workdir", "", "Directory for the two runs (default: a new temporary directory).")
  flags.DEFINE_integer("processes", 1, "Processes of the run (1 or 2; 2 = a multi-process run on 127.0.0.1).")
  flags.DEFINE_integer("folder_images", 0, "Train on a generated folder of this many 8x8 images (0: on ring8).")


if __name__ == "__main__":
  define_flags()
  cli.run(main)
