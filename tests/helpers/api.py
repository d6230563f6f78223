"""Which modules are gen_jax's pure pieces (importable alone, traceable, documented with examples)."""

# The pure modules of the library-grade API: each imports only jax/numpy/flax/optax/chex-level
# dependencies, traces under jit/vmap/grad (tests/test_api_trace.py) and documents every public name
# with a runnable example (tests/test_docstring_examples.py).
PURE_MODULES = ("gen_jax.checks", "gen_jax.sampling", "gen_jax.probability", "gen_jax.gan.losses",
                "gen_jax.gan.regularizers", "gen_jax.gan.rejection", "gen_jax.vae.objectives", "gen_jax.vae.flows",
                "gen_jax.vae.vq", "gen_jax.vae.hierarchical")
# The pure pieces of the families added since: import-isolated, and their docstring examples run.
DIFFUSION_PURE_MODULES = ("gen_jax.diffusion.schedules", "gen_jax.diffusion.objectives", "gen_jax.diffusion.samplers")
FLOW_PURE_MODULES = tuple(f"gen_jax.flows.{name}" for name in ("bijections", "coupling", "glow", "autoregressive",
                                                                 "splines", "elementwise", "cnf", "dequantization"))
GAN_PURE_MODULES = ("gen_jax.gan.latents", "gen_jax.gan.metropolis", "gen_jax.gan.augment", "gen_jax.gan.singan")
# Network building blocks (Flax modules and pure layer functions of the GAN table's models).
NET_BLOCK_MODULES = ("gen_jax.nets.equalized", "gen_jax.nets.style", "gen_jax.nets.conditional_norm",
                     "gen_jax.nets.patchgan", "gen_jax.nets.stylegan2", "gen_jax.nets.progan",
                     "gen_jax.nets.downsampling")
# The image-to-image family: paired (pix2pix, SRGAN) and unpaired / multi-domain (CycleGAN, StarGAN, AttGAN).
IMAGE2IMAGE_PURE_MODULES = ("gen_jax.image2image.paired_losses", "gen_jax.nets.srresnet", "gen_jax.nets.unet",
                            "gen_jax.image2image.unpaired_losses", "gen_jax.image2image.multidomain_losses")
# The VQGAN first stage: its loss pieces and networks.
VQGAN_PURE_MODULES = ("gen_jax.vae.vqgan_losses", "gen_jax.nets.vgg16", "gen_jax.nets.vq_conv")
FAMILY_PURE_MODULES = (DIFFUSION_PURE_MODULES + FLOW_PURE_MODULES + GAN_PURE_MODULES + NET_BLOCK_MODULES
                       + IMAGE2IMAGE_PURE_MODULES + VQGAN_PURE_MODULES)
