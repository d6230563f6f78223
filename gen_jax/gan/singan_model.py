"""The registered model 'singan': a pyramid of patch GANs trained scale by scale on one photograph.

Data: 'photo' (gen_jax.data.photos.load_single_photo), every batch example a copy of the image.
The pyramid (gen_jax.gan.singan) has K = num_scales(H, W, model.min_size, model.scale_factor)
scales; all K generators and critics exist from step 0, their parameters and Adam states
stacked on a leading [K] axis. Training is a schedule over the global step:

  scale(step) = min(step // model.steps_per_scale, K - 1),

coarsest first; during scale k's steps only G_k and D_k change (the scales below are frozen, the
ones above untouched), each step taking objective.critic_steps WGAN-GP critic updates and then
objective.generator_steps generator updates on

  D_k: mean_i [D_k(fake_i) - D_k(x_k)] + objective.gradient_penalty * GP,
  G_k: mean_i [-D_k(fake_i)] + objective.reconstruction_weight * ||G_k(z*_k, up(x~_{k-1})) - x_k||^2,

fake_i drawn through the frozen scales with example i's own noise. sigma_k (noise_amplitude
with base objective.noise_base; sigma_0 = 1) is recomputed from the frozen scales at every step
of scale k and kept in the generator's model_state, and z* derives from the state's key: the
state is all a checkpoint holds, so a run resumed at any step, mid-pyramid included, continues
bit for bit. Steps past K * steps_per_scale keep training the finest scale.

`sample` draws at the training size; the pictures add samples 2x as wide, of another aspect ratio
(eval.aspect_scale: (height, width) factors), and a harmonisation: a square of another
photograph (eval.paste_photo) pasted into the training image, injected at scale eval.inject_scale
and run through the finer scales. `evaluate` reports sifid and diversity (gen_jax.eval.single_image)
of eval.num_samples samples at the training size and at 2x width.
"""

import functools
import os

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.checks import check_choice, check_non_negative_int, check_positive_int
from gen_jax.data.photos import PHOTOS, photo, resize_max_side
from gen_jax.eval import plots, single_image
from gen_jax.eval.image_quality import to_zero_one
from gen_jax.gan import losses, regularizers, singan
from gen_jax.gan.components import check_field, optimizers_from_config
from gen_jax.train import parallel
from gen_jax.train.family import Trainer
from gen_jax.train.net_state import apply_gradient, evaluation_params, grad_norms
from gen_jax.train.registry import register_model
from gen_jax.train.state import create_state

Z_STAR = 0x5A57  # fold_in(state.key, Z_STAR): the key of the fixed reconstruction noise z*
PICTURE_SAMPLES = 4


def _take(tree, k):
  return jax.tree.map(lambda a: a[k], tree)


def _put(tree, k, value):
  return jax.tree.map(lambda a, v: a.at[k].set(v), tree, value)


def _adam_steps(loss_fn, optimizer, params, opt_state, name: str, inputs: tuple):
  """(params, opt_state, metrics): one optimizer step on loss_fn(params, *inputs[s]) for every s of the inputs'
  leading axis, in a fori_loop (compiled once); metrics: the last step's aux and grad_norm/<name>."""

  def step(s, carry):
    p, state, _ = carry
    (_, aux), grads = jax.value_and_grad(loss_fn, has_aux=True)(p, *(a[s] for a in inputs))
    return (*apply_gradient(optimizer, p, state, grads), {**aux, **grad_norms({name: grads})})

  shapes = jax.eval_shape(lambda: step(0, (params, opt_state, None))[2])
  zeros = jax.tree.map(lambda a: jnp.zeros(a.shape, a.dtype), shapes)
  return jax.lax.fori_loop(0, inputs[0].shape[0], step, (params, opt_state, zeros))


