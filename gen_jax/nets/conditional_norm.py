"""Class-conditional batch normalization (BigGAN; de Vries et al., 2017; Dumoulin et al., 2017).

y = (1 + gamma(c)) * BN(x) + beta(c): a BatchNorm without its own scale and offset, whose per-channel
gain and bias are linear functions of a conditioning vector c (BigGAN: the shared class embedding
concatenated with the block's chunk of the hierarchical latent, gen_jax.gan.latents.split_latent).
gamma and beta start at zero, so the layer starts as a plain BatchNorm.
"""

import flax.linen as nn
import jax


class ConditionalBatchNorm(nn.Module):
  """x [B, ..., C], condition [B, E] -> (1 + gamma(condition)) * BN(x) + beta(condition) (module doc).

  Attributes:
    axis_name: mesh axis of the global-batch statistics in training.
    momentum: of the running statistics.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> x, condition = jnp.arange(8.0).reshape(4, 2), jnp.ones((4, 3))
    >>> layer = ConditionalBatchNorm()
    >>> variables = layer.init(jax.random.key(0), x, condition)
    >>> y, _ = layer.apply(variables, x, condition, mutable=["batch_stats"])  # gamma = beta = 0 at first
    >>> print([round(v, 2) for v in y[:, 0].tolist()])
    [-1.34, -0.45, 0.45, 1.34]
  """

  axis_name: str | None = None
  momentum: float = 0.99

  @nn.compact
  def __call__(self, x: jax.Array, condition: jax.Array, train: bool = True) -> jax.Array:
    channels = x.shape[-1]
    h = nn.BatchNorm(use_running_average=not train, axis_name=self.axis_name if train else None,
                     momentum=self.momentum, use_bias=False, use_scale=False)(x)
    gain = nn.Dense(channels, kernel_init=nn.initializers.zeros, name="gain")(condition)   # [B, C]
    bias = nn.Dense(channels, kernel_init=nn.initializers.zeros, name="bias")(condition)   # [B, C]
    expand = (slice(None),) + (None,) * (x.ndim - 2) + (slice(None),)
    return (1.0 + gain[expand]) * h + bias[expand]
