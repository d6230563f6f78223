"""Generative adversarial networks: objectives, stabilizers, networks, train steps, discriminator rejection
sampling and registered models.

Pure pieces (`losses`, `regularizers`, `rejection`) import alone; the registered
models 'gan', 'cgan', 'infogan' and 'aae' live in `gen_jax.gan.models` and are
imported by the model registry when a config names them.
"""
