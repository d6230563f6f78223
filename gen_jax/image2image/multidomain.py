"""The registered models 'stargan' (Choi et al., 2018) and 'attgan' (He et al., 2019): attribute editing.

Data: an attribute dataset (DataSpec.attribute_table): y is the attribute domain, whose attribute
vector c = attribute_table[y] conditions the generator; 'digits_attributes'
(gen_jax.data.digit_domains: c = [thick, thin, slant_left, slant_right]) or 'celeb_a_attributes'
(gen_jax.data.tfds_source: the bits of data.attributes, e.g. StarGAN's hair colours, Male, Young).
Each example is edited towards the attributes c' of a target domain drawn per example:
objective.target_domains 'uniform' (every domain equally likely) or 'batch' (the domain of an
example of the global batch drawn at random: the data's own attribute combinations, as StarGAN's
and AttGAN's code draw targets by shuffling the batch's labels, which keeps e.g. one hair colour).

* 'stargan': y = G(x, c'), G a ResNet generator with c' tiled as input channels (and zero
  padding, as StarGAN's: see gen_jax.nets.resnet_generator); the reconstruction is the cycle
  G(G(x, c'), c); objective.lambda_id > 0 adds Fixed-Point GAN's identity term |G(x, c) - x|_1.
* 'attgan': y = G_dec(G_enc(x), c'), the encoder-decoder with attribute injection
  (gen_jax.nets.attgan); the reconstruction decodes with the image's own attributes, G(x, c).

Both train one discriminator with an auxiliary attribute classifier
(gen_jax.nets.domain_discriminator) by the objectives of gen_jax.image2image.multidomain_losses:
per step, objective.n_critic discriminator updates, each on a fresh batch (WGAN-GP by default:
objective.loss, objective.lambda_gp), then one generator update.

Config fields (configs/stargan_digits.py, configs/attgan_digits.py): model.features,
num_blocks, num_downsampling, outer_kernel (stargan), num_layers (attgan's encoder and decoder),
discriminator_features, discriminator_layers, discriminator_normalization; objective.loss,
n_critic, lambda_cls (generator), lambda_cls_real (discriminator), lambda_rec, lambda_gp,
lambda_id (stargan), target_domains; optim.learning_rate, optim.discriminator_learning_rate. Pictures: one row per
held-out image, columns: the input, then its edit to each domain, or, when the domains are all 2^K
attribute combinations (celeb_a_attributes), its edit flipping each attribute in turn.
`evaluate`: gen_jax.eval.translation.attribute_metrics.
"""

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.checks import check_choice, check_positive_int
from gen_jax.eval import translation
from gen_jax.gan import losses, regularizers
from gen_jax.gan.updates import apply_net, split_critic_batches
from gen_jax.image2image import common
from gen_jax.image2image.multidomain_losses import discriminator_objective, generator_objective
from gen_jax.nets.attgan import AttributeEditor
from gen_jax.nets.domain_discriminator import NORMALIZATIONS, AuxiliaryDiscriminator
from gen_jax.train import parallel
from gen_jax.train.family import Trainer
from gen_jax.train.net_state import apply_gradients, grad_norms, init_modules
from gen_jax.train.registry import register_model

PICTURE_ROWS = 10
WEIGHTS = ("lambda_cls", "lambda_cls_real", "lambda_rec", "lambda_gp", "lambda_id")
TARGET_DOMAINS = ("uniform", "batch")


def _generator(config, channels: int, dtype):
  m = config.model
  common.check_widths(m, ("features",))
  if m.name == "stargan":
    return common.resnet_generator(m, channels, "zeros", dtype)
  check_positive_int(m.num_layers, "model.num_layers")
  return AttributeEditor(m.features, m.num_layers, dtype=dtype)


def _discriminator(config, num_attributes: int, dtype):
  m = config.model
  common.check_widths(m, ("discriminator_features", "discriminator_layers"))
  slope = 0.01 if m.name == "stargan" else 0.2
  return AuxiliaryDiscriminator(num_attributes, m.discriminator_features, m.discriminator_layers,
                                common.discriminator_normalization(m, NORMALIZATIONS), slope, dtype)


