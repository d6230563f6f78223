"""Flow log-determinants against jax.jacfwd; the VQ layer: nearest codes, straight-through gradient, EMA codebook."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.sharding import PartitionSpec as P

from gen_jax import probability
from gen_jax.train import parallel
from gen_jax.vae import flows, objectives, vq
from gen_jax.vae.hierarchical import layer_keys


def slogdet_of_jacobian(f, z):
  return jnp.linalg.slogdet(jax.jacfwd(f)(z))[1]


def test_planar_log_det_matches_jacobian_and_flow_is_invertible_direction():
  keys = jax.random.split(jax.random.PRNGKey(0), 4)
  z = jax.random.normal(keys[0], (5, 3))
  u = jax.random.normal(keys[1], (3,)) * 2.0  # large u: the constraint w^T u_hat >= -1 matters
  w = jax.random.normal(keys[2], (3,))
  b = jnp.array(0.3)
  _, log_det = flows.planar_flow(z, u, w, b)
  expected = jax.vmap(lambda v: slogdet_of_jacobian(lambda t: flows.planar_flow(t, u, w, b)[0], v))(z)
  np.testing.assert_allclose(log_det, expected, rtol=1e-4, atol=1e-5)
  # f is monotone along w: the derivative of w^T f(z) in the direction of w is positive.
  f_along = jax.vmap(jax.grad(lambda t: jnp.dot(w, flows.planar_flow(t * w, u, w, b)[0])))(jnp.linspace(-5, 5, 101))
  assert np.all(f_along > 0)


def test_made_masks_make_each_output_depend_on_earlier_inputs_only():
  masks = flows.made_masks(4, (6, 5))
  connectivity = masks[0] @ masks[1] @ masks[2]  # [in, out]: paths from input i to output j
  assert np.all(np.tril(connectivity) == 0)  # output j never sees inputs i >= j
  assert np.all(connectivity[np.triu_indices(4, 1)] > 0)  # and sees every earlier input


def test_iaf_step_log_det_matches_jacobian_and_jacobian_is_triangular():
  step = flows.IAFStep(hidden=(8, 8))
  z = jax.random.normal(jax.random.PRNGKey(1), (4,))
  context = jax.random.normal(jax.random.PRNGKey(2), (3,))
  params = step.init(jax.random.PRNGKey(3), z, context)
  # Perturb the parameters away from initialization so every path carries signal.
  params = jax.tree.map(lambda p: p + 0.3 * jax.random.normal(jax.random.PRNGKey(4), p.shape), params)
  f = lambda v: step.apply(params, v, context)[0]
  jac = jax.jacfwd(f)(z)
  np.testing.assert_allclose(jnp.triu(jac, 1), 0.0, atol=1e-7)  # dz'_i / dz_j = 0 for j > i
  np.testing.assert_allclose(step.apply(params, z, context)[1], slogdet_of_jacobian(f, z), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("flow", ["planar", "iaf"])
def test_flow_log_det_matches_jacobian_per_example(flow):
  d, batch = 3, 2
  extra_dim = flows.planar_param_count(d, 3) if flow == "planar" else 4
  module = flows.Flow(flow, flow_length=3, made_hidden=(6,))
  z0 = jax.random.normal(jax.random.PRNGKey(5), (1, batch, d))
  extra = jax.random.normal(jax.random.PRNGKey(6), (batch, extra_dim))
  params = module.init(jax.random.PRNGKey(7), z0, extra)
  params = jax.tree.map(lambda p: p + 0.3 * jax.random.normal(jax.random.PRNGKey(8), p.shape), params)
  z_k, log_det = module.apply(params, z0, extra)
  assert z_k.shape == (1, batch, d) and log_det.shape == (1, batch)
  for b in range(batch):
    f = lambda v: module.apply(params, v[None, None], extra[b:b + 1])[0][0, 0]
    np.testing.assert_allclose(log_det[0, b], slogdet_of_jacobian(f, z0[0, b]), rtol=1e-4, atol=1e-5)


def test_flow_encoder_log_q_is_base_density_minus_log_det():
  encoder = flows.FlowEncoder(latent_dim=3, hidden=(8,), example_shape=(5,), flow="iaf", flow_length=2,
                              made_hidden=(6,), context_dim=4)
  x = jax.random.normal(jax.random.PRNGKey(9), (2, 5))
  keys = jax.random.split(jax.random.PRNGKey(10), 2)
  params = encoder.init(jax.random.PRNGKey(11), x, keys, 3)
  sample = encoder.apply(params, x, keys, 3)
  z0 = objectives.sample_posterior(layer_keys(keys, 0), sample.mean, sample.log_var, 3)  # the encoder's z_0
  flow = flows.Flow("iaf", 2, (6,))
  extra = _encoder_extra(encoder, params, x)
  z_k, log_det = flow.apply({"params": params["params"]["flow"]}, z0, extra)
  np.testing.assert_allclose(sample.z[0], z_k, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(sample.log_prob, probability.gaussian_log_prob(z0, sample.mean, sample.log_var) - log_det,
                             rtol=1e-5, atol=1e-5)
  with pytest.raises(ValueError, match=r"model.flow: expected one of \['planar', 'iaf'\], got 'radial'"):
    flows.check_flow("radial", 2)


def _encoder_extra(encoder, params, x):
  """The flow inputs the encoder computes: its linear output after (mean, log_var)."""
  from gen_jax.vae.networks import DataEncoder
  body = DataEncoder(encoder.arch, encoder.hidden, 2 * encoder.latent_dim + encoder.context_dim,
                     encoder.example_shape, encoder.act)
  return body.apply({"params": params["params"]["DataEncoder_0"]}, x)[:, 2 * encoder.latent_dim:]


def test_quantize_picks_the_nearest_code():
  embedding = jnp.array([[0.0, 0.0], [1.0, 1.0], [-2.0, 0.5]])
  z_e = jnp.array([[[0.1, -0.1], [0.9, 1.2]], [[-1.5, 0.0], [5.0, 5.0]]])  # [B=2, L=2, D=2]
  z_q, idx = vq.quantize(z_e, embedding)
  np.testing.assert_array_equal(idx, [[0, 1], [2, 1]])
  np.testing.assert_allclose(z_q, embedding[np.asarray(idx)])


def test_straight_through_gradient_passes_decoder_gradient_to_the_encoder_output():
  embedding = jax.random.normal(jax.random.PRNGKey(12), (5, 3))
  z_e = jax.random.normal(jax.random.PRNGKey(13), (4, 3))
  target = jax.random.normal(jax.random.PRNGKey(14), (4, 3))
  decoder_loss = lambda z: jnp.sum(jnp.sin(z) * target)
  z_q = vq.quantize(z_e, embedding)[0]
  grad_st = jax.grad(lambda z: decoder_loss(vq.straight_through(z, vq.quantize(z, embedding)[0])))(z_e)
  np.testing.assert_allclose(grad_st, jax.grad(decoder_loss)(z_q), rtol=1e-6)  # dL/dz_q copied to z_e
  np.testing.assert_allclose(vq.straight_through(z_e, z_q), z_q, rtol=1e-6)  # forward value is z_q
  # The commitment loss pulls z_e toward its (fixed) code: gradient 2 (z_e - z_q), none to the codebook.
  grad_commit = jax.grad(lambda z: jnp.sum(vq.commitment_loss(z[None], z_q[None])))(z_e)
  np.testing.assert_allclose(grad_commit, 2 * (z_e - z_q), rtol=1e-5)
  grad_codebook = jax.grad(lambda e: jnp.sum(vq.commitment_loss(z_e[None], vq.quantize(z_e, e)[0][None])))(embedding)
  np.testing.assert_allclose(grad_codebook, 0.0)


def test_ema_codebook_update_moves_used_codes_to_their_cluster_means():
  codebook = vq.init_codebook(jax.random.PRNGKey(15), num_codes=3, code_dim=2, num_positions=2)
  z_e = jnp.array([[[1.0, 1.0], [1.0, 3.0]], [[3.0, 1.0], [3.0, 3.0]]])  # [b=2, L=2, D=2]
  idx = jnp.array([[0, 0], [0, 2]])
  mesh = parallel.make_mesh(1)
  update = jax.shard_map(lambda cb, z, i: vq.ema_codebook_update(cb, z, i, decay=0.0, epsilon=0.0, axis_name="data"), mesh=mesh,
                         in_specs=(P(), P("data"), P("data")), out_specs=P())
  z_e, idx = (jax.device_put(a, jax.sharding.NamedSharding(mesh, P("data"))) for a in (z_e, idx))
  new = update(codebook, z_e, idx)
  np.testing.assert_allclose(new["embedding"][0], [5 / 3, 5 / 3], rtol=1e-6)  # mean of its three vectors
  np.testing.assert_allclose(new["embedding"][2], [3.0, 3.0], rtol=1e-6)
  np.testing.assert_allclose(new["cluster_size"], [3.0, 0.0, 1.0])
  np.testing.assert_allclose(new["usage"], [[1.0, 0.0, 0.0], [0.5, 0.0, 0.5]])


def test_perplexity_counts_effectively_used_codes():
  np.testing.assert_allclose(vq.perplexity(jnp.full((8,), 1 / 8)), 8.0, rtol=1e-5)
  np.testing.assert_allclose(vq.perplexity(jnp.array([1.0, 0.0, 0.0])), 1.0, rtol=1e-5)
  np.testing.assert_allclose(vq.perplexity(jnp.array([0.5, 0.5, 0.0, 0.0])), 2.0, rtol=1e-5)
