"""scripts/benchmark_cnf_solvers.py on a tiny field: diffrax and odeint solve the same CNF, and odeint's
field calls are counted per example."""

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.flows import cnf
from tests.helpers.cli import load_script

benchmark_cnf_solvers = load_script("benchmark_cnf_solvers")


def test_odeint_and_diffrax_agree_on_the_log_density_and_count_evaluations():
  params, field = benchmark_cnf_solvers.fixed_field((4,), jax.random.PRNGKey(0))
  x = jnp.asarray(np.random.default_rng(0).normal(size=(3, 2)), jnp.float32)
  bound = lambda z, t: field(params, z, t)
  by_diffrax, nfe = cnf.cnf_log_prob(bound, x, rtol=1e-4, atol=1e-4)
  by_odeint = benchmark_cnf_solvers.odeint_log_prob(bound, x, 1e-4)
  np.testing.assert_allclose(by_odeint, by_diffrax, atol=1e-3)
  # Dopri5 takes at least one step of 6 evaluations (odeint adds its initial step-size probes)
  assert np.all(nfe >= 7) and benchmark_cnf_solvers.odeint_nfe(field, params, x, 1e-4) >= 7
