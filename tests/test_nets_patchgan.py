"""PatchGAN discriminator: output shape, the receptive field it states, normalizations."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gen_jax.nets.patchgan import PatchDiscriminator, receptive_field


@pytest.mark.parametrize("normalization", ["instance", "batch", "none"])
def test_one_logit_per_patch(normalization):
  net = PatchDiscriminator(features=4, num_layers=2, normalization=normalization)
  x = jax.random.normal(jax.random.key(0), (3, 16, 16, 2))
  variables = net.init(jax.random.key(1), x)
  logits, _ = net.apply(variables, x, mutable=["batch_stats"])
  assert logits.shape == (3, 4, 4, 1) and logits.dtype == jnp.float32
  assert np.all(np.isfinite(logits))


@pytest.mark.parametrize("num_layers", [1, 2])
def test_receptive_field_is_what_one_logit_sees(num_layers):
  """The input pixels with a nonzero gradient of one central logit span receptive_field(L) pixels."""
  size = 64
  net = PatchDiscriminator(features=4, num_layers=num_layers, normalization="none")
  x = jax.random.normal(jax.random.key(0), (1, size, size, 1))
  params = net.init(jax.random.key(1), x)
  centre = size // 2 ** num_layers // 2
  grad = jax.grad(lambda x: net.apply(params, x)[0, centre, centre, 0])(x)[0, :, :, 0]
  rows = np.nonzero(np.any(np.asarray(grad) != 0, axis=1))[0]
  assert rows.max() - rows.min() + 1 == receptive_field(num_layers)


def test_receptive_field_of_the_paper():
  assert receptive_field(3) == 70


def test_unknown_normalization_named():
  net = PatchDiscriminator(normalization="layer")
  with pytest.raises(ValueError, match="normalization: expected one of"):
    net.init(jax.random.key(0), jnp.zeros((1, 8, 8, 1)))
