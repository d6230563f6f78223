"""The engine's toy model (gen_jax/train/toy_model.py, 'engine_test') on ring8: six steps in seconds.

Used by the engine's tests and by `python scripts/kill_test.py`; also the quickest end-to-end check of an
installation: `python scripts/train.py --config=configs/engine_test.py --workdir=/tmp/engine_test`.
"""

from configs import default


def tiny_config(**train):
  """The toy config with `train` group fields overridden (e.g. num_steps=10)."""
  c = default.get_config()
  c.model.name = "engine_test"
  c.data.name = "ring8"
  c.data.num_examples = 512
  c.data.batch_size = 16
  c.train.num_steps = 6
  c.train.log_every = 2
  c.train.checkpoint_every = 3
  c.train.eval_every = 3
  c.train.progress = False
  c.optim.learning_rate = 0.1
  for k, v in train.items():
    c.train[k] = v
  return c


def get_config():
  return tiny_config()
