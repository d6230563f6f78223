"""Normalizing-flow posteriors: planar flows (Rezende & Mohamed 2015) and inverse autoregressive
flows (Kingma et al. 2016) on top of a diagonal Gaussian base q_0(z_0|x).

z_K = f_K o ... o f_1(z_0), z_0 ~ N(mu(x), diag sigma^2(x)), and by the change of variables

  log q(z_K|x) = log q_0(z_0|x) - sum_k log |det df_k/dz_{k-1}|.
"""

from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
from gen_jax import probability
from gen_jax.checks import check_choice, check_positive_int
from gen_jax.flows.autoregressive import MaskedDense, made_masks
from gen_jax.vae import objectives
from gen_jax.vae.hierarchical import PosteriorSample, layer_keys, split_gaussian
from gen_jax.vae.networks import DataEncoder

FLOWS = ("planar", "iaf")


def check_flow(flow: str, length: int) -> None:
  """ValueError naming the config field unless `flow` is one of FLOWS and `length` a positive integer.

  Example:
    >>> from gen_jax.vae import flows
    >>> flows.check_flow("radial", 2)
    Traceback (most recent call last):
      ...
    ValueError: model.flow: expected one of ['planar', 'iaf'], got 'radial'
  """
  check_choice(flow, FLOWS, "model.flow")
  check_positive_int(length, "model.flow_length")


def planar_flow(z: jax.Array, u: jax.Array, w: jax.Array, b: jax.Array) -> tuple[jax.Array, jax.Array]:
  """One planar flow step and its log-Jacobian determinant.

    f(z) = z + u_hat tanh(w^T z + b),   log|det df/dz| = log|1 + u_hat^T (1 - tanh^2(w^T z + b)) w|

  u_hat = u + (m(w^T u) - w^T u) w / ||w||^2 with m(a) = -1 + softplus(a) makes
  w^T u_hat >= -1, so f is invertible.

  Args:
    z: [..., D] float.
    u, w: [..., D] float (broadcast with z).
    b: [...] float.

  Returns:
    (f(z) [..., D], log|det df/dz| [...]).

  References:
    D. Rezende and S. Mohamed, Variational Inference with Normalizing Flows (ICML 2015), eq. 10-12 and appendix A.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae import flows
    >>> z, log_det = flows.planar_flow(jnp.zeros(2), jnp.zeros(2), jnp.ones(2), jnp.array(0.0))
    >>> print(z, f"{float(log_det):.4f}")  # tanh(0) = 0; w^T u_hat = softplus(0) - 1: log|log 2|
    [0. 0.] -0.3665
  """
  wu = jnp.sum(w * u, axis=-1, keepdims=True)  # [..., 1]
  u_hat = u + (jax.nn.softplus(wu) - 1.0 - wu) * w / (jnp.sum(w * w, axis=-1, keepdims=True) + 1e-8)
  pre = jnp.sum(w * z, axis=-1) + b  # [...]
  h = jnp.tanh(pre)
  z_new = z + u_hat * h[..., None]
  psi_u = (1.0 - h ** 2) * jnp.sum(w * u_hat, axis=-1)  # u_hat^T psi(z)
  return z_new, jnp.log(jnp.abs(1.0 + psi_u) + 1e-8)