def build_multidomain(config, spec) -> Trainer:
  """Trainer of 'stargan' and 'attgan' (module doc)."""
  name = config.model.name
  common.check_dataset(spec, name)
  o = config.objective
  losses.check_kind(o.loss, "objective.loss")
  n_critic = check_positive_int(o.n_critic, "objective.n_critic")
  weights = common.check_weights(o, WEIGHTS)
  target_domains = check_choice(o.target_domains, TARGET_DOMAINS, "objective.target_domains")
  table = np.asarray(spec.attribute_table, np.float32)                          # [domains, K]
  num_domains = table.shape[0]
  dtype = jnp.dtype(config.train.compute_dtype)
  height, width, channels = spec.example_shape
  nets = {"generator": _generator(config, channels, dtype),
          "discriminator": _discriminator(config, table.shape[1], dtype)}
  common.check_field(height % 2 ** config.model.discriminator_layers == 0, "model.discriminator_layers",
                     f"at most log2 of the image size {height}", config.model.discriminator_layers)
  txs = common.optimizers(config, tuple(nets))
  cycle = name == "stargan"
  common.check_field(cycle or weights["lambda_id"] == 0, "objective.lambda_id",
                     "0 for attgan (its reconstruction G(x, c) already is the identity term)", o.lambda_id)
  flips = num_domains == 2 ** table.shape[1]  # celeb_a_attributes: pictures flip one attribute at a time

  def attributes_of(domains):  # [b] -> [b, K]
    return jnp.asarray(table)[domains]

  def init(key):
    x = jnp.zeros((2, height, width, channels))
    return init_modules(nets, {"generator": (x, attributes_of(jnp.zeros(2, jnp.int32))), "discriminator": (x,)},
                        txs, key)

  def run(params, net, *inputs):
    return apply_net(nets[net], params[net], {}, *inputs)[0]

  def random_targets(key, domains):
    """Target attributes [b, K] for the local batch of domains [b] (objective.target_domains)."""
    keys = parallel.example_keys(key, domains.shape[0])
    if target_domains == "uniform":
      return attributes_of(jax.vmap(lambda k: jax.random.randint(k, (), 0, num_domains))(keys))
    everyone = parallel.global_batch(domains)                                       # [B]
    return attributes_of(everyone[jax.vmap(lambda k: jax.random.randint(k, (), 0, everyone.shape[0]))(keys)])

  def critic_update(params, opt_state, chunk, key):
    x, labels = chunk["x"], attributes_of(chunk["y"])
    b = x.shape[0]
    fake = jax.lax.stop_gradient(run(params, "generator", x, random_targets(jax.random.fold_in(key, 0), chunk["y"])))

    def loss_fn(d_params):
      scores, class_logits = run({"discriminator": d_params}, "discriminator", jnp.concatenate([x, fake]))
      critic = lambda z: jnp.mean(run({"discriminator": d_params}, "discriminator", z)[0].reshape(z.shape[0], -1), 1)
      penalty = (regularizers.gradient_penalty(critic, x, fake, parallel.example_keys(jax.random.fold_in(key, 1), b))
                 if weights["lambda_gp"] > 0 else jnp.zeros(b))
      total, terms = discriminator_objective(scores[:b], scores[b:], class_logits[:b], labels, penalty,
                                             weights["lambda_cls_real"], weights["lambda_gp"], o.loss)
      metrics = {f"loss/discriminator_{k}": parallel.global_mean(v) for k, v in terms._asdict().items()}
      total = parallel.global_mean(total)
      return total, {"loss/discriminator": total, **metrics}

    (_, metrics), grads = jax.value_and_grad(loss_fn, has_aux=True)(params["discriminator"])
    params, opt_state = apply_gradients(txs, params, opt_state, {"discriminator": grads}, ("discriminator",))
    return params, opt_state, metrics, grads

  def update(state, batch, key):
    chunks = split_critic_batches(batch, n_critic)
    params, opt_state = state.params, state.opt_state
    for i in range(n_critic):  # a Python loop: XLA:CPU runs conv gradients much slower inside lax.scan
      chunk = jax.tree.map(lambda a, i=i: a[i], chunks)
      params, opt_state, d_metrics, d_grads = critic_update(params, opt_state, chunk, jax.random.fold_in(key, i))
    x, labels = chunks["x"][-1], attributes_of(chunks["y"][-1])
    targets = random_targets(jax.random.fold_in(key, n_critic), chunks["y"][-1])

    def generator_loss_fn(g_params):
      p = {**params, "generator": g_params}
      if cycle and weights["lambda_id"] == 0:
        fake, own = run(p, "generator", x, targets), None
      else:  # the edit and G(x, c), x edited towards its own attributes, in one pass
        fake, own = jnp.split(run(p, "generator", jnp.concatenate([x, x]), jnp.concatenate([targets, labels])), 2)
      if cycle:  # StarGAN: the cycle back to the source attributes; G(x, c) feeds the identity term
        reconstructed, same_domain = run(p, "generator", fake, labels), own
      else:      # AttGAN: G(x, c) decodes the latent with the image's own attributes
        reconstructed, same_domain = own, None
      scores, class_logits = run(p, "discriminator", fake)
      total, terms = generator_objective(scores, class_logits, targets, x, reconstructed, weights["lambda_cls"],
                                         weights["lambda_rec"], o.loss, same_domain, weights["lambda_id"])
      metrics = {f"loss/generator_{k}": parallel.global_mean(v) for k, v in terms._asdict().items()}
      total = parallel.global_mean(total)
      return total, {"loss/generator": total, **metrics}

    (_, g_metrics), g_grads = jax.value_and_grad(generator_loss_fn, has_aux=True)(params["generator"])
    params, opt_state = apply_gradients(txs, params, opt_state, {"generator": g_grads}, ("generator",))
    metrics = {**d_metrics, **g_metrics, **grad_norms({"generator": g_grads, "discriminator": d_grads})}
    return state.replace(params=params, opt_state=opt_state), metrics

  @jax.jit
  def edit(state, x, attributes):
    return common.sampling_apply(nets["generator"], state, "generator", x, attributes)

  test = common.held_out_images(config.data)

  def sample_labelled(state, key, domains):
    """Held-out images (drawn at random) edited to the domains [n]."""
    rows = jax.random.randint(key, domains.shape, 0, test.shape[0])
    return edit(state, jnp.asarray(test)[rows], attributes_of(domains))

  def sample(state, key, n):
    """n held-out images edited to uniformly drawn domains."""
    domain_key, image_key = jax.random.split(key)
    return sample_labelled(state, image_key, jax.random.randint(domain_key, (n,), 0, num_domains))

  def save_pictures(state, key, directory, step_number, data):
    del key, data
    sources = jnp.asarray(test[:PICTURE_ROWS])                 # digits_attributes: unedited digits come first
    if flips:  # every combination is a domain: flip one attribute of each source per column
      own = table[common.held_out_labels(config.data)[:PICTURE_ROWS]]            # [rows, K]
      targets = [np.where(np.arange(table.shape[1]) == k, 1.0 - own, own) for k in range(table.shape[1])]
    else:      # one column per domain
      targets = [np.broadcast_to(row, (sources.shape[0], row.shape[0])) for row in table]
    columns = [edit(state, sources, jnp.asarray(t, jnp.float32)) for t in targets]
    grid = jnp.stack([sources] + columns, axis=1)                # [rows, 1 + domains, H, W, C]
    return common.save_rows(list(grid), directory, f"edits_{step_number:07d}.png", spec.value_range)

  def evaluate(state, data, key):
    del key
    return translation.attribute_metrics(lambda x, a: edit(state, jnp.asarray(x), jnp.asarray(a)), data,
                                         config.eval)

  return Trainer(init=init, update=update, sample=sample, save_pictures=save_pictures, evaluate=evaluate,
                 batches_per_step=n_critic, sample_labelled=sample_labelled)


for _name in ("stargan", "attgan"):
  register_model(_name)(build_multidomain)
