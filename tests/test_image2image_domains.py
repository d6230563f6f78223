"""The unpaired and multi-domain translation track: digit domains, nets, losses at hand-computed points,
the history pool, and cyclegan / stargan / attgan on the engine (1 vs 4 devices, exact resume)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from configs import attgan_digits, cyclegan_digits, stargan_digits
from gen_jax import data as gdata
from gen_jax.data import digit_domains
from gen_jax.gan import regularizers
from gen_jax.image2image import multidomain_losses as ml
from gen_jax.image2image import unpaired_losses as ul
from gen_jax.nets.attgan import AttributeEditor
from gen_jax.nets.domain_discriminator import AuxiliaryDiscriminator
from gen_jax.nets.resnet_generator import ResnetGenerator, reflect_pad
from gen_jax.data.pipeline import BatchStream
from gen_jax.train import checkpoint, parallel, registry
from gen_jax.train.train_step import make_train_step
from tests.helpers.digit_domains import load as load_domain
from tests.helpers.family_worker import device_comparison, few_steps

CONFIGS = {"cyclegan": cyclegan_digits, "stargan": stargan_digits, "attgan": attgan_digits}
# attgan draws its edit targets from the global batch (celeb_a's setting), stargan uniformly over the domains.
VARIANTS = {"cyclegan": {"model.name": "cyclegan"}, "stargan": {"model.name": "stargan"},
            "attgan": {"model.name": "attgan", "objective.target_domains": "batch"}}


def tiny_config(**fields):
  """A few-second config of the model `fields['model.name']`: narrow nets, batch 8."""
  c = CONFIGS[fields["model.name"]].get_config()
  c.data.batch_size = 8
  c.model.features = 4
  c.model.num_blocks = 1
  c.model.discriminator_features = 4
  c.objective.pool_size = 4 if fields["model.name"] == "cyclegan" else 0
  c.optim.learning_rate = 1e-4
  # Adam's eps above rounding noise: StarGAN's centre taps on the constant label channels have an exactly zero
  # gradient (instance norm cancels them), and Adam would turn its rounding noise (device-count dependent) into
  # full steps of parameters that do not change the output.
  c.optim.eps = 1e-4
  c.optim.schedule = "constant"  # a cosine schedule would depend on train.num_steps (the resume test)
  c.eval.classifier_steps = 20
  c.eval.progress = False
  return few_steps(c, fields)


# ----------------------------------------------------------------------------------------------
# Data.

def test_printed_digits_are_deterministic_balanced_and_in_range():
  ds = load_domain("digits_printed")
  assert ds.train["x"].shape == (1437, 8, 8, 1) and ds.test["x"].shape == (360, 8, 8, 1)
  assert ds.train["x"].min() == -1.0 and ds.train["x"].max() == 1.0
  assert np.bincount(ds.test["y"]).tolist() == [36] * 10
  one = digit_domains.render_digit(7, 30, (0, 0), 0.0, 1)
  np.testing.assert_array_equal(one, digit_domains.render_digit(7, 30, (0, 0), 0.0, 1))
  assert one.shape == (8, 8) and set(np.unique(one * 16)) <= set(range(17))  # counts of 4x4 blocks


def test_attribute_domains_label_and_edit_the_digits():
  ds = load_domain("digits_attributes")
  n = 360
  assert ds.test["x"].shape == (9 * n, 8, 8, 1) and ds.spec.num_classes == 9
  assert ds.test["y"].tolist() == np.repeat(np.arange(9), n).tolist()
  ink = lambda d: float(np.mean(ds.test["x"][d * n:(d + 1) * n] + 1))
  assert ink(3) > ink(0) > ink(6)  # thick > normal > thin
  np.testing.assert_array_equal(digit_domains.attribute_vectors([0, 4, 8]),
                                [[0, 0, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1]])
  assert digit_domains.attribute_digit_labels("test").shape == (9 * n,)


def test_slant_right_moves_the_top_right():
  bar = np.zeros((1, 8, 8, 1), np.float32)
  bar[0, :, 3:5] = 1.0  # a vertical stroke
  right = digit_domains.edit_attributes(bar, 0, 2)[0, ..., 0]
  columns = np.arange(8)
  centre = lambda row: np.sum(row * columns) / np.sum(row)
  assert centre(right[0]) > centre(right[-1]) + 1


def test_unpaired_pairs_stack_both_domains():
  ds = load_domain("digits_unpaired")
  printed = load_domain("digits_printed")
  assert ds.train["x"].shape == (1437, 8, 8, 2) and ds.spec.num_classes == 0
  np.testing.assert_array_equal(np.sort(ds.test["x"][..., 1].ravel()), np.sort(printed.test["x"][..., 0].ravel()))
  labels_a, labels_b = digit_domains.unpaired_labels("test")
  assert labels_a.shape == labels_b.shape == (360,)


# ----------------------------------------------------------------------------------------------
# Nets.

def test_nets_shapes_and_reflection_padding():
  x = jax.random.uniform(jax.random.key(0), (2, 8, 8, 1), minval=-1, maxval=1)
  np.testing.assert_array_equal(reflect_pad(jnp.arange(3.0).reshape(1, 1, 3, 1), 1)[0, 1, :, 0], [1, 0, 1, 2, 1])
  c = jnp.array([[1.0, 0, 0, 1], [0, 1, 0, 0]])
  for net, inputs in ((ResnetGenerator(1, 4, 1, 1), (x, c)), (AttributeEditor(4, 2), (x, c))):
    y = net.apply(net.init(jax.random.key(1), *inputs), *inputs)
    assert y.shape == x.shape and float(jnp.max(jnp.abs(y))) <= 1.0
  local = ResnetGenerator(1, 4, 0, 0, outer_kernel=3)                    # c3s1-4 -> c3s1-1: a 5x5 receptive field
  params = local.init(jax.random.key(1), x)["params"]
  assert [p["kernel"].shape[:2] for p in params.values() if "kernel" in p] == [(3, 3), (3, 3)]
  assert local.apply({"params": params}, x).shape == x.shape
  with pytest.raises(ValueError, match="outer_kernel: expected an odd number >= 1, got 4"):
    ResnetGenerator(1, 4, 0, 0, outer_kernel=4).init(jax.random.key(1), x)
  d = AuxiliaryDiscriminator(4, features=4, num_layers=2)
  scores, logits = d.apply(d.init(jax.random.key(2), x), x)
  assert scores.shape == (2, 2, 2, 1) and logits.shape == (2, 4)


def test_the_condition_changes_the_generators_output():
  x = jax.random.uniform(jax.random.key(0), (1, 8, 8, 1))
  change = lambda net, params: float(jnp.max(jnp.abs(net.apply(params, x, jnp.zeros((1, 4)))
                                                    - net.apply(params, x, jnp.ones((1, 4))))))
  for net in (ResnetGenerator(1, 4, 1, 1, padding="zeros"), AttributeEditor(4, 2)):
    assert change(net, net.init(jax.random.key(1), x, jnp.zeros((1, 4)))) > 1e-3
  # with reflection padding, instance norm removes a tiled label's constant channels exactly
  reflecting = ResnetGenerator(1, 4, 1, 1)
  assert change(reflecting, reflecting.init(jax.random.key(1), x, jnp.zeros((1, 4)))) < 1e-5


# ----------------------------------------------------------------------------------------------
# Losses at hand-computed points.

def test_cycle_terms_and_loss_by_hand():
  a, b = jnp.zeros((1, 2, 2, 1)), jnp.ones((1, 2, 2, 1))
  logits_b = jnp.array([0.0, 1.0, 2.0, 3.0]).reshape(1, 2, 2, 1)  # LS_G: mean (l - 1)^2 / 2 = (1 + 0 + 1 + 4) / 8
  terms = ul.cycle_generator_terms(logits_b, jnp.ones((1, 2, 2, 1)), a, b, a + 0.5, b - 0.25, a + 0.1, b)
  np.testing.assert_allclose([terms.adversarial[0], terms.cycle[0], terms.identity[0]], [0.75, 0.75, 0.1], rtol=1e-6)
  np.testing.assert_allclose(ul.cycle_generator_loss(terms, 10.0, 5.0), [0.75 + 7.5 + 0.5], rtol=1e-6)
  real, fake = jnp.full((1, 2, 2, 1), 0.5), jnp.full((1, 2, 2, 1), 2.0)
  np.testing.assert_allclose(ul.patch_least_squares_discriminator(real, fake), [(0.25 + 4.0) / 2])


def test_multidomain_objectives_by_hand():
  logits, labels = jnp.array([[2.0, -1.0]]), jnp.array([[1.0, 0.0]])
  expected_ce = np.log1p(np.exp(-2.0)) + np.log1p(np.exp(-1.0))
  np.testing.assert_allclose(ml.attribute_cross_entropy(logits, labels), [expected_ce], rtol=1e-6)
  total, terms = ml.discriminator_objective(jnp.array([[3.0]]), jnp.array([[1.0]]), logits, labels, jnp.array([0.2]),
                                            2.0, 10.0)
  np.testing.assert_allclose(total, [1.0 - 3.0 + 2 * expected_ce + 2.0], rtol=1e-6)
  assert float(terms.penalty[0]) == pytest.approx(0.2)
  x = jnp.zeros((1, 2, 2, 1))
  total, terms = ml.generator_objective(jnp.array([[0.5]]), logits, labels, x, x + 0.3, 10.0, 100.0, "least_squares")
  np.testing.assert_allclose(total, [0.125 + 10 * expected_ce + 30.0], rtol=1e-5)
  assert float(terms.identity[0]) == 0.0  # no G(x, c) given: no identity term
  same_domain = x.at[0, 0, 0, 0].set(0.8)  # |G(x, c) - x|_1 = 0.8 / 4 pixels
  total_id, terms = ml.generator_objective(jnp.array([[0.5]]), logits, labels, x, x + 0.3, 10.0, 100.0,
                                           "least_squares", same_domain, 10.0)
  np.testing.assert_allclose([terms.identity[0], total_id[0] - total[0]], [0.2, 2.0], rtol=1e-5)


def test_objectives_trace_with_traced_weights():
  x = jnp.zeros((2, 2, 2, 1))
  terms = ul.CycleTerms(jnp.ones(2), jnp.ones(2), jnp.ones(2))
  grad = jax.grad(lambda w: ul.cycle_generator_loss(terms, w, 2 * w).sum())(1.0)
  assert float(grad) == 6.0
  f = jax.jit(lambda w: ml.generator_objective(jnp.ones((2, 1)), jnp.zeros((2, 3)), jnp.ones((2, 3)), x, x, w, w)[0])
  assert f(1.0).shape == (2,)


def test_stargan_discriminator_uses_the_shared_gradient_penalty():
  critic = lambda z: z.reshape(z.shape[0], -1) @ jnp.full((4,), 0.5)  # ||w|| = 1: zero penalty
  keys = jax.random.split(jax.random.key(0), 2)
  penalty = regularizers.gradient_penalty(critic, jnp.ones((2, 2, 2, 1)), jnp.zeros((2, 2, 2, 1)), keys)
  np.testing.assert_allclose(penalty, [0.0, 0.0], atol=1e-6)


# ----------------------------------------------------------------------------------------------
# The history pool.

def test_history_pool_fills_then_swaps_or_passes():
  pool = ul.pool_init(3, (1,))
  pool, shown = ul.pool_query(pool, jnp.array([[1.0], [2.0]]), jax.random.key(0))
  assert shown.ravel().tolist() == [1.0, 2.0] and int(pool.count) == 2
  pool, shown = ul.pool_query(pool, jnp.array([[3.0], [4.0]]), jax.random.key(1), swap_probability=0.0)
  assert shown.ravel().tolist() == [3.0, 4.0]  # the third fills the pool; the fourth passes through
  assert pool.images.ravel().tolist() == [1.0, 2.0, 3.0] and int(pool.count) == 3
  pool, shown = ul.pool_query(pool, jnp.arange(10.0, 20.0)[:, None], jax.random.key(2), swap_probability=1.0)
  kept = set(pool.images.ravel().tolist())
  # every image shown was in the pool before its turn; the pool holds three distinct images
  assert len(kept) == 3 and all(v in {1.0, 2.0, 3.0} | set(range(10, 20)) for v in shown.ravel().tolist())
  assert not set(shown.ravel().tolist()) & {19.0}  # the last image swapped in is never shown
  assert 19.0 in kept


def test_history_pool_swaps_about_half_the_time():
  pool = ul.pool_init(1000, (1,))
  pool, _ = ul.pool_query(pool, -jnp.ones((1000, 1)), jax.random.key(0))
  _, shown = ul.pool_query(pool, jnp.ones((200, 1)), jax.random.key(1))
  fraction_old = float(jnp.mean(shown < 0))
  assert 0.38 < fraction_old < 0.6  # p = 1/2 times the pool's share of old images (> 0.9 throughout)


def test_history_pool_rejects_other_shapes():
  with pytest.raises(ValueError, match="images: expected examples of shape"):
    ul.pool_query(ul.pool_init(2, (8, 8, 1)), jnp.zeros((1, 8, 8, 2)), jax.random.key(0))


# ----------------------------------------------------------------------------------------------
# Models on the engine.

@pytest.fixture(scope="module")
def parallel_runs():
  return device_comparison("tests.test_image2image_domains")


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_model_trains_identically_on_one_and_four_devices(parallel_runs, variant):
  run = parallel_runs[variant]
  assert run["applied"] and run["finite"] and run["moved"] > 0
  assert run["max_rel_diff"] < 1e-4, run
  assert run["metric_diff"] < 1e-3


def test_cyclegan_state_with_its_history_pools_resumes_exactly_from_a_checkpoint(tmp_path):
  """Two steps, a checkpoint round trip (orbax, as the engine resumes), two more steps == four steps."""
  config = tiny_config(**{"model.name": "cyclegan"})
  dataset = gdata.load(config.data)
  trainer = registry.get_model("cyclegan")(config, dataset.spec)
  mesh = parallel.make_mesh(1)
  step = make_train_step(trainer, mesh)
  stream = BatchStream(dataset, config.data.batch_size, config.seed)
  batches = [parallel.put_batch(stream.local_batches(k, 1), mesh, leading_axes=1) for k in range(4)]
  fresh = lambda: parallel.put_replicated(trainer.init(jax.random.PRNGKey(0)), mesh)
  active = np.ones(1, bool)

  def run(state, chunk):
    for batch in chunk:
      state, _ = step(state, batch, active)
    return state

  full = jax.device_get(run(fresh(), batches))
  half = run(fresh(), batches[:2])
  manager = checkpoint.make_manager(str(tmp_path), keep=1)
  checkpoint.save(manager, half, {})
  resumed = jax.device_get(run(checkpoint.restore(manager, 2, fresh()), batches[2:]))
  assert int(full.model_state["pool_a"]["count"]) == 4  # 4 steps x batch 8 offered, capacity 4
  for x, y in zip(jax.tree.leaves(full), jax.tree.leaves(resumed), strict=True):
    np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
  pictures = trainer.save_pictures(full, jax.random.PRNGKey(1), str(tmp_path / "samples"), 4, dataset)
  assert pictures and all(p.endswith(".png") for p in pictures)


@pytest.mark.parametrize("name, field, message", [
    ("cyclegan", "objective.lambda_cyc", "objective.lambda_cyc: expected a non-negative number"),
    ("cyclegan", "objective.pool_size", "objective.pool_size"),
    ("stargan", "model.discriminator_normalization", "model.discriminator_normalization: expected one of"),
    ("cyclegan", "model.discriminator_normalization",
     r"model.discriminator_normalization: expected one of \['instance', 'none'\], got 'layer'"),
    ("attgan", "objective.lambda_gp", "objective.lambda_gp: expected a non-negative number"),
    ("stargan", "objective.target_domains", r"objective.target_domains: expected one of \['uniform', 'batch'\]"),
    ("stargan", "objective.lambda_id", "objective.lambda_id: expected a non-negative number"),
    ("stargan", "model.outer_kernel", "model.outer_kernel: expected an odd int >= 1, got -1"),
    ("cyclegan", "model.outer_kernel", "model.outer_kernel: expected an odd int >= 1, got -1"),
])
def test_builders_reject_bad_fields_naming_them(name, field, message):
  config = tiny_config(**{"model.name": name, field: "layer" if field.endswith(("normalization", "domains")) else -1})
  spec = gdata.load(config.data).spec
  with pytest.raises(ValueError, match=message):
    registry.get_model(name)(config, spec)


def test_attgan_refuses_an_identity_term_its_reconstruction_already_is():
  config = tiny_config(**{"model.name": "attgan", "objective.lambda_id": 1.0})
  with pytest.raises(ValueError, match=r"objective.lambda_id: expected 0 for attgan \(its reconstruction G\(x, c\) "
                                       r"already is the identity term\), got 1.0"):
    registry.get_model("attgan")(config, gdata.load(config.data).spec)


def test_models_refuse_other_data():
  config = tiny_config(**{"model.name": "stargan"})
  with pytest.raises(ValueError, match=r"data.name: expected an attribute dataset \(digits_attributes, "
                                       r"celeb_a_attributes\) for model 'stargan', got 'digits'"):
    registry.get_model("stargan")(config, load_domain("digits").spec)
  with pytest.raises(ValueError,
                     match=r"data.name: expected an unpaired dataset .* for model 'cyclegan', got 'digits'"):
    registry.get_model("cyclegan")(tiny_config(**{"model.name": "cyclegan"}), load_domain("digits").spec)
