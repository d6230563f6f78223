"""Every flow layer: inverse(forward(x)) = x, log-det = slogdet of the Jacobian, and jit/vmap."""

import zlib

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gen_jax.flows import autoregressive, bijections, coupling, elementwise, glow, splines


def perturbed(params, seed: int, scale=0.1):
  """Parameters moved off their identity initialization (zero output layers) so the test is not trivial;
  the 1x1 convolution's constants (its permutation and signs) stay as they are. The noise per leaf comes
  from numpy seeded by `seed` and a stable hash of the leaf's path (crc32, not Python's per-process salted
  `hash`), so every run tests the same parameters (and compiles nothing)."""
  def move(path, p):
    name = jax.tree_util.keystr(path)
    if "'p'" in name or "'sign'" in name:
      return p
    noise = np.random.default_rng([seed, zlib.crc32(name.encode())]).standard_normal(p.shape)
    return p + jnp.asarray(scale * noise, p.dtype)
  return jax.tree_util.tree_map_with_path(move, params)


def mlp(transform, bins=4, init_scheme="identity"):
  return coupling.MLPConditioner((8,), elementwise.num_params(transform, bins), init_scheme)


def conv(transform, bins=4):
  return coupling.ConvConditioner(4, elementwise.num_params(transform, bins))


VECTOR_LAYERS = {
    "additive_coupling": lambda: coupling.Coupling(coupling.half_mask(3, 0), mlp("additive"), "additive"),
    "affine_coupling": lambda: coupling.Coupling(coupling.half_mask(3, 1), mlp("affine"), "affine"),
    "softplus_coupling": lambda: coupling.Coupling(coupling.half_mask(3, 0), mlp("affine_softplus", init_scheme="uniform"),
                                                   "affine_softplus"),
    "spline_coupling": lambda: coupling.Coupling(coupling.half_mask(3, 0), mlp("spline"), "spline", 2.0),
    "maf_affine": lambda: autoregressive.MAF((8,), "affine"),
    "maf_spline": lambda: autoregressive.MAF((8,), "spline", num_bins=4, bound=2.0),
    "diagonal_scaling": bijections.DiagonalScaling,
    "elementwise_affine": bijections.ElementwiseAffine,
    "permutation": lambda: bijections.Permutation((2, 0, 1)),
    "actnorm": glow.ActNorm,
    "invconv_vector": glow.InvConv1x1,
    "batch_norm": bijections.BatchNormBijection,
    "fixed_affine": lambda: bijections.FixedAffine(0.5, 3.0),
    "chain": lambda: bijections.Chain((glow.ActNorm(), bijections.Permutation((1, 2, 0)),
                                       autoregressive.MAF((8,), "affine_softplus", init_scheme="uniform"))),
}

IMAGE_LAYERS = {
    "checkerboard_coupling": lambda: coupling.Coupling(coupling.checkerboard_mask(4, 4, 2, 1), conv("affine"), "affine"),
    "channel_coupling": lambda: coupling.Coupling(coupling.channel_mask(4, 4, 2, 0), conv("spline"), "spline", 2.0),
    "invconv": glow.InvConv1x1,
    "squeeze": bijections.Squeeze,
    "logit": lambda: bijections.LogitTransform(0.05),
    "multiscale": lambda: coupling.MultiScale(
        pre=(coupling.Coupling(coupling.checkerboard_mask(4, 4, 2, 0), conv("affine"), "affine"),
             bijections.Chain(())),
        post=(bijections.Chain((glow.ActNorm(), glow.InvConv1x1(),
                                coupling.Coupling(coupling.channel_mask(2, 2, 8, 0), conv("affine"), "affine"))),
              coupling.Coupling(coupling.channel_mask(1, 1, 16, 1), conv("additive"), "additive")),
        event_shape=(4, 4, 2)),
}


def layer_and_input(name):
  if name in VECTOR_LAYERS:
    x = jax.random.normal(jax.random.PRNGKey(1), (4, 3))
    return VECTOR_LAYERS[name](), x
  x = jax.random.normal(jax.random.PRNGKey(1), (2, 4, 4, 2))
  if name == "logit":
    x = jax.nn.sigmoid(x)
  return IMAGE_LAYERS[name](), x


def setup_layer(name):
  layer, x = layer_and_input(name)
  variables = jax.jit(lambda key, v: layer.init(key, v, method="forward"))(jax.random.PRNGKey(0), x)
  variables = {**variables, "params": perturbed(variables.get("params", {}), 2)}
  if "batch_stats" in variables:  # running statistics away from (0, 1) as well
    variables["batch_stats"] = {"mean": jnp.array([0.2, -0.1, 0.3]), "var": jnp.array([1.5, 0.7, 2.0])}
  forward = lambda v: layer.apply(variables, v, method="forward")
  inverse = lambda v: layer.apply(variables, v, method="inverse")
  return x, forward, inverse


