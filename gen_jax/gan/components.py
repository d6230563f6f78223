"""The GAN family's networks, objective and optimizers from a config (fields in configs/gan_base.py).

Every field a GAN builder reads is validated here with a one-line
`field: expected ..., got ...` error. 2-D data uses MLPs (the benchmark's
generator: 4 x 400 ReLU + BatchNorm; discriminator: 3 x 200 maxout with 5
pieces, or LeakyReLU 0.2 with model.discriminator_act); images use DCGAN
networks (BatchNorm in the discriminator with model.discriminator_batch_norm).
"""

from typing import Any, Callable

import flax.linen as nn

from gen_jax.checks import check_non_negative_int, check_positive_int
from gen_jax.gan import augment, losses, regularizers, updates
from gen_jax.gan.networks import CRITIC_UNITS, CriticMLP
from gen_jax.nets.dcgan import Conv, DCGANEncoder, DCGANGenerator, upsampling_plan
from gen_jax.nets.resnet_gan import ResNetDiscriminatorBody, ResNetGenerator
from gen_jax.nets.mlp import MLP
from gen_jax.train import parallel
from gen_jax.train.optim import optimizer_from_config


LATENTS = ("gaussian", "categorical")  # model.latent of 'gan' and 'cgan' (gen_jax.gan.latents)
OFFSET_INITS = ("normal", "data")  # model.category_offset_init: N(0, scale^2), or the first batch's points at step 0
# model.architecture of the image networks: DCGAN (gen_jax.nets.dcgan), SN-GAN's ResNet and BigGAN's
# class-conditional ResNet (gen_jax.nets.resnet_gan; BigGAN's discriminator is the ResNet body with the
# projection head of gen_jax.gan.networks.Discriminator)
ARCHITECTURES = ("dcgan", "resnet", "biggan")


def check_field(condition: bool, field: str, expected: str, value) -> None:
  if not condition:
    raise ValueError(f"{field}: expected {expected}, got {value!r}")


def check_square_image_fields(config, spec, model_name: str) -> None:
  """The data and model.minibatch_group checks of the equalized-layer GANs (ProGAN, StyleGAN2): square images
  of side 8, 16, 32, ... and minibatch-stddev groups that divide the batch."""
  check_field(spec.kind == "images", "data.name", f"an image dataset for model {model_name!r}", spec.name)
  height, width = spec.example_shape[:2]
  size_ok = height == width and height >= 8 and (height & (height - 1)) == 0
  check_field(size_ok, "data.image_size", f"square images of side 8, 16, 32, ... for model {model_name!r}",
              f"{height}x{width}")
  group = config.model.minibatch_group
  check_positive_int(group, "model.minibatch_group")
  check_field(config.data.batch_size % group == 0, "model.minibatch_group",
              f"a divisor of data.batch_size={config.data.batch_size} (and of the batch on each device)", group)


def objective_from_config(config, model_name: str) -> updates.Objective:
  """The validated `updates.Objective` of config.objective (and model.name's constraints)."""
  o = config.objective
  losses.check_kind(o.loss, "objective.loss")
  for field in ("gradient_penalty", "r1", "clip", "info_weight", "adversarial_weight", "orthogonal"):
    check_field(o[field] >= 0, f"objective.{field}", "a non-negative number", o[field])
  for field in ("n_critic", "pack"):
    check_positive_int(o[field], f"objective.{field}")
  check_field(o.pack == 1 or model_name in ("gan", "aae"), "objective.pack",
         f"1 for model {model_name!r} (packing mixes the labels or codes of several examples)", o.pack)
  check_field(model_name in ("gan", "cgan") or o.n_critic == 1, "objective.n_critic", f"1 for model {model_name!r}", o.n_critic)
  b = config.data.batch_size
  check_field(b % o.pack == 0, "objective.pack", f"a divisor of data.batch_size={b}", o.pack)
  return updates.Objective(loss=o.loss, gradient_penalty=o.gradient_penalty, r1=o.r1, clip=o.clip,
                        n_critic=o.n_critic, pack=o.pack,
                        info_weight=o.info_weight if model_name == "infogan" else 0.0,
                        adversarial_weight=o.adversarial_weight, augment=augment_policy(o.diff_augment),
                        orthogonal=o.orthogonal)