@functools.partial(jax.jit, static_argnames=("generator", "channels", "n", "shapes", "start"))
def _draw(generator, channels: int, g_params, sigmas, key, n: int, shapes: tuple, start: int, previous):
  """n samples of the pyramid `shapes` from scale `start` (module level: one compilation per process for every
  trainer of the same architecture); example i's noise at scale j is drawn from fold_in(fold_in(key, i), j)."""
  keys = jax.vmap(lambda i: jax.random.fold_in(key, i))(jnp.arange(n))
  noises = _noise_maps(keys, shapes, channels, start)
  return singan.generate(_scale_fn(generator, g_params), noises, sigmas, shapes, start, previous)


def _scale_fn(generator, g_params) -> singan.ScaleFn:
  """G_k(noise, previous) with scale k's slice of the stacked generator parameters [K, ...]."""
  return lambda k, noise, previous: generator.apply({"params": _take(g_params, k)}, noise, previous)


def _noise_maps(keys, shapes, channels: int, start: int = 0) -> list:
  """One [len(keys), h_j, w_j, C] unit normal map per scale j >= start, from fold_in(keys[i], j)."""
  return [jax.vmap(lambda k, j=j, s=s: jax.random.normal(jax.random.fold_in(k, j), (*s, channels)))(keys)
          for j, s in enumerate(shapes) if j >= start]


def _check_config(config, spec) -> None:
  m, o, e = config.model, config.objective, config.eval
  check_field(spec.name == "photo" and spec.kind == "images", "data.name", "'photo' for model 'singan'", spec.name)
  for field in ("width", "depth", "min_size", "steps_per_scale"):
    check_positive_int(m[field], f"model.{field}")
  check_field(isinstance(m.scale_factor, (int, float)) and m.scale_factor > 1, "model.scale_factor", "a number > 1",
              m.scale_factor)
  for field in ("critic_steps", "generator_steps"):
    check_positive_int(o[field], f"objective.{field}")
  for field in ("gradient_penalty", "reconstruction_weight", "noise_base"):
    check_field(isinstance(o[field], (int, float)) and o[field] >= 0, f"objective.{field}", "a number >= 0", o[field])
  check_choice(config.optim.schedule, ("constant",), "optim.schedule")
  check_field(e.num_samples >= 2 and isinstance(e.num_samples, int), "eval.num_samples", "an int >= 2", e.num_samples)
  check_choice(e.paste_photo, PHOTOS, "eval.paste_photo")
  check_non_negative_int(e.inject_scale, "eval.inject_scale")
  check_field(len(e.aspect_scale) == 2 and all(isinstance(v, (int, float)) and v > 0 for v in e.aspect_scale),
              "eval.aspect_scale", "(height factor, width factor), both > 0", e.aspect_scale)


