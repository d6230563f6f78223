"""Variational autoencoders: objectives (ELBO, IWAE, beta), the variants on the engine, evaluation.

Importing this package registers the models 'vae', 'hvae', 'nfvae' (gen_jax.vae.models).
"""

from gen_jax.vae import models  # noqa: F401  (registers the models)