def augment_policy(text: str) -> tuple[str, ...]:
  """objective.diff_augment ('' or comma-separated names of gen_jax.gan.augment.POLICIES) as a tuple."""
  check_field(isinstance(text, str), "objective.diff_augment", "a string such as 'color,translation,cutout'", text)
  names = tuple(name.strip() for name in text.split(",") if name.strip())
  for name in names:
    check_field(name in augment.POLICIES, "objective.diff_augment",
                f"'' or comma-separated names from {list(augment.POLICIES)}", text)
  return names


def optimizers_from_config(config) -> tuple[Any, Any]:
  """(generator-side optimizer, discriminator optimizer): Adam at the two learning rates (TTUR),
  each with optim.schedule."""
  o = config.optim
  check_field(o.discriminator_learning_rate >= 0, "optim.discriminator_learning_rate",
         "> 0 (or 0 for optim.learning_rate)", o.discriminator_learning_rate)
  d_lr = o.discriminator_learning_rate or o.learning_rate
  return optimizer_from_config(config, o.learning_rate), optimizer_from_config(config, d_lr)


def layer_factories(config) -> tuple[Callable, Callable]:
  """(dense, conv) for the discriminator: spectrally normalized when model.spectral_norm, else nn.Dense and
  gen_jax.nets.dcgan.Conv (nn.Conv with the sub-pixel input gradient of its strided convolutions)."""
  if config.model.spectral_norm:
    return regularizers.spectral_normalized(nn.Dense, True), regularizers.spectral_normalized(nn.Conv, True)
  return nn.Dense, Conv


def output_activation(spec) -> str:
  return "tanh" if tuple(spec.value_range) == (-1.0, 1.0) else "sigmoid"


def decoder_body(config, spec, dtype, axis_name: str | None) -> nn.Module:
  """Latent vector -> example: the benchmark MLP (2-D) or, for images, the DCGAN or SN-GAN ResNet generator
  (model.architecture).

  `axis_name`: parallel.AXIS for training (global BatchNorm statistics), None for sampling.
  """
  m = config.model
  if spec.kind == "points":
    return MLP(hidden=tuple(m.generator_hidden), out=spec.example_shape[0], act="relu",
               batch_norm=m.generator_batch_norm, axis_name=axis_name, dtype=dtype)
  if m.architecture in ("resnet", "biggan"):
    num_classes = spec.num_classes if m.architecture == "biggan" else 0
    return ResNetGenerator(tuple(spec.example_shape), m.features, output_activation(spec), axis_name, dtype,
                           num_classes, m.embed_dim)
  return DCGANGenerator(tuple(spec.example_shape), m.features, output_activation(spec), axis_name, dtype,
                        m.generator_refine)


def critic_body(config, dtype, points: bool) -> nn.Module:
  """Input -> features: the MLP of model.discriminator_act (2-D points or latent codes), or for images the
  DCGAN encoder (BatchNorm over the global batch when model.discriminator_batch_norm) or SN-GAN's ResNet
  body (model.architecture)."""
  m = config.model
  dense, conv = layer_factories(config)
  if not points and m.architecture in ("resnet", "biggan"):
    return ResNetDiscriminatorBody(m.features, conv, dtype)
  if not points:
    return DCGANEncoder(m.features, conv, m.discriminator_batch_norm, parallel.AXIS, dtype)
  return CriticMLP(tuple(m.discriminator_hidden), m.discriminator_act, m.maxout_pieces, dense, dtype)


