"""Learning-rate schedules and the config-driven optimizer (gen_jax.train.optim)."""

import math

import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from gen_jax.train.optim import iwae_schedule, learning_rate_schedule, optimizer_from_config


def _config(**optim):
  c = ml_collections.ConfigDict({"optim": {"learning_rate": 1e-3, "b1": 0.9, "b2": 0.999, "eps": 1e-8,
                                           "grad_clip": 0.0, "schedule": "constant", "final_lr_fraction": 0.0},
                                 "train": {"num_steps": 100}})
  c.optim.update(optim)
  return c


def test_constant_schedule_is_the_number():
  assert learning_rate_schedule(_config().optim, 2e-4, 100) == 2e-4


def test_cosine_schedule_matches_its_formula():
  schedule = learning_rate_schedule(_config(schedule="cosine", final_lr_fraction=0.1).optim, 1e-3, 100)
  for t in (0, 25, 50, 99, 100, 500):
    expected = 1e-3 * (0.1 + 0.9 * (1 + math.cos(math.pi * min(t, 100) / 100)) / 2)
    np.testing.assert_allclose(float(schedule(t)), expected, rtol=1e-5)


def test_iwae_schedule_follows_the_paper():
  schedule = iwae_schedule(1e-3, steps_per_pass=10)
  # Stage i covers passes [sum_{j<i} 3^j, sum_{j<=i} 3^j) at 1e-3 * 10^(-i/7).
  for step, stage in [(0, 0), (9, 0), (10, 1), (39, 1), (40, 2), (129, 2), (130, 3), (32_799, 7), (10 ** 6, 7)]:
    np.testing.assert_allclose(float(schedule(step)), 1e-3 * 10 ** (-stage / 7), rtol=1e-5)


def test_scheduled_adam_takes_the_scheduled_step():
  """Adam's first step moves each weight by lr(0) (|m_hat / sqrt(v_hat)| = 1); the 50th by ~lr(49)."""
  config = _config(schedule="cosine")
  optimizer = optimizer_from_config(config, 1e-2)
  params = jnp.zeros(3)
  state = optimizer.init(params)
  schedule = learning_rate_schedule(config.optim, 1e-2, 100)
  for t in range(50):
    updates, state = optimizer.update(jnp.ones(3), state, params)
    np.testing.assert_allclose(np.asarray(updates), -float(schedule(t)), rtol=1e-4)


@pytest.mark.parametrize("optim, message", [
    ({"schedule": "warmup"}, r"optim.schedule: expected one of \[.constant., .cosine., .iwae.\], got .warmup."),
    ({"schedule": "cosine", "final_lr_fraction": 1.5}, "optim.final_lr_fraction"),
    ({"schedule": "iwae"}, "optim.steps_per_pass"),
    ({"learning_rate": 0.0}, "optim.learning_rate"),
])
def test_bad_schedule_fields_are_named(optim, message):
  with pytest.raises(ValueError, match=message):
    optimizer_from_config(_config(**optim), _config(**optim).optim.learning_rate)

