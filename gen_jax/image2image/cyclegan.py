"""The registered model 'cyclegan': unpaired translation between two image domains (Zhu et al., 2017).

Data: an unpaired dataset (DataSpec.unpaired), whose examples stack an image of domain A
(channels [0, C)) and an unrelated one of domain B (channels [C, 2C)): 'digits_unpaired'
(gen_jax.data.digit_domains: handwritten and printed digits) or 'tfds_unpaired:NAME'
(gen_jax.data.tfds_source: e.g. cycle_gan/horse2zebra's horses and zebras). Networks:
generators G: A -> B ('generator_ab') and F: B -> A ('generator_ba'), ResNet generators
(gen_jax.nets.resnet_generator);
discriminators D_A, D_B, PatchGANs with instance norm (gen_jax.nets.patchgan).

One step, from the current parameters (objectives in gen_jax.image2image.unpaired_losses):
  G, F: minimize L_G = LS_G(D_B(G(a))) + LS_G(D_A(F(b))) + lambda_cyc L_cyc + lambda_id L_id;
  D_A, D_B: minimize LS_D on real images vs generated ones passed through the history pools
  (objective.pool_size images each, kept in the model state and queried with the global batch).

Config fields (configs/cyclegan_digits.py): model.features, num_blocks, num_downsampling, outer_kernel,
discriminator_features, discriminator_layers, discriminator_normalization ('instance' as in the paper,
or 'none'); objective.lambda_cyc, lambda_id, pool_size;
optim.learning_rate (G, F), optim.discriminator_learning_rate (0 = the same).
Pictures: rows a | G(a) | F(G(a)) | b | F(b) | G(F(b)) of held-out images.
`evaluate`: gen_jax.eval.translation's label_preserved, domain_accuracy, cycle_error and fd
for both directions (A -> B unsuffixed, B -> A with '_ba').
"""

import jax
import jax.numpy as jnp

from gen_jax.checks import check_positive_int
from gen_jax.eval import translation
from gen_jax.gan.updates import apply_net
from gen_jax.image2image import common
from gen_jax.image2image.common import held_out_images
from gen_jax.image2image.unpaired_losses import (cycle_generator_loss, cycle_generator_terms,
                                                 patch_least_squares_discriminator)
from gen_jax.nets.patchgan import PatchDiscriminator
from gen_jax.train import parallel
from gen_jax.train.family import Trainer
from gen_jax.train.net_state import apply_gradients, grad_norms, init_modules
from gen_jax.train.registry import register_model

GENERATORS = ("generator_ab", "generator_ba")
DISCRIMINATORS = ("discriminator_a", "discriminator_b")
PICTURE_COLUMNS = 10


def _networks(config, channels: int, dtype) -> dict:
  m = config.model
  common.check_widths(m, ("features", "discriminator_features", "discriminator_layers"))
  generator = common.resnet_generator(m, channels, "reflect", dtype)
  normalization = common.discriminator_normalization(m, ("instance", "none"))
  discriminator = PatchDiscriminator(m.discriminator_features, m.discriminator_layers, normalization, dtype=dtype)
  return {"generator_ab": generator, "generator_ba": generator,
          "discriminator_a": discriminator, "discriminator_b": discriminator}