def check_model_fields(config, spec) -> None:
  m = config.model
  check_field(spec.kind in ("points", "images"), "data.name", "a 'points' or 'images' dataset", spec.kind)
  check_positive_int(m.latent_dim, "model.latent_dim")
  check_positive_int(m.maxout_pieces, "model.maxout_pieces")
  check_field(len(m.discriminator_hidden) >= 1, "model.discriminator_hidden", "at least one width",
         m.discriminator_hidden)
  check_field(m.discriminator_act in CRITIC_UNITS, "model.discriminator_act", f"one of {CRITIC_UNITS}",
         m.discriminator_act)
  check_field(not config.objective.diff_augment or (spec.kind == "images" and m.name != "aae"),
              "objective.diff_augment", "'' unless the GAN generates images (DiffAugment transforms images)",
              config.objective.diff_augment)
  check_field(m.architecture in ARCHITECTURES, "model.architecture", f"one of {list(ARCHITECTURES)}",
              m.architecture)
  if m.architecture != "dcgan":
    check_field(m.name != "aae", "model.architecture", "'dcgan' for the AAE", m.architecture)
    check_field(not m.generator_refine, "model.generator_refine", f"False with model.architecture="
                f"{m.architecture!r} (a DCGAN option)", m.generator_refine)
  if m.architecture == "biggan":
    check_field(m.name == "cgan", "model.architecture", "'dcgan' or 'resnet' unless model.name is 'cgan' "
                "('biggan' is class-conditional)", m.architecture)
    check_positive_int(m.embed_dim, "model.embed_dim")
    if spec.kind == "images":
      chunks = upsampling_plan(spec.example_shape[0])[1] + 1
      check_field(m.latent_dim % chunks == 0, "model.latent_dim", f"a multiple of {chunks} (BigGAN splits z "
                  f"into one chunk per up-block plus one at {spec.example_shape[0]}x{spec.example_shape[0]})",
                  m.latent_dim)
  if m.discriminator_batch_norm:
    check_field(spec.kind == "images" and m.name != "aae" and m.architecture == "dcgan",
           "model.discriminator_batch_norm",
           "False unless the discriminator is the DCGAN one (image data, model.architecture='dcgan', not the "
           "AAE's code discriminator)", m.discriminator_batch_norm)
    o = config.objective
    check_field(o.gradient_penalty == 0 and o.r1 == 0, "model.discriminator_batch_norm",
           "False with objective.gradient_penalty > 0 or objective.r1 > 0 (the penalties need a critic that "
           "scores each example independently; WGAN-GP advises no batch norm in the critic)",
           m.discriminator_batch_norm)
  e = config.eval
  check_non_negative_int(e.rejection_steps, "eval.rejection_steps")
  if e.rejection_steps:
    check_field(spec.kind == "points", "eval.rejection_steps", "0 for image data (discriminator rejection sampling "
           "is implemented for 2-D points)", e.rejection_steps)
    check_positive_int(e.rejection_pool, "eval.rejection_pool")
    check_field(0 < e.rejection_quantile <= 1, "eval.rejection_quantile", "a number in (0, 1]", e.rejection_quantile)
    check_field(e.rejection_learning_rate > 0, "eval.rejection_learning_rate", "> 0", e.rejection_learning_rate)
    check_positive_int(e.rejection_batch_size, "eval.rejection_batch_size")
  check_non_negative_int(e.mh_proposals, "eval.mh_proposals")
  check_field(e.latent_scale >= 0, "eval.latent_scale", "a non-negative number", e.latent_scale)
  check_field(e.mh_proposals == 0 or e.rejection_steps > 0, "eval.mh_proposals",
              "0 unless eval.rejection_steps > 0 (MH-GAN uses the rejection sampler's log-ratio classifier)",
              e.mh_proposals)
  if m.name in ("cgan",):
    check_field(spec.num_classes > 0, "data.name", f"a labelled dataset for model {m.name!r}", spec.name)
  check_field(m.latent in LATENTS, "model.latent", f"one of {LATENTS}", m.latent)
  check_field(m.latent == "gaussian" or m.name in ("gan", "cgan"), "model.latent",
              f"'gaussian' for model {m.name!r}", m.latent)
  check_field(m.category_offset_scale >= 0, "model.category_offset_scale", "a non-negative number",
              m.category_offset_scale)
  if m.category_offset_scale > 0:
    check_field(m.latent == "categorical" and spec.kind == "points", "model.category_offset_scale",
                "0 unless model.latent is 'categorical' on 2-D points", m.category_offset_scale)
  check_field(m.category_offset_init in OFFSET_INITS, "model.category_offset_init", f"one of {OFFSET_INITS}",
              m.category_offset_init)
  check_field(m.category_offset_init == "normal" or m.category_offset_scale > 0, "model.category_offset_init",
              "'normal' unless model.category_offset_scale > 0 (the offsets exist)", m.category_offset_init)
  if m.name == "infogan" or m.latent == "categorical":
    check_positive_int(m.num_categories, "model.num_categories")
    check_non_negative_int(m.num_continuous, "model.num_continuous")
