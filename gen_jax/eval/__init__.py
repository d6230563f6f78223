"""Evaluation: sample-quality metrics (Frechet and kernel distances, precision/recall, classifier
metrics) in the feature space of a classifier trained by gen_jax or of a user-supplied Inception-v3.

Import the submodules directly (e.g. `from gen_jax.eval import image_metrics`); this package
imports nothing heavy on its own.
"""
