"""Variational dequantization (Flow++): q(u | x)'s log-density is its change of variables, the bound reduces to
the uniform one for uniform noise, and the flow family trains and evaluates with it."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gen_jax import data as gdata
from gen_jax.flows.dequantization import VariationalDequantizer, dequantization_bound
from gen_jax.train import registry
from tests.helpers.family_worker import run
from tests.test_flows_models import tiny_config


def perturbed(params, key, scale=0.5):
  """params with every leaf moved by N(0, scale^2) noise (the zero output layer would hide mu and sigma)."""
  leaves, tree = jax.tree.flatten(params)
  keys = jax.random.split(key, len(leaves))
  return jax.tree.unflatten(tree, [p + scale * jax.random.normal(k, p.shape) for p, k in zip(leaves, keys)])


def test_log_q_is_the_density_of_u_by_the_change_of_variables():
  net = VariationalDequantizer((8,))
  x = jnp.array([[0.0, 1.0, 1.0]])
  params = perturbed(net.init(jax.random.PRNGKey(0), x, jnp.zeros((1, 3))), jax.random.PRNGKey(1))
  eps = jax.random.normal(jax.random.PRNGKey(2), (1, 3))
  u, log_q = net.apply(params, x, eps)
  assert np.all((u > 0) & (u < 1))
  # u = g(eps) elementwise; q(u) = N(eps) / |det dg/deps|
  jacobian = jax.jacfwd(lambda e: net.apply(params, x, e[None])[0][0])(eps[0])  # [3, 3], diagonal
  expected = -0.5 * jnp.sum(eps ** 2) - 1.5 * jnp.log(2 * jnp.pi) - jnp.linalg.slogdet(jacobian)[1]
  np.testing.assert_allclose(log_q[0], expected, rtol=1e-5, atol=1e-5)


def test_bound_with_uniform_noise_is_the_uniform_dequantization_bound():
  log_p = jnp.array([-3.0, 1.5])
  np.testing.assert_allclose(dequantization_bound(log_p, jnp.zeros(2), 64, 2), 64 * np.log(2) - log_p, rtol=1e-6)
  # a noise density above 1 (u concentrated) costs its log-density in the bound
  np.testing.assert_allclose(dequantization_bound(log_p, jnp.ones(2), 64, 2) - dequantization_bound(log_p, 0.0, 64, 2),
                             1.0, rtol=1e-6)


def test_flow_trains_and_evaluates_with_variational_dequantization():
  # glow: its ActNorm layers are initialized from the first dequantized batch, the other parameters kept
  config = tiny_config(**{"model.name": "glow", "model.transform": "affine", "objective.dequantization": "variational",
                          "model.dequantizer_hidden": (8,), "model.num_scales": 1})
  ds = gdata.load(config.data)
  trainer = registry.get_model("glow")(config, ds.spec)
  state = trainer.init(jax.random.PRNGKey(0))
  assert set(state.params) == {"flow", "dequantizer"}
  new_state, metrics = run(trainer, ds, 1)  # two engine steps on one device
  assert np.all(metrics["grad_norm/dequantizer"] > 0)
  moved = jax.tree.map(lambda a, b: float(np.max(np.abs(a - b))), new_state.params["dequantizer"],
                       jax.device_get(state.params["dequantizer"]))
  assert max(jax.tree.leaves(moved)) > 0
  result = trainer.evaluate(new_state, ds, jax.random.PRNGKey(1))
  # the bound is at least the discrete entropy's floor 0 and finite
  assert 0 < result["nll"] < np.inf and result["bits_per_dim"] == pytest.approx(result["nll"] / (64 * np.log(2)))


def test_builder_rejects_an_unknown_dequantization():
  config = tiny_config(**{"objective.dequantization": "gaussian"})
  with pytest.raises(ValueError, match="objective.dequantization"):
    registry.get_model(config.model.name)(config, gdata.load(config.data).spec)
