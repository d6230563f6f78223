"""Variational autoencoders: objectives (ELBO, IWAE, beta), the variants on the engine, evaluation.

Pure pieces (`objectives`, `flows`, `vq`) import alone; the registered models
'vae', 'hvae', 'nfvae' (models.py), 'wae' (wae.py), 'vaegan' (vaegan.py) and
'vqvae' (vqvae.py) are imported by the model registry when a config names them.
"""
