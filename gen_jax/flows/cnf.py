"""Continuous normalizing flows (Chen et al. 2018; FFJORD, Grathwohl et al. 2019).

The state follows dz/dt = f(z, t) from the data z(0) = x to z(T); the log-density follows the
instantaneous change of variables d log p(z(t))/dt = -tr(df/dz), so

  log q(x) = log N(z(T); 0, I) + int_0^T tr(df/dz(z(t), t)) dt.

The trace is exact (D Jacobian-vector products) for small D, or Hutchinson's unbiased
estimate tr(A) = E_eps[eps^T A eps] with one Rademacher eps per example and solve (one
vector-Jacobian product per evaluation) for images. The ODE is solved by diffrax's adaptive
Dormand-Prince 5(4) with a PID step-size controller (relative/absolute tolerances rtol/atol),
differentiated through the solver; sampling integrates x = z(0) back from z(T) ~ N(0, I).
The number of function evaluations (NFE) of Dopri5 is 6 per step + 1 (first-same-as-last).
"""

from typing import Sequence

import diffrax
import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.flows.bijections import standard_normal_log_prob

TRACES = ("exact", "hutchinson")
# How gradients pass through the solver: 'checkpoint' backpropagates through the steps with recursive
# checkpointing (diffrax's default); 'direct' through a bounded loop, which also runs under shard_map
# with check_vma=False (equinox's checkpointed loop fails its closure check there).
ADJOINTS = {"checkpoint": diffrax.RecursiveCheckpointAdjoint, "direct": diffrax.DirectAdjoint}


class ODEField(nn.Module):
  """f(z, t): an MLP on [z, t] with the time concatenated to every hidden layer's input (softplus),
  z [..., D], t scalar -> [..., D]; the output layer starts at zero (the identity flow).

  Attributes:
    hidden: the hidden widths.

  Reference: Grathwohl et al., FFJORD (ICLR 2019), appendix B (the time-concatenated MLP).

  Example:
    >>> import jax, jax.numpy as jnp
    >>> field = ODEField((8,))
    >>> params = field.init(jax.random.PRNGKey(0), jnp.zeros((2,)), 0.0)
    >>> field.apply(params, jnp.ones((5, 2)), 0.5).tolist()[0]  # zero at initialization
    [0.0, 0.0]
  """

  hidden: Sequence[int]

  @nn.compact
  def __call__(self, z, t):
    h = z
    for width in self.hidden:
      time = jnp.full(h.shape[:-1] + (1,), t)
      h = nn.softplus(nn.Dense(width)(jnp.concatenate([h, time], axis=-1)))
    return nn.Dense(z.shape[-1], kernel_init=nn.initializers.zeros)(h)


def exact_trace(field, z, t):
  """(f(z, t) [D], tr(df/dz)) for one example z [D], from the full Jacobian (D forward-mode products).

  Example:
    >>> import jax.numpy as jnp
    >>> f, trace = exact_trace(lambda z, t: jnp.array([2.0, 3.0]) * z, jnp.ones(2), 0.0)
    >>> f.tolist(), float(trace)
    ([2.0, 3.0], 5.0)
  """
  return field(z, t), jnp.trace(jax.jacfwd(lambda v: field(v, t))(z))


def hutchinson_trace(field, z, t, eps):
  """(f(z, t), eps^T (df/dz) eps) for one example z [D] and probe eps [D]: an unbiased estimate of
  tr(df/dz) when E[eps eps^T] = I (Hutchinson 1990), one vector-Jacobian product.

  Example:
    >>> import jax.numpy as jnp
    >>> field = lambda z, t: jnp.array([[2.0, 1.0], [0.0, 3.0]]) @ z
    >>> _, estimate = hutchinson_trace(field, jnp.ones(2), 0.0, jnp.array([1.0, -1.0]))
    >>> float(estimate)  # 5 = tr, minus the off-diagonal 1 that this probe picks up
    4.0
  """
  f, vjp = jax.vjp(lambda v: field(v, t), z)
  return f, jnp.dot(vjp(eps)[0], eps)