@register_model("cyclegan")
def build_cyclegan(config, spec) -> Trainer:
  """Trainer of 'cyclegan' (module doc)."""
  common.check_dataset(spec, "cyclegan")
  weights = common.check_weights(config.objective, ("lambda_cyc", "lambda_id"))
  pool_size = check_positive_int(config.objective.pool_size, "objective.pool_size")
  height, width, both = spec.example_shape
  c = both // 2
  image_shape = (height, width, c)
  nets = _networks(config, c, jnp.dtype(config.train.compute_dtype))
  txs = common.optimizers(config, GENERATORS + DISCRIMINATORS)

  def init(key):
    x = jnp.zeros((2,) + image_shape)
    state = init_modules(nets, {name: (x,) for name in nets}, txs, key)
    return state.replace(model_state={**state.model_state, "pool_a": common.empty_pool(pool_size, image_shape),
                                      "pool_b": common.empty_pool(pool_size, image_shape)})

  def run(params, name, x):
    return apply_net(nets[name], params[name], {}, x)[0]

  def update(state, batch, key):
    a, b = batch["x"][..., :c], batch["x"][..., c:]                              # [b, H, W, C] each
    n = a.shape[0]

    def generator_loss_fn(g_params):
      params = {**state.params, **g_params}
      fake_b, identity_b = jnp.split(run(params, "generator_ab", jnp.concatenate([a, b])), 2)
      fake_a, identity_a = jnp.split(run(params, "generator_ba", jnp.concatenate([b, a])), 2)
      terms = cycle_generator_terms(run(params, "discriminator_b", fake_b), run(params, "discriminator_a", fake_a),
                                    a, b, run(params, "generator_ba", fake_b), run(params, "generator_ab", fake_a),
                                    identity_a, identity_b)
      total = parallel.global_mean(cycle_generator_loss(terms, weights["lambda_cyc"], weights["lambda_id"]))
      metrics = {f"loss/{k}": parallel.global_mean(v) for k, v in terms._asdict().items()}
      return total, ({"loss/generator": total, **metrics}, (fake_a, fake_b))

    g_params = {name: state.params[name] for name in GENERATORS}
    (_, (g_metrics, fakes)), g_grads = jax.value_and_grad(generator_loss_fn, has_aux=True)(g_params)
    pool_a, shown_a = common.query_global_pool(state.model_state["pool_a"], jax.lax.stop_gradient(fakes[0]),
                                               jax.random.fold_in(key, 0))
    pool_b, shown_b = common.query_global_pool(state.model_state["pool_b"], jax.lax.stop_gradient(fakes[1]),
                                               jax.random.fold_in(key, 1))

    def discriminator_loss_fn(d_params):
      scores_a = run(d_params, "discriminator_a", jnp.concatenate([a, shown_a]))
      scores_b = run(d_params, "discriminator_b", jnp.concatenate([b, shown_b]))
      loss_a = parallel.global_mean(patch_least_squares_discriminator(scores_a[:n], scores_a[n:]))
      loss_b = parallel.global_mean(patch_least_squares_discriminator(scores_b[:n], scores_b[n:]))
      return loss_a + loss_b, {"loss/discriminator_a": loss_a, "loss/discriminator_b": loss_b}

    d_params = {name: state.params[name] for name in DISCRIMINATORS}
    (_, d_metrics), d_grads = jax.value_and_grad(discriminator_loss_fn, has_aux=True)(d_params)
    grads = {**g_grads, **d_grads}
    params, opt_state = apply_gradients(txs, state.params, state.opt_state, grads, grads)
    model_state = {**state.model_state, "pool_a": pool_a, "pool_b": pool_b}
    new_state = state.replace(params=params, opt_state=opt_state, model_state=model_state)
    return new_state, {**g_metrics, **d_metrics, **grad_norms(grads)}

  @jax.jit
  def translate(state, a, b):
    """(G(a), F(b)) with the sampling parameters."""
    return (common.sampling_apply(nets["generator_ab"], state, "generator_ab", a),
            common.sampling_apply(nets["generator_ba"], state, "generator_ba", b))

  test = held_out_images(config.data)

  def sample(state, key, n):
    """n translated held-out pairs [n, H, W, 2C]: (F(b), G(a)) of randomly drawn test images."""
    rows = jax.random.randint(key, (n,), 0, test.shape[0])
    x = jnp.asarray(test)[rows]
    fake_b, fake_a = translate(state, x[..., :c], x[..., c:])
    return jnp.concatenate([fake_a, fake_b], axis=-1)

  def save_pictures(state, key, directory, step_number, data):
    del key, data
    a, b = jnp.asarray(test[:PICTURE_COLUMNS, ..., :c]), jnp.asarray(test[:PICTURE_COLUMNS, ..., c:])
    fake_b, fake_a = translate(state, a, b)
    cycled_b, cycled_a = translate(state, fake_a, fake_b)
    return common.save_rows([a, fake_b, cycled_a, b, fake_a, cycled_b], directory,
                            f"translations_{step_number:07d}.png", spec.value_range)

  def evaluate(state, data, key):
    del key
    return translation.cycle_metrics(lambda a, b: translate(state, a, b), data, config.eval)

  return Trainer(init=init, update=update, sample=sample, save_pictures=save_pictures, evaluate=evaluate)