class IAFStep(nn.Module):
  """One inverse autoregressive flow step (Kingma et al. 2016, eqs. 10-11):

  [m, s] = MADE(z, h),  sigma = sigmoid(s),  f(z) = sigma * z + (1 - sigma) * m,
  log|det df/dz| = sum_i log sigma_i   (df/dz is triangular: m_i, s_i depend on z_{<i} only).

  The context h enters the first hidden layer unmasked; `forget_bias` starts
  sigma near 1 (the identity). Call: (z [..., D], context [..., C]) -> (f(z) [..., D], log-det [...]).

  References:
    D. Kingma et al., Improved Variational Inference with Inverse Autoregressive Flow (NeurIPS 2016), eq. 10-11.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.vae import flows
    >>> step = flows.IAFStep((8,))
    >>> z, h = jnp.ones((2, 3)), jnp.zeros((2, 4))
    >>> params = step.init(jax.random.PRNGKey(0), z, h)
    >>> z_new, log_det = step.apply(params, z, h)
    >>> print(z_new.shape, log_det.shape)
    (2, 3) (2,)
  """

  hidden: Sequence[int]
  forget_bias: float = 1.0
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, z: jax.Array, context: jax.Array) -> tuple[jax.Array, jax.Array]:
    d = z.shape[-1]
    masks = made_masks(d, self.hidden)
    h = MaskedDense(self.hidden[0], masks[0], self.dtype)(z) + nn.Dense(self.hidden[0], dtype=self.dtype)(context)
    h = nn.elu(h)
    for width, mask in zip(self.hidden[1:], masks[1:-1]):
      h = nn.elu(MaskedDense(width, mask, self.dtype)(h))
    m = MaskedDense(d, masks[-1], self.dtype)(h)
    s = MaskedDense(d, masks[-1], self.dtype)(h) + self.forget_bias
    sigma = jax.nn.sigmoid(s)
    return sigma * z + (1.0 - sigma) * m, jnp.sum(jax.nn.log_sigmoid(s), axis=-1)


def planar_param_count(latent_dim: int, length: int) -> int:
  """Encoder outputs per example for K amortized planar steps: K (2 D + 1) (u, w [D] and b per step).

  Args:
    latent_dim: D (static int). length: K (static int).

  Returns:
    an int.

  References:
    D. Rezende and S. Mohamed, Variational Inference with Normalizing Flows (ICML 2015), section 4.2.

  Example:
    >>> from gen_jax.vae import flows
    >>> flows.planar_param_count(2, 3)
    15
  """
  return length * (2 * latent_dim + 1)


def split_planar_params(params: jax.Array, latent_dim: int, length: int):
  """Split amortized planar-flow parameters: [..., K (2D + 1)] -> (u [..., K, D], w [..., K, D], b [..., K]).

  Args:
    params: [..., K (2D + 1)] float.
    latent_dim: D (static int). length: K (static int).

  Returns:
    (u, w, b).

  References:
    D. Rezende and S. Mohamed, Variational Inference with Normalizing Flows (ICML 2015), section 4.2.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax.vae import flows
    >>> u, w, b = flows.split_planar_params(jnp.zeros((4, 15)), 2, 3)
    >>> print(u.shape, w.shape, b.shape)
    (4, 3, 2) (4, 3, 2) (4, 3)
  """
  params = params.reshape(params.shape[:-1] + (length, 2 * latent_dim + 1))
  return params[..., :latent_dim], params[..., latent_dim:2 * latent_dim], params[..., -1]


class Flow(nn.Module):
  """z_K = f_K o ... o f_1(z_0) and sum_k log|det df_k/dz_{k-1}|, conditioned on per-example `extra`.

  'planar': extra [B, K (2D + 1)] holds each step's amortized (u, w, b).
  'iaf': extra [B, C] is the context h(x); the order of the latent units is
  reversed between steps (a permutation: log-det 0).
  z_0 [S, B, D] -> (z_K [S, B, D], log-det [S, B]).

  References:
    D. Rezende and S. Mohamed, Variational Inference with Normalizing Flows (ICML 2015), eq. 13; D. Kingma et al., Improved Variational Inference with Inverse Autoregressive Flow (NeurIPS 2016), algorithm 1.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.vae import flows
    >>> flow = flows.Flow("iaf", 2, made_hidden=(8,))
    >>> z0, h = jnp.zeros((3, 2, 4)), jnp.zeros((2, 5))
    >>> params = flow.init(jax.random.PRNGKey(0), z0, h)
    >>> z, log_det = flow.apply(params, z0, h)
    >>> print(z.shape, log_det.shape)
    (3, 2, 4) (3, 2)
  """

  flow: str
  flow_length: int
  made_hidden: Sequence[int] = (64, 64)
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, z: jax.Array, extra: jax.Array) -> tuple[jax.Array, jax.Array]:
    check_flow(self.flow, self.flow_length)
    total = jnp.zeros(z.shape[:-1])
    if self.flow == "planar":
      u, w, b = split_planar_params(extra, z.shape[-1], self.flow_length)  # [B, K, D], [B, K, D], [B, K]
      for k in range(self.flow_length):
        z, log_det = planar_flow(z, u[:, k], w[:, k], b[:, k])
        total = total + log_det
      return z, total
    context = jnp.broadcast_to(nn.elu(extra), z.shape[:-1] + extra.shape[-1:])  # [S, B, C]
    for k in range(self.flow_length):
      if k > 0:
        z = z[..., ::-1]
      z, log_det = IAFStep(tuple(self.made_hidden), dtype=self.dtype)(z, context)
      total = total + log_det
    return z, total


