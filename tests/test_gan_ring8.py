"""A short PacGAN run on ring8 through the engine captures most of the 8 modes."""

import jax

from configs import gan_base
from gen_jax.train.run_evaluation import evaluate_run
from gen_jax.train.loop import train_and_evaluate


def test_short_ring8_run_captures_most_modes(tmp_path):
  c = gan_base.get_config()
  c.data.name = "ring8"
  c.data.batch_size = 64
  c.model.generator_hidden = (128, 128, 128)
  c.model.discriminator_hidden = (128, 128)
  c.model.maxout_pieces = 3
  c.objective.pack = 2
  c.optim.learning_rate = 2e-3
  c.train.num_steps = 800
  c.train.steps_per_jit = 100
  c.train.log_every = 400
  c.train.eval_every = 800
  c.train.checkpoint_every = 800
  c.train.ema_decay = 0.99
  c.train.progress = False
  state = train_and_evaluate(c, str(tmp_path))
  assert int(jax.device_get(state.step)) == 800
  results = evaluate_run(str(tmp_path))
  assert results["modes"] >= 6, results
  assert results["reverse_kl"] < 0.5, results
  assert (tmp_path / "samples" / "strip.png").exists()
