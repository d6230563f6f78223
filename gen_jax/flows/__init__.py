"""Normalizing flows with exact likelihoods: bijections (coupling, Glow, autoregressive, splines) as
pure flax modules with `forward(x) -> (z, log_det)` and `inverse(z) -> (x, log_det)`, and the
registered models 'nice', 'realnvp', 'glow' and 'maf' (gen_jax.flows.models)."""
