"""Multi-process runs: start the JAX runtime, end the run when a peer is lost, agree before clean-up.

A multi-controller run fails differently from one process: a host that dies or
is pre-empted leaves the others waiting in a collective forever. The JAX
runtime already detects it: every process sends heartbeats to the coordination
service (hosted by process 0), which declares a process silent for
`train.heartbeat_timeout_s` seconds dead. The runtime's own reaction is to abort
every survivor with pages of C++ stack trace (exit code 134). `initialize`
starts the service in recoverable mode (the survivors keep running);
`coordinated_exit`, around the run, keeps a watchdog thread reading the
service's liveness view: a lost peer ends each survivor with ONE line on stderr
naming it and exit code `EXIT_PEER_LOST` = 4; at the end the processes leave
together, so that no one takes another's normal exit for a loss. Processes that
do not all connect within `train.initialization_timeout_s` raise
`PeerLostError` (exit code 4 too).

Saved checkpoints are never touched by a loss: orbax commits a step only after
every process has written its part (a barrier, then the atomic rename on
process 0), so a step half written when a peer died stays a temporary directory
that the next start removes (`resume.tidy`, on process 0 between two
`barrier`s).

Limitation (jaxlib 0.10): when process 0 itself dies, the runtime's error poller
in each survivor sees the connection close and aborts it at once (SIGABRT, its
own message) before the watchdog can report; the run still ends, it does not
hang.
"""

import atexit
import contextlib
import os
import sys
import threading
import time

import jax
from jax.experimental import multihost_utils

from gen_jax.train import config_checks

EXIT_PEER_LOST = 4
POLL_S = 1.0
EXIT_BARRIER_TIMEOUT_S = 3600


class PeerLostError(RuntimeError):
  """Not every process of a multi-process run could be reached (scripts exit with code 4)."""


def peer_lost_line(lost: list[int], process_id: int, heartbeat_timeout_s: int) -> str:
  """The one line printed when this process learns that the processes `lost` are gone."""
  who = ", ".join(map(str, lost))
  if lost == [0] and process_id != 0:
    who += " (the coordination service)"
  return (f"error: peer lost: process {who} stopped (no heartbeat within {heartbeat_timeout_s} s), seen by "
          f"process {process_id}; the newest complete checkpoint is intact; restart all processes to resume")


class _Watchdog:
  """Ends this process with one line and exit code 4 once the runtime sees a peer gone.

  A thread, because the runtime gives Python no signal: its error propagation
  ends in a built-in abort (exit 134, pages of C++ stack), and the client's
  `missed_heartbeat_callback` cannot be a Python function in jaxlib 0.10 (the
  status argument fails to convert: std::bad_cast, terminate). So the service is
  started in recoverable mode (it keeps the survivors running) and this thread
  polls its liveness view, `get_live_nodes`, fed by the same heartbeats: a
  process silent for heartbeat_timeout_s is missing from it, and a service that
  cannot be reached at all means process 0 (its host) is gone. The main thread
  may be blocked in a collective with the dead peer, which no exception can
  interrupt, hence os._exit.
  """

  def __init__(self, client, heartbeat_timeout_s: int):
    self.client, self.heartbeat_timeout_s = client, heartbeat_timeout_s
    self.process_ids = list(range(jax.process_count()))
    self.stopped, self.exits = True, 0

  def start(self):
    """Watch from now until `stop_together` (again after a previous run in this process ended)."""
    if self.stopped:
      self.stopped = False
      threading.Thread(target=self._watch, name="gen_jax-peer-watchdog", daemon=True).start()

  def lost(self) -> list[int]:
    try:
      live = self.client.get_live_nodes(self.process_ids)
    except Exception:  # pylint: disable=broad-except  (any RPC failure: the service is unreachable)
      return [0]
    return [p for p in self.process_ids if p not in live]

  def _watch(self):
    while not self.stopped:
      time.sleep(POLL_S)
      lost = self.lost()
      if lost and not self.stopped:
        sys.stderr.write(peer_lost_line(lost, jax.process_index(), self.heartbeat_timeout_s) + "\n")
        sys.stderr.flush()
        os._exit(EXIT_PEER_LOST)  # pylint: disable=protected-access

  def stop_together(self):
    """Barrier, stop watching, barrier (see `coordinated_exit`).

    While this process waits for the others (e.g. process 0 still drawing pictures) the watchdog keeps
    watching, so the generous EXIT_BARRIER_TIMEOUT_S only bounds a peer alive but stuck.
    """
    self.exits += 1
    try:
      self.client.wait_at_barrier(f"gen_jax_exit_{self.exits}", EXIT_BARRIER_TIMEOUT_S * 1000)
      self.stopped = True
      self.client.wait_at_barrier(f"gen_jax_exit_{self.exits}_unwatched", EXIT_BARRIER_TIMEOUT_S * 1000)
    except Exception:  # pylint: disable=broad-except  (a peer is gone or stuck: give the watchdog time to report)
      deadline = time.time() + self.heartbeat_timeout_s + 10
      while time.time() < deadline and not self.stopped:
        time.sleep(POLL_S)

  def wait_for_peers_to_disconnect(self):
    """On process 0 at exit: keep the coordination service up until every other process has shut down its
    client (in recoverable mode the runtime's own shutdown barrier no longer waits for them)."""
    deadline = time.time() + self.heartbeat_timeout_s + 10
    while self.stopped and time.time() < deadline and len(self.client.get_live_nodes(self.process_ids)) > 1:
      time.sleep(0.05)


