"""scripts/benchmark_cnf_solvers.py on a tiny field: diffrax (both adjoints) and odeint solve the same CNF."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from tests.helpers.cli import load_script

benchmark_cnf_solvers = load_script("benchmark_cnf_solvers")


def test_solvers_agree_on_the_log_density_and_report_nfe_and_times():
  params, field = benchmark_cnf_solvers.fixed_field((4,), jax.random.PRNGKey(0))
  x = jnp.asarray(np.random.default_rng(0).normal(size=(3, 2)), jnp.float32)
  records = {s: benchmark_cnf_solvers.measure(s, params, field, x, 1e-4, repeats=1)
             for s in benchmark_cnf_solvers.SOLVERS}
  reference = records["diffrax"]["mean_log_prob"]
  for solver, record in records.items():
    assert record["mean_log_prob"] == pytest.approx(reference, abs=1e-3), solver
    assert record["nfe"] >= 7 and record["log_prob_seconds"] > 0 and record["grad_seconds"] > 0
  assert records["diffrax"]["nfe"] == records["diffrax_direct"]["nfe"]  # the same forward solve
