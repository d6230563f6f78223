"""Model families by name: `config.model.name` picks the builder `(config, spec) -> Trainer`.

Built-in names are imported lazily from the module that defines them
(`BUILTIN_MODELS`). A user's model lives in any importable module that decorates
its builder with `@register_model("name")`; set `config.model.module` to that
module and both `scripts/train.py` and `scripts/evaluate.py --workdir` find it
(the field is saved in the run's config.json).
"""

from typing import Callable

from gen_jax.registry import Registry

# name -> module whose import registers it. Add a new family's names here.
BUILTIN_MODELS = {
    "gan": "gen_jax.gan.models", "cgan": "gen_jax.gan.models", "infogan": "gen_jax.gan.models",
    "aae": "gen_jax.gan.aae", "stylegan2": "gen_jax.gan.stylegan2", "progan": "gen_jax.gan.progan",
    "singan": "gen_jax.gan.singan_model",
    "vae": "gen_jax.vae.models", "hvae": "gen_jax.vae.models", "nfvae": "gen_jax.vae.models",
    "wae": "gen_jax.vae.wae", "vaegan": "gen_jax.vae.vaegan", "vqvae": "gen_jax.vae.vqvae",
    "vqgan": "gen_jax.vae.vqgan",
    "ddpm": "gen_jax.diffusion.models", "vdm": "gen_jax.diffusion.models",
    "nice": "gen_jax.flows.models", "realnvp": "gen_jax.flows.models", "glow": "gen_jax.flows.models",
    "maf": "gen_jax.flows.models", "cnf": "gen_jax.flows.cnf_model",
    "srgan": "gen_jax.image2image.models", "pix2pix": "gen_jax.image2image.models",
    "cyclegan": "gen_jax.image2image.cyclegan", "stargan": "gen_jax.image2image.multidomain",
    "attgan": "gen_jax.image2image.multidomain",
    "engine_test": "gen_jax.train.toy_model",
}

MODELS = Registry("model", "model.name", BUILTIN_MODELS)


def register_model(name: str) -> Callable:
  """Decorator: register `builder(config, spec) -> Trainer` under `name`."""
  return MODELS.register(name)


def model_names(module: str = "") -> list[str]:
  """Sorted names of the built-in models and those registered (after importing `module`)."""
  if module:
    MODELS.import_module(module)
  return MODELS.names()


def get_model(name: str, module: str = "") -> Callable:
  """The builder registered as `name` (importing `module` first); ValueError listing the valid names."""
  return MODELS.get(name, module)


def builder_for(config) -> Callable:
  """The builder `config.model.name` names, importing `config.model.module` first when set."""
  return get_model(config.model.name, config.model.get("module", ""))
