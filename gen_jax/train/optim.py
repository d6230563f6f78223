"""Optimizers: Adam with optional global-norm clipping, one per network."""

import optax


def make_optimizer(learning_rate: float, b1: float = 0.9, b2: float = 0.999, grad_clip: float = 0.0,
                   eps: float = 1e-8) -> optax.GradientTransformation:
  """Adam(learning_rate, b1, b2, eps), preceded by clip_by_global_norm(grad_clip) when grad_clip > 0.

  Adam: m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2;
  theta <- theta - lr * m_hat / (sqrt(v_hat) + eps), with bias-corrected m_hat, v_hat.
  """
  if learning_rate <= 0:
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