def solve(vector_field, y0, t0: float, t1: float, rtol: float, atol: float, max_steps: int,
          adjoint: str = "checkpoint"):
  """y(t1) of dy/dt = vector_field(t, y) from y(t0) = y0 (any pytree), by diffrax's Dopri5 with a PID
  step-size controller; and the number of steps taken (at most max_steps: the solve stops there
  without an error, so a result with max_steps steps is not the ODE's solution).

  Args:
    vector_field: (t, y) -> dy/dt, y's structure.
    y0: the initial state; t0, t1: the interval (t1 < t0 integrates backwards).
    rtol, atol: the controller's tolerances; max_steps: the step limit.
    adjoint: how gradients pass through the solver (ADJOINTS).

  Returns:
    (y(t1), number of steps).

  Reference: Dormand & Prince, A family of embedded Runge-Kutta formulae (1980); Kidger, On neural
  differential equations (2021), diffrax.

  Example:
    >>> import jax.numpy as jnp
    >>> y, steps = solve(lambda t, y: -y, jnp.ones(()), 0.0, 1.0, 1e-6, 1e-6, 100)
    >>> round(float(y), 5)  # exp(-1)
    0.36788
  """
  term = diffrax.ODETerm(lambda t, y, args: vector_field(t, y))
  solution = diffrax.diffeqsolve(term, diffrax.Dopri5(), t0, t1, None, y0,
                                 stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
                                 max_steps=max_steps, throw=False, adjoint=ADJOINTS[adjoint]())
  return jax.tree.map(lambda a: a[-1], solution.ys), solution.stats["num_steps"]


def cnf_log_prob(field, x, noise=None, end_time: float = 1.0, rtol: float = 1e-5, atol: float = 1e-5,
                 max_steps: int = 1000, adjoint: str = "checkpoint"):
  """log q(x) [B] of the CNF dz/dt = field(z, t) (module doc), and each example's NFE [B].

  Every example is solved on its own adaptive grid (vmapped), so a result does not depend
  on the rest of the batch.

  Args:
    field: (z [D], t) -> dz/dt [D], e.g. `lambda z, t: ODEField(...).apply(params, z, t)`.
    x: data [B, D].
    noise: None for the exact trace, or Hutchinson's probe vectors eps [B, D] (e.g. Rademacher).
    end_time: T; rtol, atol: the adaptive solver's tolerances; max_steps: its step limit.
    adjoint: how gradients pass through the solver (ADJOINTS).

  Returns:
    (log q(x) [B], NFE [B] = 6 steps + 1).

  References:
    Grathwohl, Chen, Bettencourt, Sutskever, Duvenaud, FFJORD (ICLR 2019).

  Example:
    >>> import jax.numpy as jnp
    >>> log_q, nfe = cnf_log_prob(lambda z, t: -z, jnp.zeros((1, 2)))  # z(1) = x / e, log-det -2
    >>> round(float(log_q[0]), 3)
    -3.838
  """
  def one(x_b, eps_b):
    if eps_b is None:
      dynamics = lambda t, state: exact_trace(field, state[0], t)
    else:
      dynamics = lambda t, state: hutchinson_trace(field, state[0], t, eps_b)
    (z, integral), steps = solve(dynamics, (x_b, jnp.zeros(())), 0.0, end_time, rtol, atol, max_steps, adjoint)
    return standard_normal_log_prob(z[None])[0] + integral, 6 * steps + 1

  return jax.vmap(one)(x, noise)


def cnf_sample(field, z, end_time: float = 1.0, rtol: float = 1e-5, atol: float = 1e-5, max_steps: int = 1000,
               adjoint: str = "checkpoint"):
  """x = z(0) from z(T) = z [B, D], integrating dz/dt = field(z, t) backwards per example; and the NFE [B].

  Args:
    field: (z [D], t) -> dz/dt [D]; z: base draws [B, D] (e.g. N(0, I)); end_time, rtol, atol,
      max_steps, adjoint: as in cnf_log_prob.

  Returns:
    (x [B, D], NFE [B] = 6 steps + 1).

  Reference: Grathwohl et al., FFJORD (ICLR 2019), section 2.

  Example:
    >>> import jax.numpy as jnp
    >>> x, _ = cnf_sample(lambda z, t: -z, jnp.ones((1, 2)))
    >>> [round(v, 3) for v in x[0].tolist()]
    [2.718, 2.718]
  """
  def one(z_b):
    x, steps = solve(lambda t, y: field(y, t), z_b, end_time, 0.0, rtol, atol, max_steps, adjoint)
    return x, 6 * steps + 1

  return jax.vmap(one)(z)
