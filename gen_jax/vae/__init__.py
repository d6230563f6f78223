"""Variational autoencoders: objectives (ELBO, IWAE, beta), the variants on the engine, evaluation.

Importing this package registers the models 'vae', 'hvae', 'nfvae' (models.py),
'wae' (wae.py), 'vaegan' (vaegan.py) and 'vqvae' (vq.py).
"""

from gen_jax.vae import models, vaegan, vq, wae  # noqa: F401  (register the models)