_watchdog = None


def initialize(config) -> None:
  """jax.distributed.initialize(...) when train.distributed; call it before any JAX computation.

  The cluster is auto-detected (SLURM, Open MPI, TPU pods) unless the config gives
  train.coordinator_address (or $JAX_COORDINATOR_ADDRESS), train.num_processes and
  train.process_id. CPU collectives use gloo, so CPU-only clusters work too. A peer
  silent for train.heartbeat_timeout_s seconds ends every process with one line and
  exit code 4 (see the module docstring); processes that do not all connect within
  train.initialization_timeout_s raise PeerLostError.
  """
  global _watchdog  # pylint: disable=global-statement
  t = config.train
  if not t.distributed or jax.distributed.is_initialized():
    return
  config_checks.validate(config)  # before the runtime reads the timeouts (build() validates again, cheaply)
  jax.config.update("jax_cpu_collectives_implementation", "gloo")
  jax.config.update("jax_enable_recoverability", True)  # survivors keep running; the watchdog ends them
  try:
    jax.distributed.initialize(coordinator_address=t.coordinator_address or None,
                               num_processes=t.num_processes or None,
                               process_id=t.process_id if t.process_id >= 0 else None,
                               initialization_timeout=t.initialization_timeout_s,
                               heartbeat_timeout_seconds=t.heartbeat_timeout_s)
  except (RuntimeError, ValueError) as e:  # jaxlib's errors derive from RuntimeError
    if "DEADLINE_EXCEEDED" not in str(e) and "UNAVAILABLE" not in str(e):
      raise
    reason = next((line.strip() for line in str(e).splitlines() if line.strip()), type(e).__name__)[:200]
    raise PeerLostError(f"peer lost: the {t.num_processes or ''} processes did not all connect to the "
                        f"coordination service within train.initialization_timeout_s = "
                        f"{t.initialization_timeout_s} s ({reason}); restart all processes") from e
  from jax._src import distributed  # pylint: disable=import-outside-toplevel
  _watchdog = _Watchdog(distributed.global_state.client, t.heartbeat_timeout_s)
  if jax.process_index() == 0:
    atexit.register(_watchdog.wait_for_peers_to_disconnect)  # runs before jax's own shutdown (registered earlier)


@contextlib.contextmanager
def coordinated_exit():
  """Watch for lost peers during the block, then leave it together, so no one takes another's exit for a loss.

  On the way in the watchdog starts (see `_Watchdog`). On the way out (return
  or exception) every process meets at a barrier, stops its watchdog, and meets
  at a second barrier; only then may process 0 (the coordination service's host)
  exit. An error raised because a peer died (a
  collective with it fails at once, gloo: 'Connection closed by peer', before
  the runtime declares it dead) waits at the first barrier, still watched,
  until the watchdog reports the loss (exit 4). A no-op in a single-process run.
  """
  if _watchdog is not None:
    _watchdog.start()
  try:
    yield
  finally:
    if _watchdog is not None:
      _watchdog.stop_together()


def barrier(name: str) -> None:
  """Wait until every process reaches `name` (a no-op in a single-process run)."""
  if jax.process_count() > 1:
    multihost_utils.sync_global_devices(name)
