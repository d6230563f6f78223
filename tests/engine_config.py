"""Config file for CLI tests: the tiny engine-test model on ring8 (see tests/engine_model.py)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import engine_model  # noqa: E402  (registers model 'engine_test')


def get_config():
  return engine_model.tiny_config()
