"""diffrax's Dopri5 (both adjoints of gen_jax.flows.cnf) against jax.experimental.ode.odeint on the CNF
log-density, at the same tolerances.

  python scripts/benchmark_cnf_solvers.py [--batch 256] [--hidden 64,64,64] [--tol 1e-5] [--repeats 5]

Both integrate FFJORD's augmented ODE (z, log-det) with the exact 2-D trace for each example on its own
adaptive Dormand-Prince 5(4) grid (vmapped), through a fixed field: gen_jax.flows.cnf.ODEField with its
output layer re-drawn from N(0, 0.1^2) so that the dynamics are not the identity. For each solver it
prints one JSON line: seconds per log-density call and per value-and-gradient call (the median of
`--repeats` timed calls after a compiling one; diffrax backpropagates through the solver's steps, with
recursive checkpointing ('diffrax') or through a bounded loop ('diffrax_direct'); odeint solves the
adjoint ODE backwards), the mean NFE of the forward solve (diffrax: its step count, 6 per step + 1; odeint: the
field calls counted by a host callback in a separate, untimed run) and the mean log-density, so that the
two solutions can be compared.
"""

import argparse
import json

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental.ode import odeint

from gen_jax.bench.timing import time_call
from gen_jax.flows import cnf
from gen_jax.flows.bijections import standard_normal_log_prob

SOLVERS = ("diffrax", "diffrax_direct", "odeint")


def fixed_field(hidden, key):
  """(params, field(params, z [D], t) -> [D]) with a non-zero output layer."""
  module = cnf.ODEField(hidden)
  params = module.init(key, jnp.zeros((2,)), 0.0)
  last = sorted(params["params"])[-1]
  kernel = params["params"][last]["kernel"]
  params["params"][last]["kernel"] = 0.1 * jax.random.normal(jax.random.fold_in(key, 1), kernel.shape)
  return params, lambda p, z, t: module.apply(p, z, t)


def odeint_log_prob(field, x, tol: float):
  """log q(x) [B] by odeint on each example (the exact trace), the CNF of cnf.cnf_log_prob."""
  def one(x_b):
    dynamics = lambda state, t: cnf.exact_trace(field, state[0], t)
    z, integral = odeint(dynamics, (x_b, jnp.zeros(())), jnp.array([0.0, 1.0]), rtol=tol, atol=tol)
    return standard_normal_log_prob(z[-1][None])[0] + integral[-1]
  return jax.vmap(one)(x)


def odeint_nfe(field, params, x, tol: float) -> float:
  """Mean field evaluations per example of odeint's forward solve, counted on the host one example at a time
  (under vmap the loop would run every example as long as the slowest)."""
  calls = []
  def counted(p, z, t):
    jax.debug.callback(lambda: calls.append(1))
    return field(p, z, t)
  one = jax.jit(lambda p, v: odeint_log_prob(lambda z, t: counted(p, z, t), v[None], tol))
  for v in x:
    jax.block_until_ready(one(params, v))
  return len(calls) / x.shape[0]


def measure(solver: str, params, field, x, tol: float, repeats: int) -> dict:
  if solver.startswith("diffrax"):
    adjoint = "direct" if solver == "diffrax_direct" else "checkpoint"
    log_prob = lambda p: cnf.cnf_log_prob(lambda z, t: field(p, z, t), x, rtol=tol, atol=tol, adjoint=adjoint)
    value = jax.jit(lambda p: log_prob(p)[0])
    nfe = float(jnp.mean(jax.jit(lambda p: log_prob(p)[1])(params)))
  else:
    value = jax.jit(lambda p: odeint_log_prob(lambda z, t: field(p, z, t), x, tol))
    nfe = odeint_nfe(field, params, x, tol)
  grad = jax.jit(jax.value_and_grad(lambda p: -jnp.mean(value(p))))
  return {"solver": solver, "batch": int(x.shape[0]), "tol": tol, "nfe": nfe,
          "log_prob_seconds": time_call(value, params, repeats=repeats),
          "grad_seconds": time_call(grad, params, repeats=repeats),
          "mean_log_prob": float(jnp.mean(value(params)))}


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--batch", type=int, default=256)
  parser.add_argument("--hidden", default="64,64,64")
  parser.add_argument("--tol", type=float, default=1e-5)
  parser.add_argument("--repeats", type=int, default=5)
  args = parser.parse_args()
  hidden = tuple(int(w) for w in args.hidden.split(","))
  params, field = fixed_field(hidden, jax.random.PRNGKey(0))
  x = jnp.asarray(np.random.default_rng(0).normal(size=(args.batch, 2)), jnp.float32)
  for solver in SOLVERS:
    print(json.dumps(measure(solver, params, field, x, args.tol, args.repeats)), flush=True)


if __name__ == "__main__":
  main()
