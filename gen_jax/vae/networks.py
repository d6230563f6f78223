"""Encoder and decoder bodies that touch the data: an MLP on flattened examples or a conv net on images.

`DataEncoder` maps examples [*lead, *example_shape] to vectors [*lead, out];
`DataDecoder` maps vectors [*lead, D] to decoder outputs
[*lead, *example_shape[:-1], C * params_per_value] (e.g. Bernoulli logits, or a
Gaussian's mean and log-variance stacked on the channel axis). Leading axes
(samples, batch) are flattened for the conv nets and restored afterwards.
"""

import functools
import math
from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.nets.conv_vae import ConvDecoder, ConvEncoder
from gen_jax.nets.mlp import MLP

ARCHS = ("mlp", "conv")


def check_arch(arch: str, field: str = "model.arch") -> None:
  """ValueError naming `field` unless `arch` is one of ARCHS."""
  if arch not in ARCHS:
    raise ValueError(f"{field}: expected one of {list(ARCHS)}, got {arch!r}")


def dense_layer(dtype):
  """nn.Dense computing in `dtype` (params float32)."""
  return functools.partial(nn.Dense, dtype=dtype)


def mlp(hidden: Sequence[int], out: int, act: str, dtype) -> MLP:
  """The shared MLP with its linear layers computing in `dtype`."""
  return MLP(hidden=tuple(hidden), out=out, act=act, dense=dense_layer(dtype))


def _flatten_lead(x: jax.Array, event_ndim: int):
  lead = x.shape[:x.ndim - event_ndim]
  return x.reshape((-1,) + x.shape[x.ndim - event_ndim:]), lead


class DataEncoder(nn.Module):
  """Examples [*lead, *example_shape] -> [*lead, out] (MLP on the flattened example, or ConvEncoder).

  Attributes:
    arch: 'mlp' (hidden = layer widths) or 'conv' (hidden = conv channels).
    hidden: widths or channels.
    out: output width (linear).
    example_shape: shape of one example, e.g. (8, 8, 1).
    act: activation name; dtype: computation dtype.
  """

  arch: str
  hidden: Sequence[int]
  out: int
  example_shape: Sequence[int]
  act: str = "relu"
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    check_arch(self.arch)
    event_ndim = len(self.example_shape)
    flat, lead = _flatten_lead(x, event_ndim)  # [N, *example_shape]
    if self.arch == "mlp":
      h = mlp(self.hidden, self.out, self.act, self.dtype)(flat.reshape(flat.shape[0], -1))
    else:
      h = ConvEncoder(tuple(self.hidden), self.out, self.act, self.dtype)(flat)
    return h.reshape(lead + (self.out,))


class DataDecoder(nn.Module):
  """Vectors [*lead, D] -> decoder outputs [*lead, *example_shape[:-1], C * params_per_value].

  Attributes:
    arch: 'mlp' (hidden = layer widths, applied in the given order) or 'conv'
      (hidden = channels, coarsest first).
    hidden: widths or channels.
    example_shape: (H, W, C) or (D,) of one example.
    params_per_value: decoder outputs per data value (2 for a learned-variance Gaussian).
    act: activation name; dtype: computation dtype.
  """

  arch: str
  hidden: Sequence[int]
  example_shape: Sequence[int]
  params_per_value: int = 1
  act: str = "relu"
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, z: jax.Array) -> jax.Array:
    check_arch(self.arch)
    flat, lead = _flatten_lead(z, 1)  # [N, D]
    shape = tuple(self.example_shape[:-1]) + (self.example_shape[-1] * self.params_per_value,)
    if self.arch == "mlp":
      out = mlp(self.hidden, math.prod(shape), self.act, self.dtype)(flat)
    else:
      if len(self.example_shape) != 3:
        raise ValueError(f"model.arch: 'conv' needs images (H, W, C), got example shape {self.example_shape}")
      out = ConvDecoder(tuple(self.example_shape[:2]), tuple(self.hidden), shape[-1], self.act, self.dtype)(flat)
    return out.reshape(lead + shape).astype(jnp.promote_types(self.dtype, jnp.float32))