def build_singan(config, spec) -> Trainer:
  """Trainer of 'singan' (module doc)."""
  _check_config(config, spec)
  m, o = config.model, config.objective
  height, width, channels = spec.example_shape
  count = singan.num_scales(height, width, m.min_size, m.scale_factor)
  check_field(config.eval.inject_scale < count, "eval.inject_scale", f"a scale index < {count} (the pyramid's K)",
              config.eval.inject_scale)
  shapes = tuple(singan.pyramid_shapes(height, width, count, m.scale_factor))
  dtype = jnp.dtype(config.train.compute_dtype)
  generator = singan.ScaleGenerator(m.width, m.depth, dtype)
  critic = singan.PatchCritic(m.width, m.depth, dtype)
  g_tx, d_tx = optimizers_from_config(config)

  def init(key):
    g_key, d_key = jax.random.split(key)
    x = jnp.zeros((1, *shapes[0], channels))
    g_params = jax.vmap(lambda k: generator.init(k, x, x)["params"])(jax.random.split(g_key, count))
    d_params = jax.vmap(lambda k: critic.init(k, x)["params"])(jax.random.split(d_key, count))
    opt_state = {"generator": jax.vmap(g_tx.init)(g_params), "discriminator": jax.vmap(d_tx.init)(d_params)}
    model_state = {"generator": {"sigmas": jnp.zeros((count,), jnp.float32)}, "discriminator": {}}
    return create_state({"generator": g_params, "discriminator": d_params}, opt_state, model_state, key)

  def reconstruction_input(g_params, state_key, k, real):
    """(noise, previous) of scale k's reconstruction path: (z*, 0) at k = 0, else (0, up(x~_{k-1}))."""
    z_star = jax.random.normal(jax.random.fold_in(state_key, Z_STAR), (1, *shapes[0], channels))
    if k == 0:
      return z_star, jnp.zeros_like(z_star)
    zeros = [jnp.zeros((1, *s, channels)) for s in shapes[1:k]]
    below = singan.generate(_scale_fn(generator, g_params), [z_star, *zeros], jnp.ones((count,)), shapes[:k])
    return jnp.zeros_like(real), singan.resize(below, shapes[k])

  def train_scale(k, state, batch, key):
    """One step of scale k (module doc)."""
    g_all, d_all = state.params["generator"], state.params["discriminator"]
    g_opt, d_opt = state.opt_state["generator"], state.opt_state["discriminator"]
    real = singan.resize(batch["x"], shapes[k])                                       # [b, h_k, w_k, C]
    b = real.shape[0]
    rec_noise, rec_previous = reconstruction_input(g_all, state.key, k, real[:1])      # [1, h_k, w_k, C] each
    # Every device holds the same image, so the same sigma: pmax (exact) makes it device-invariant, as state.
    sigma = (jnp.float32(1.0) if k == 0 else
             jax.lax.pmax(singan.noise_amplitude(rec_previous, real[:1], o.noise_base), parallel.AXIS))
    sigmas = state.model_state["generator"]["sigmas"].at[k].set(sigma)

    # Inputs of all substeps at once, one frozen-pyramid pass: substep s, example i draws from the key
    # fold_in(fold_in(key, s), global index of i), so the draws do not depend on the device count.
    steps = o.critic_steps + o.generator_steps
    keys = jnp.concatenate([parallel.example_keys(jax.random.fold_in(key, s), b) for s in range(steps)])  # [S b]
    noises = _noise_maps(keys, shapes[:k + 1], channels)
    below = (singan.resize(singan.generate(_scale_fn(generator, g_all), noises[:k], sigmas, shapes[:k]), shapes[k])
             if k > 0 else jnp.zeros_like(noises[k]))                                  # [S b, h_k, w_k, C]
    per_step = lambda a: a.reshape(steps, b, *a.shape[1:])
    noise, below = per_step(sigma * noises[k]), per_step(below)
    gp_keys = per_step(jax.vmap(lambda e: jax.random.fold_in(e, count))(keys))

    g_k, g_opt_k, d_k, d_opt_k = _take(g_all, k), _take(g_opt, k), _take(d_all, k), _take(d_opt, k)
    apply_g = lambda p, noise, previous: generator.apply({"params": p}, noise, previous)
    score = lambda p: lambda x: singan.critic_score(critic.apply({"params": p}, x))  # [b, ...] -> [b]

    def critic_loss_fn(p, noise, below, gp_keys):
      fake = jax.lax.stop_gradient(apply_g(g_k, noise, below))
      wasserstein = losses.wasserstein_discriminator(score(p)(real), score(p)(fake))
      penalty = regularizers.gradient_penalty(score(p), real, fake, gp_keys)
      loss = parallel.global_mean(wasserstein + o.gradient_penalty * penalty)
      return loss, {"loss/critic": loss, "loss/wasserstein": -parallel.global_mean(wasserstein),
                    "loss/gradient_penalty": parallel.global_mean(penalty)}

    d_k, d_opt_k, metrics = _adam_steps(critic_loss_fn, d_tx, d_k, d_opt_k, "discriminator",
                                        (noise[:o.critic_steps], below[:o.critic_steps], gp_keys[:o.critic_steps]))

    def generator_loss_fn(p, noise, below):
      adversarial = losses.linear_generator(score(d_k)(apply_g(p, noise, below)))                      # [b]
      reconstruction = singan.reconstruction_loss(apply_g(p, rec_noise, rec_previous), real[:1])       # [1]
      loss = parallel.global_mean(adversarial + o.reconstruction_weight * reconstruction)
      return loss, {"loss/generator": loss, "loss/reconstruction": parallel.global_mean(reconstruction)}

    g_k, g_opt_k, g_metrics = _adam_steps(generator_loss_fn, g_tx, g_k, g_opt_k, "generator",
                                          (noise[o.critic_steps:], below[o.critic_steps:]))
    metrics.update(g_metrics)
    metrics.update({"scale": jnp.float32(k), "sigma": sigma})
    state = state.replace(
        params={"generator": _put(g_all, k, g_k), "discriminator": _put(d_all, k, d_k)},
        opt_state={"generator": _put(g_opt, k, g_opt_k), "discriminator": _put(d_opt, k, d_opt_k)},
        model_state={**state.model_state, "generator": {"sigmas": sigmas}})
    return state, metrics

  def update(state, batch, key):
    scale = jnp.minimum(state.step // m.steps_per_scale, count - 1)
    branches = [functools.partial(train_scale, k) for k in range(count)]
    return jax.lax.switch(scale, branches, state, batch, key)

  def draw(state, key, n, sample_shapes, start=0, previous=None):
    """n samples through `sample_shapes` from scale `start` (`previous` [n, H, W, C] injected there)."""
    return _draw(generator, channels, evaluation_params(state)["generator"], state.model_state["generator"]["sigmas"],
                 key, n, sample_shapes, start, previous)

  def stretched(height_scale, width_scale):
    return tuple(singan.resized_shapes(shapes, height_scale, width_scale))

  def sample(state, key, n):
    """n samples at the training image's size, [n, H, W, C]."""
    return draw(state, key, n, shapes)

  def naive_paste(image):  # [H, W, C] -> the image with a square of eval.paste_photo in its centre
    side = max(min(height, width) // 3, 1)
    patch = resize_max_side(photo(config.eval.paste_photo), max(height, width))[:side, :side]
    lo, hi = spec.value_range
    top, left = (height - side) // 2, (width - side) // 2
    pasted = np.array(image)
    pasted[top:top + side, left:left + side] = lo + (hi - lo) * patch
    return pasted

  def save_pictures(state, key, directory, step_number, data):
    """Rows: source | samples; samples 2x wide; samples of eval.aspect_scale; naive paste | harmonised."""
    image = data.test["x"][0]                                                         # [H, W, C]
    keys = jax.random.split(key, 4)
    pasted = naive_paste(image)
    harmonised = draw(state, keys[3], 2, shapes, config.eval.inject_scale, jnp.repeat(pasted[None], 2, axis=0))
    rows = [[image, *np.asarray(draw(state, keys[0], PICTURE_SAMPLES, shapes))],
            list(np.asarray(draw(state, keys[1], 2, stretched(1.0, 2.0)))),
            list(np.asarray(draw(state, keys[2], 3, stretched(*config.eval.aspect_scale)))),
            [pasted, *np.asarray(harmonised)]]
    return [plots.save_image_rows(rows, os.path.join(directory, f"singan_{step_number:07d}.png"),
                                  value_range=spec.value_range, scale=4)]

  def evaluate(state, data, key):
    """sifid and diversity at the training size and at 2x width (gen_jax.eval.single_image)."""
    e = config.eval
    image = to_zero_one(data.test["x"][:1], spec.value_range) * 2.0 - 1.0             # [1, H, W, C] in [-1, 1]
    network = single_image.patch_feature_network(e.classifier_cache_dir or None, e.classifier_steps, e.progress)
    real_features = single_image.patch_features(network, image)[0]
    results = {"num_scales": count}
    for suffix, sample_shapes in (("", shapes), ("_2x", stretched(1.0, 2.0))):
      samples = to_zero_one(draw(state, key, e.num_samples, sample_shapes), spec.value_range) * 2.0 - 1.0
      results["sifid" + suffix] = single_image.sifid(single_image.patch_features(network, samples), real_features)
      results["diversity" + suffix] = single_image.sample_diversity(samples, image[0])
    return results

  return Trainer(init=init, update=update, sample=sample, save_pictures=save_pictures, evaluate=evaluate)


register_model("singan")(build_singan)
