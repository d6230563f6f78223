"""Property-based bad-input tests of gen_jax.gan.losses and gen_jax.vae.objectives."""

import jax
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from gen_jax import checks
from gen_jax.gan import losses
from gen_jax.vae import objectives

FAST = settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
BAD_FLOATS = st.sampled_from([np.nan, np.inf, -np.inf])
KINDS = st.sampled_from(sorted(losses.LOSSES))
LOGITS = hnp.arrays(np.float32, 4, elements=st.floats(-1e4, 1e4, width=32))


@FAST
@given(KINDS, LOGITS, LOGITS)
def test_gan_losses_are_finite_for_any_finite_logits(kind, real, fake):
  assert np.all(np.isfinite(losses.discriminator_loss(real, fake, kind)))
  assert np.all(np.isfinite(losses.generator_loss(fake, kind)))


@FAST
@given(KINDS, LOGITS, BAD_FLOATS, st.integers(0, 3))
def test_gan_losses_propagate_a_nonfinite_logit_to_its_example_only(kind, logits, bad, i):
  bad_logits = logits.copy()
  bad_logits[i] = bad
  others = np.arange(4) != i
  d = np.asarray(losses.discriminator_loss(bad_logits, logits, kind))
  g = np.asarray(losses.generator_loss(bad_logits, kind))
  assert np.all(np.isfinite(d[others])) and np.all(np.isfinite(g[others]))
  if np.isnan(bad):
    assert np.isnan(d[i]) and np.isnan(g[i])


@FAST
@given(KINDS, st.integers(1, 4), st.integers(1, 4))
def test_gan_discriminator_loss_names_mismatched_shapes(kind, n, m):
  if n == m:
    return
  with pytest.raises(ValueError, match="real_logits, fake_logits"):
    losses.discriminator_loss(np.zeros(n, np.float32), np.zeros(m, np.float32), kind)


@FAST
@given(st.text(max_size=12).filter(lambda s: s not in losses.LOSSES))
def test_gan_unknown_loss_kind_is_named(kind):
  with pytest.raises(ValueError, match="kind: expected one of"):
    losses.generator_loss(np.zeros(2, np.float32), kind)
  with pytest.raises(ValueError, match="objective.loss: expected one of"):
    losses.check_kind(kind, "objective.loss")


@FAST
@given(st.integers(1, 3), st.integers(0, 2), st.integers(1, 3))
def test_info_code_loss_names_inconsistent_shapes(k, l, b):
  q = np.zeros((b, k + l), np.float32)
  category, continuous = np.zeros(b, np.int32), np.zeros((b, l), np.float32)
  assert losses.info_code_loss(q, category, continuous).shape == (b,)
  with pytest.raises(ValueError, match="q_outputs, category, continuous"):
    losses.info_code_loss(q, np.zeros(b + 1, np.int32), continuous)
  with pytest.raises(ValueError, match="q_outputs, category, continuous"):
    losses.info_code_loss(q[:, :l], category, continuous)


@FAST
@given(st.text(max_size=12).filter(lambda s: s not in objectives.LIKELIHOODS))
def test_vae_unknown_likelihood_is_named(likelihood):
  with pytest.raises(ValueError, match="likelihood"):
    objectives.decoder_log_likelihood(np.zeros((2, 3)), np.zeros((2, 3)), likelihood, 1)
  with pytest.raises(ValueError, match="likelihood"):
    objectives.decoder_mean(np.zeros((2, 3)), likelihood)
  with pytest.raises(ValueError, match="objective.likelihood"):
    objectives.check_likelihood(likelihood)


@FAST
@given(st.sampled_from(objectives.LIKELIHOODS), hnp.arrays(np.float32, (2, 4), elements=st.floats(-5, 5, width=32)),
       BAD_FLOATS)
def test_vae_log_likelihood_is_nonfinite_only_for_the_example_with_a_nonfinite_output(likelihood, out, bad):
  x = np.clip(out[:, :2], 0, 1) if likelihood != "gaussian" else out[:, :2]
  out = (out if likelihood == "gaussian" else out[:, :2]).copy()
  out[1, 0] = bad
  value = np.asarray(objectives.decoder_log_likelihood(x, out, likelihood, 1))
  assert np.isfinite(value[0]) and not np.isfinite(value[1])


@FAST
@given(st.sampled_from([(2,), (3, 2), (2, 2, 2)]), st.floats(-10, -1e-3))
def test_elbo_names_bad_kl_shapes_and_negative_beta(kl_shape, beta):
  log_likelihood = np.zeros((3, 2), np.float32)  # [S, B]
  kl = np.zeros(kl_shape, np.float32)
  if kl_shape in ((2,), (3, 2)):
    assert objectives.elbo(log_likelihood, kl)["elbo"].shape == (2,)
  else:
    with pytest.raises(ValueError, match="kl"):
      objectives.elbo(log_likelihood, kl)
  kl = np.ones(2, np.float32)
  np.testing.assert_allclose(objectives.elbo(log_likelihood, kl, beta)["objective"], -beta)  # computed as given
  with pytest.raises(ValueError, match="beta: expected a KL weight >= 0"):
    checks.checked(objectives.elbo)(log_likelihood, kl, np.float32(beta))


@FAST
@given(st.sampled_from([0, -1, 2.5, True, None, "2"]))
def test_sample_posterior_names_bad_sample_counts(num_samples):
  keys = jax.random.split(jax.random.PRNGKey(0), 2)
  with pytest.raises(ValueError, match="num_samples"):
    objectives.sample_posterior(keys, np.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32), num_samples)


@FAST
@given(hnp.arrays(np.float32, (3, 2), elements=st.floats(-20, 20, width=32)))
def test_iwae_bound_is_at_least_the_mean_log_weight(log_w):
  bound = np.asarray(objectives.iwae_bound(log_w, np.zeros_like(log_w), np.zeros_like(log_w)))
  assert np.all(bound >= log_w.mean(0) - 1e-4) and np.all(bound <= log_w.max(0) + 1e-4)


def test_iwae_bound_names_an_empty_sample_axis():
  empty = np.zeros((0, 2), np.float32)
  with pytest.raises(ValueError, match="axis"):
    objectives.iwae_bound(empty, empty, empty)


@FAST
@given(st.integers(0, 4), st.integers(1, 3), st.integers(0, 4))
def test_mmd_names_mismatched_or_too_small_samples(n, d, m):
  z_q, z_p = np.zeros((n, d), np.float32), np.zeros((m, d), np.float32)
  if n >= 2 and n == m:
    assert np.isfinite(float(objectives.mmd_imq(z_q, z_p)))
  else:
    with pytest.raises(ValueError, match="z_p"):
      objectives.mmd_imq(z_q, z_p)