class FlowEncoder(nn.Module):
  """q(z_K|x): a diagonal Gaussian base from the encoder, then K planar or IAF steps (`Flow`).

  The encoder's linear output holds (mean, log_var) of q_0 and the flow's
  per-example inputs: each planar step's (u, w, b), or the IAF context h(x) of
  width `context_dim`.

  Attributes:
    latent_dim: D; hidden: encoder widths / channels; example_shape, arch, act, dtype: see DataEncoder.
    flow: 'planar' or 'iaf'; flow_length: K; made_hidden: MADE widths; context_dim: IAF context width.

  References:
    D. Rezende and S. Mohamed, Variational Inference with Normalizing Flows (ICML 2015); D. Kingma et al., Improved Variational Inference with Inverse Autoregressive Flow (NeurIPS 2016).

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax.vae import flows
    >>> encoder = flows.FlowEncoder(2, (8,), (5,), flow="planar", flow_length=2)
    >>> x, keys = jnp.zeros((3, 5)), jax.random.split(jax.random.PRNGKey(0), 3)
    >>> params = encoder.init(jax.random.PRNGKey(1), x, keys, 1)
    >>> print(encoder.apply(params, x, keys, 4).z[0].shape)
    (4, 3, 2)
  """

  latent_dim: int
  hidden: Sequence[int]
  example_shape: Sequence[int]
  flow: str = "iaf"
  flow_length: int = 2
  made_hidden: Sequence[int] = (64, 64)
  context_dim: int = 32
  arch: str = "mlp"
  act: str = "relu"
  dtype: jnp.dtype = jnp.float32

  def _extra_outputs(self) -> int:
    if self.flow == "planar":
      return planar_param_count(self.latent_dim, self.flow_length)
    return self.context_dim

  @nn.compact
  def __call__(self, x: jax.Array, keys: jax.Array, num_samples: int,
               deterministic: bool = False) -> PosteriorSample:
    """x [B, *example_shape], keys [B] -> S samples of z_K per example (z_0 = mean when deterministic)."""
    check_flow(self.flow, self.flow_length)
    d = self.latent_dim
    h = DataEncoder(self.arch, tuple(self.hidden), 2 * d + self._extra_outputs(), tuple(self.example_shape),
                    self.act, self.dtype)(x).astype(jnp.float32)
    mean, log_var = split_gaussian(h[:, :2 * d])  # [B, D]
    if deterministic:
      z0 = jnp.broadcast_to(mean, (num_samples,) + mean.shape)
    else:
      z0 = objectives.sample_posterior(layer_keys(keys, 0), mean, log_var, num_samples)  # [S, B, D]
    z, log_det = Flow(self.flow, self.flow_length, tuple(self.made_hidden), self.dtype, name="flow")(z0, h[:, 2 * d:])
    log_q = probability.gaussian_log_prob(z0, mean, log_var) - log_det  # [S, B]
    return PosteriorSample((z,), log_q, (z,), mean, log_var)
