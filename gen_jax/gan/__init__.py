"""Generative adversarial networks: objectives, stabilizers, networks, train steps, discriminator rejection
sampling and registered models.

Importing this package registers the models 'gan', 'cgan', 'infogan' and 'aae'
(gen_jax.gan.models) with gen_jax.train.registry.
"""

from gen_jax.gan import models  # noqa: F401  (registers the models)