ALL = sorted(VECTOR_LAYERS) + sorted(IMAGE_LAYERS)


@pytest.mark.parametrize("name", ALL)
def test_inverse_undoes_forward_and_log_det_is_the_jacobians(name):
  x, forward, inverse = setup_layer(name)
  z, log_det = jax.jit(forward)(x)
  x_back, inverse_log_det = jax.jit(inverse)(z)
  assert z.shape == x.shape[:1] + z.shape[1:] and log_det.shape == x.shape[:1]
  np.testing.assert_allclose(x_back, x, atol=1e-5)
  np.testing.assert_allclose(inverse_log_det, -log_det, atol=1e-4)
  one = x[:1]  # a batch of one example: the Jacobian of its D outputs in its D inputs
  jac = jax.jit(jax.jacfwd(lambda v: forward(v.reshape(one.shape))[0].reshape(-1)))(one.reshape(-1))
  sign, log_abs_det = jnp.linalg.slogdet(jac)
  assert sign != 0
  np.testing.assert_allclose(log_det[0], log_abs_det, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("name", ["spline_coupling", "maf_spline", "checkerboard_coupling", "invconv"])
def test_vmap_over_examples_matches_the_batch(name):
  x, forward, _ = setup_layer(name)
  z, log_det = jax.jit(forward)(x)
  z_vmapped, log_det_vmapped = jax.jit(jax.vmap(lambda v: jax.tree.map(lambda a: a[0], forward(v[None]))))(x)
  np.testing.assert_allclose(z_vmapped, z, atol=1e-5)
  np.testing.assert_allclose(log_det_vmapped, log_det, atol=1e-5)


def test_spline_is_monotone_with_the_derivative_it_reports():
  params = 2.0 * jax.random.normal(jax.random.PRNGKey(0), (200, splines.num_spline_params(5)))
  x = jnp.linspace(-3.5, 3.5, 200)
  y, log_det = splines.rational_quadratic_spline(x, params, bound=3.0)
  derivative = jax.jit(jax.vmap(jax.grad(lambda v, p: splines.rational_quadratic_spline(v, p, 3.0)[0])))(x, params)
  np.testing.assert_allclose(jnp.log(derivative), log_det, atol=1e-4)
  same = splines.rational_quadratic_spline(x, jnp.broadcast_to(params[0], params.shape), 3.0)[0]
  assert bool(jnp.all(jnp.diff(same) > 0))  # one spline, increasing inputs -> increasing outputs


def test_made_output_depends_only_on_earlier_inputs():
  made = autoregressive.MADE((16, 16), num_params=2)
  x = jnp.ones((1, 4))
  params = perturbed(made.init(jax.random.PRNGKey(0), x), 1)
  jac = jax.jit(jax.jacfwd(lambda v: made.apply(params, v[None])[0]))(x[0])  # [D, P, D]
  dependence = np.abs(np.asarray(jac)).sum(axis=1) > 0  # [out, in]
  assert not np.any(np.triu(dependence)) and dependence[-1].any()  # strictly lower triangular, not empty


def test_actnorm_initializes_from_the_data_and_over_the_mesh_axis():
  x = 3.0 + 2.0 * jax.random.normal(jax.random.PRNGKey(0), (64, 5, 5, 3))
  params = glow.ActNorm().init(jax.random.PRNGKey(0), x)
  z, _ = glow.ActNorm().apply(params, x, method="forward")
  np.testing.assert_allclose(z.mean(axis=(0, 1, 2)), 0.0, atol=1e-4)
  np.testing.assert_allclose(z.std(axis=(0, 1, 2)), 1.0, atol=1e-3)
  shards = x.reshape(4, 16, 5, 5, 3)  # the same statistics when the batch is split over an axis
  sharded = jax.vmap(lambda s: glow.ActNorm(axis_name="d").init(jax.random.PRNGKey(0), s), axis_name="d")(shards)
  np.testing.assert_allclose(sharded["params"]["actnorm_bias"][0], params["params"]["actnorm_bias"], atol=1e-5)


def test_batch_norm_uses_batch_statistics_in_training_and_updates_running_averages():
  layer = bijections.BatchNormBijection(use_running_average=False, momentum=0.5)
  x = 2.0 + 3.0 * jax.random.normal(jax.random.PRNGKey(0), (256, 2))
  variables = layer.init(jax.random.PRNGKey(0), x, method="forward")
  (z, _), updated = layer.apply(variables, x, method="forward", mutable=["batch_stats"])
  np.testing.assert_allclose(z.std(axis=0), 1.0, atol=1e-3)
  np.testing.assert_allclose(updated["batch_stats"]["mean"], 0.5 * x.mean(axis=0), atol=1e-5)


def test_glow_invconv_constants_get_no_gradient():
  x = jax.random.normal(jax.random.PRNGKey(1), (2, 3))
  params = glow.InvConv1x1().init(jax.random.PRNGKey(0), x)
  grads = jax.grad(lambda p: jnp.sum(glow.InvConv1x1().apply(p, x, method="forward")[0] ** 2))(params)
  assert float(jnp.abs(grads["params"]["lu"]["p"]).max()) == 0.0
  assert float(jnp.abs(grads["params"]["lu"]["sign"]).max()) == 0.0
  assert float(jnp.abs(grads["params"]["lu"]["log_s"]).max()) > 0.0


def test_conditioner_init_schemes():
  """'identity': zero outputs (every layer the identity); 'uniform': U(+-1/sqrt(fan_in)) weights and biases
  everywhere, so the outputs move and the hidden biases spread; the softplus scale of a zero output is 1."""
  x = jax.random.normal(jax.random.PRNGKey(1), (4, 3))
  for make in (lambda scheme: coupling.MLPConditioner((8,), 2, scheme),
               lambda scheme: autoregressive.MADE((8,), 2, scheme)):
    identity, uniform = make("identity"), make("uniform")
    init_and_apply = lambda net: jax.jit(lambda key: net.init_with_output(key, x)[::-1])(jax.random.PRNGKey(0))
    assert float(jnp.abs(init_and_apply(identity)[1]).max()) == 0.0
    params, theta = init_and_apply(uniform)
    assert float(jnp.abs(theta).max()) > 0.01
    for leaf in jax.tree.leaves(params):  # fan_in 3 (first layer) or 8 (output): |w|, |b| <= 1/sqrt(3)
      assert 0 < float(jnp.abs(leaf).max()) <= 3 ** -0.5
  y, log_det = elementwise.apply("affine_softplus", x, jnp.zeros(x.shape + (2,)))
  np.testing.assert_allclose(y, x, atol=1e-6)
  np.testing.assert_allclose(log_det, 0.0, atol=1e-6)


def test_transforms_reject_unknown_names():
  with pytest.raises(ValueError, match="transform: expected one of"):
    elementwise.num_params("cubic")
  with pytest.raises(ValueError, match="init: expected one of"):
    elementwise.conditioner_init("zeros", 3, output=True)
  with pytest.raises(ValueError, match="params: expected shape"):
    splines.rational_quadratic_spline(jnp.zeros(3), jnp.zeros((3, 7)))


def test_multiscale_factors_out_half_the_channels_per_level():
  _, x = layer_and_input("multiscale")
  layer = IMAGE_LAYERS["multiscale"]()
  assert layer._shapes() == [((2, 2, 8), 4), ((1, 1, 16), 0)]
  z, _ = jax.jit(lambda v: layer.init_with_output(jax.random.PRNGKey(0), v, method="forward")[0])(x)
  assert z.shape == (2, 32)
  assert isinstance(layer, nn.Module)


def test_cnf_exact_and_hutchinson_agree_and_sampling_inverts_the_density_direction():
  from gen_jax.flows import cnf
  field_module = cnf.ODEField((8,))
  x = jax.random.normal(jax.random.PRNGKey(0), (4, 2))
  params = perturbed(field_module.init(jax.random.PRNGKey(0), x, 0.0), 1, 0.5)
  field = lambda z, t: field_module.apply(params, z, t)
  log_q, nfe = jax.jit(lambda v: cnf.cnf_log_prob(field, v))(x)
  assert log_q.shape == (4,) and bool(jnp.all(nfe >= 7))
  # the exact trace: log q(x) = log N(z(1)) + int tr, checked against the Jacobian of the flow map x -> z(1)
  z_of = lambda v: cnf.solve(lambda t, y: field(y, t), v, 0.0, 1.0, 1e-7, 1e-7, 1000)[0]
  _, log_det = jnp.linalg.slogdet(jax.jit(jax.jacrev(z_of))(x[0]))
  np.testing.assert_allclose(log_q[0], bijections.standard_normal_log_prob(z_of(x[0])[None])[0] + log_det, atol=1e-3)
  eps = jax.random.rademacher(jax.random.PRNGKey(2), (64, 4, 2), jnp.float32)
  estimates = jax.jit(jax.vmap(lambda e: cnf.cnf_log_prob(field, x, e)[0]))(eps)  # [64, 4]
  np.testing.assert_allclose(estimates.mean(0), log_q, atol=4 * float(estimates.std(0).max()) / 8 + 1e-3)
  x_back, _ = jax.jit(lambda z: cnf.cnf_sample(field, z))(jax.jit(jax.vmap(z_of))(x))
  np.testing.assert_allclose(x_back, x, atol=1e-3)
