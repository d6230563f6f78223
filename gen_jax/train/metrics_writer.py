"""One metrics writer on process 0: DIR/metrics.jsonl plus TensorBoard event files.

metrics.jsonl holds one JSON object per line: the hyper-parameters at step 0,
scalars at log steps, and events ({"step", "event", "message"}: start/resume,
checkpoint fallbacks, rollbacks, stops). A run killed mid-write may leave a
partial last line; the next start ends it with a newline, and `read_metrics`
skips lines that do not parse. After a resume, steps between the last
checkpoint and the kill appear twice: take the last record of a step.
"""

import json
import os
import sys
import time

import jax
import numpy as np
import tqdm


def _to_python(value):
  value = np.asarray(value)
  return value.item() if value.ndim == 0 else value.tolist()


class MetricsWriter:
  """Appends one JSON object per log step to DIR/metrics.jsonl and mirrors scalars to TensorBoard.

  On processes other than 0 every call is a no-op.
  """

  def __init__(self, workdir: str):
    self.enabled = jax.process_index() == 0
    self._tb = None
    self._file = None
    if self.enabled:
      os.makedirs(workdir, exist_ok=True)
      path = os.path.join(workdir, "metrics.jsonl")
      self._file = open(path, "a", encoding="utf-8")
      if _ends_mid_line(path):
        self._file.write("\n")
      from tensorboardX import SummaryWriter  # pylint: disable=import-outside-toplevel
      self._tb = SummaryWriter(os.path.join(workdir, "tensorboard"))

  def write_hparams(self, config_dict: dict):
    """Record the hyper-parameters at step 0 (JSON line and TensorBoard text)."""
    if not self.enabled:
      return
    self._write_line({"step": 0, "wall_time": time.time(), "hparams": config_dict})
    self._tb.add_text("hparams", "```\n" + json.dumps(config_dict, indent=2) + "\n```", 0)

  def write_scalars(self, step: int, scalars: dict, seed: int | None = None):
    """Record the scalars of `step`; with `seed` (one seed of a seed-batched run) the record has a 'seed'
    field and the TensorBoard tags are prefixed 'seed_<s>/'."""
    if not self.enabled:
      return
    seed_field = {} if seed is None else {"seed": int(seed)}
    record = {"step": int(step), **seed_field, "wall_time": time.time(),
              **{k: _to_python(v) for k, v in scalars.items()}}
    self._write_line(record)
    prefix = "" if seed is None else f"seed_{seed}/"
    for name, value in record.items():
      if name not in ("step", "seed", "wall_time") and isinstance(value, (int, float)):
        self._tb.add_scalar(prefix + name, value, step)

  def write_event(self, step: int, event: str, message: str, stream=sys.stdout):
    """Record {"step", "event", "message"} and print `message` as one line on `stream` (None: don't)."""
    if not self.enabled:
      return
    if stream is not None:
      tqdm.tqdm.write(message, file=stream)
      stream.flush()
    self._write_line({"step": int(step), "wall_time": time.time(), "event": event, "message": message})

  def _write_line(self, record: dict):
    self._file.write(json.dumps(record) + "\n")
    self._file.flush()

  def close(self):
    if self.enabled:
      self._file.close()
      self._tb.close()


def _ends_mid_line(path: str) -> bool:
  with open(path, "rb") as f:
    f.seek(0, os.SEEK_END)
    if f.tell() == 0:
      return False
    f.seek(-1, os.SEEK_END)
    return f.read(1) != b"\n"


def read_metrics(workdir: str) -> list[dict]:
  """The records of DIR/metrics.jsonl, in order, skipping lines a kill left unfinished."""
  records = []
  with open(os.path.join(workdir, "metrics.jsonl"), encoding="utf-8") as f:
    for line in f:
      try:
        records.append(json.loads(line))
      except json.JSONDecodeError:
        continue
  return records
