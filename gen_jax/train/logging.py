"""One metrics writer on process 0: DIR/metrics.jsonl plus TensorBoard event files."""

import json
import os
import time

import jax
import numpy as np


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
      self._file = open(os.path.join(workdir, "metrics.jsonl"), "a", encoding="utf-8")
      from tensorboardX import SummaryWriter  # pylint: disable=import-outside-toplevel
      self._tb = SummaryWriter(os.path.join(workdir, "tensorboard"))

  def write_hparams(self, config_dict: dict):
    """Record the hyper-parameters at step 0 (JSON line and TensorBoard text)."""
    if not self.enabled:
      return
    self._write_line({"step": 0, "wall_time": time.time(), "hparams": config_dict})
    self._tb.add_text("hparams", "```\n" + json.dumps(config_dict, indent=2) + "\n```", 0)

  def write_scalars(self, step: int, scalars: dict):
    if not self.enabled:
      return
    record = {"step": int(step), "wall_time": time.time(), **{k: _to_python(v) for k, v in scalars.items()}}
    self._write_line(record)
    for name, value in record.items():
      if name not in ("step", "wall_time") and isinstance(value, (int, float)):
        self._tb.add_scalar(name, value, step)

  def _write_line(self, record: dict):
    self._file.write(json.dumps(record) + "\n")
    self._file.flush()

  def close(self):
    if self.enabled:
      self._file.close()
      self._tb.close()
