"""gen_jax: the classic generative models as pure JAX/Flax functions.

Sampling from known densities (`gen_jax.sampling`), the probability toolkit
(`gen_jax.probability`), GANs (`gen_jax.gan`), VAEs (`gen_jax.vae`) and a
data-parallel training engine (`gen_jax.train`).
"""

__version__ = "0.1.0"
