"""Multi-layer perceptrons shared by the 2-D GANs and the MLP VAEs."""

from typing import Callable, Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

ACTIVATIONS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "relu": nn.relu,
    "leaky_relu": lambda x: nn.leaky_relu(x, 0.2),
    "tanh": jnp.tanh,
    "elu": nn.elu,
    "softplus": nn.softplus,
}


def activation(name: str) -> Callable[[jax.Array], jax.Array]:
  """The activation registered as `name`; ValueError listing the valid names otherwise."""
  if name not in ACTIVATIONS:
    raise ValueError(f"activation: expected one of {sorted(ACTIVATIONS)}, got {name!r}")
  return ACTIVATIONS[name]


class MLP(nn.Module):
  """h_{l+1} = act(norm(W_l h_l + b_l)) for each hidden width, then a linear output layer.

  Attributes:
    hidden: widths of the hidden layers.
    out: width of the output layer (no activation).
    act: activation name (see ACTIVATIONS).
    batch_norm: BatchNorm after each hidden linear layer (statistics in the
      'batch_stats' collection, over the global batch via `axis_name`).
    axis_name: mesh axis for BatchNorm's cross-device statistics (training only).
    dense: module factory for a linear layer, e.g. to wrap it in nn.SpectralNorm.
    dtype: computation dtype of the default Dense and BatchNorm layers (parameters stay float32).
  """

  hidden: Sequence[int]
  out: int
  act: str = "relu"
  batch_norm: bool = False
  axis_name: str | None = None
  dense: Callable[..., nn.Module] | None = None
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = True) -> jax.Array:  # [B, D_in] -> [B, out]
    act = activation(self.act)
    dense = self.dense or (lambda width: nn.Dense(width, dtype=self.dtype))
    for width in self.hidden:
      x = dense(width)(x)
      if self.batch_norm:
        x = nn.BatchNorm(use_running_average=not train, axis_name=self.axis_name if train else None,
                         dtype=self.dtype)(x)
      x = act(x)
    return dense(self.out)(x)
