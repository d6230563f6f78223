"""Optimizers: Adam with optional global-norm clipping and a learning-rate schedule, one per network.

Schedules (config field `optim.schedule`):

* 'constant': lr(t) = lr.
* 'cosine': lr(t) = lr * (a + (1 - a) (1 + cos(pi min(t, T) / T)) / 2), T = train.num_steps,
  a = optim.final_lr_fraction: from lr down to a * lr at the last step.
* 'iwae': the IWAE paper's stages (see `iwae_schedule`), optim.steps_per_pass steps per data pass.
"""

import optax

from gen_jax.checks import check_choice, check_positive_int

SCHEDULES = ("constant", "cosine", "iwae")


def make_optimizer(learning_rate: float | optax.Schedule, b1: float = 0.9, b2: float = 0.999,
                   grad_clip: float = 0.0, eps: float = 1e-8) -> optax.GradientTransformation:
  """Adam(learning_rate, b1, b2, eps), preceded by clip_by_global_norm(grad_clip) when grad_clip > 0.

  Adam: m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2;
  theta <- theta - lr(t) * m_hat / (sqrt(v_hat) + eps), with bias-corrected m_hat, v_hat.
  `learning_rate` is a number or a schedule t -> lr(t).
  """
  if not callable(learning_rate) and learning_rate <= 0:
    raise ValueError(f"learning_rate: expected > 0, got {learning_rate}")
  if not (0 <= b1 < 1 and 0 <= b2 < 1):
    raise ValueError(f"b1, b2: expected in [0, 1), got {b1}, {b2}")
  if eps <= 0:
    raise ValueError(f"eps: expected > 0, got {eps}")
  if grad_clip < 0:
    raise ValueError(f"grad_clip: expected >= 0, got {grad_clip}")
  adam = optax.adam(learning_rate, b1=b1, b2=b2, eps=eps)
  if grad_clip > 0:
    return optax.chain(optax.clip_by_global_norm(grad_clip), adam)
  return adam


def iwae_schedule(learning_rate: float, steps_per_pass: int, stages: int = 8) -> optax.Schedule:
  """The IWAE paper's schedule (Burda et al. 2016, section 5): for i = 0..stages-1, 3^i passes over
  the data at learning_rate * 10^(-i/7) (sum_i 3^i = 3,280 passes for 8 stages); the last rate
  holds afterwards. Returns step -> learning rate."""
  boundaries, rates, passes = [], [], 0
  for i in range(stages):
    rates.append(learning_rate * 10.0 ** (-i / 7))
    passes += 3 ** i
    boundaries.append(passes * steps_per_pass)
  return optax.piecewise_constant_schedule(rates[0], {b: rates[i + 1] / rates[i]
                                                      for i, b in enumerate(boundaries[:-1])})


def learning_rate_schedule(optim_config, learning_rate: float, num_steps: int) -> float | optax.Schedule:
  """The learning rate `optim.schedule` asks for, from `learning_rate` over a run of `num_steps` steps.

  A plain number for 'constant'; ValueError naming the field for an unknown schedule or bad parameter.
  """
  if learning_rate <= 0:
    raise ValueError(f"optim.learning_rate: expected > 0, got {learning_rate}")
  schedule = optim_config.get("schedule", "constant")
  check_choice(schedule, SCHEDULES, "optim.schedule")
  if schedule == "constant":
    return learning_rate
  if schedule == "iwae":
    return iwae_schedule(learning_rate, check_positive_int(optim_config.get("steps_per_pass"), "optim.steps_per_pass"))
  final = optim_config.get("final_lr_fraction", 0.0)
  if not 0 <= final <= 1:
    raise ValueError(f"optim.final_lr_fraction: expected in [0, 1], got {final!r}")
  return optax.cosine_decay_schedule(learning_rate, check_positive_int(num_steps, "train.num_steps"), alpha=final)


def optimizer_from_config(config, learning_rate: float) -> optax.GradientTransformation:
  """`make_optimizer` with config.optim's Adam fields and schedule, starting at `learning_rate`."""
  o = config.optim
  return make_optimizer(learning_rate_schedule(o, learning_rate, config.train.num_steps), o.b1, o.b2,
                        o.grad_clip, o.get("eps", 1e-8))
