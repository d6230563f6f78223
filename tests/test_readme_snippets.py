"""The README's 'Using gen_jax from your own JAX code' snippets, run verbatim, and what they promise."""

import os
import re

import jax
import numpy as np

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")


def snippets() -> list[str]:
  text = open(README, encoding="utf-8").read()
  section = text[text.index("## Using gen_jax from your own JAX code"):]
  section = section[:section.index("\n## ", 1)]
  return re.findall(r"```python\n(.*?)```", section, re.S)


def run(code: str) -> dict:
  namespace: dict = {}
  exec(compile(code, README, "exec"), namespace)  # pylint: disable=exec-used
  return namespace


def test_the_section_has_three_snippets():
  assert len(snippets()) == 3


def test_kl_annealed_vae_step_compiles_once_with_a_traced_beta():
  ns = run(snippets()[0])
  assert ns["train_step"]._cache_size() == 1  # 100 values of beta, one compilation
  assert np.isfinite(float(ns["loss"]))
  first = float(ns["train_step"](ns["model"].init(jax.random.PRNGKey(1), ns["x"], jax.random.PRNGKey(2), 1.0),
                                 ns["tx"].init(ns["params"]), ns["x"], jax.random.PRNGKey(0), 1.0)[2])
  assert float(ns["loss"]) < first  # training lowered -ELBO


def test_wgan_gp_critic_loss_is_finite_and_differentiable():
  ns = run(snippets()[1])
  assert np.isfinite(float(ns["loss"]))
  assert all(np.all(np.isfinite(g)) for g in jax.tree.leaves(ns["grads"]))
  assert any(float(np.abs(g).max()) > 0 for g in jax.tree.leaves(ns["grads"]))


def test_rejection_sampling_a_user_density():
  ns = run(snippets()[2])
  result, samples = ns["result"], np.asarray(ns["samples"])[:, 0]
  assert bool(result.complete) and int(result.num_envelope_violations) == 0
  # Two equal bumps N(+-2, 0.5^2): half the mass on each side, |x| has mean 2 and std 0.5.
  assert abs(np.mean(samples > 0) - 0.5) < 0.02
  assert abs(np.mean(np.abs(samples)) - 2.0) < 0.02 and abs(np.std(np.abs(samples)) - 0.5) < 0.02
  integral = 2 * np.sqrt(np.pi / 2.0)  # each bump integrates to sqrt(2 pi) * 0.5
  np.testing.assert_allclose(float(result.acceptance_rate), integral / float(ns["bound"]), rtol=0.05)
