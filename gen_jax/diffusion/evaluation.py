"""Held-out evaluation of diffusion models, as `scripts/evaluate.py` reports it.

* 2-D points: the samples' metrics of the GAN benchmark (`modes`, `high_quality`, `reverse_kl`, ...;
  gen_jax.gan.models.sample_metrics), and from the probability-flow ODE's exact log-likelihood log q(x) on
  eval.likelihood_samples fresh draws of the data (the test split when the data has no sampler):
  `nll` = -mean log q(x) (nats), `bits_per_dim`, and for the Gaussian mixtures (ring8, grid25)
  `kl_to_truth` = mean [log p(x) - log q(x)] with the true mixture density p (an estimate of KL(p || q)).
* images: on the held-out split (binarized data binarized as for the VAEs), `nll` = mean -ELBO (nats,
  a bound on the discrete log-likelihood), its parts `prior`, `diffusion`, `reconstruction`, and
  `bits_per_dim`; the diffusion term is estimated at eval.nll_times stratified times per example.
  The feature-space metrics (fd, kid, precision, recall) are added by the engine for every image model.
"""

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.checks import check_positive_int
from gen_jax.data.toy2d import mixture_log_density
from gen_jax.eval.batching import batched_apply
from gen_jax.gan.sample_metrics import sample_metrics
from gen_jax.vae.heldout import bernoulli_ready


def check_eval_config(eval_config, spec) -> None:
  """ValueError naming the eval field unless the sizes this evaluation reads are positive integers."""
  check_positive_int(eval_config.batch_size, "eval.batch_size")
  if spec.kind == "points":
    check_positive_int(eval_config.num_samples, "eval.num_samples")
    check_positive_int(eval_config.likelihood_samples, "eval.likelihood_samples")
  else:
    check_positive_int(eval_config.nll_times, "eval.nll_times")


def bits_per_dim(nll: float, dims: int) -> float:
  """nats per example -> bits per dimension: nll / (D ln 2)."""
  return float(nll / (dims * np.log(2.0)))


def evaluate_points(config, model, params, data, key, sample) -> dict:
  """Sample metrics and ODE likelihoods of a 2-D model (see module doc)."""
  e = config.eval
  results = sample_metrics(np.asarray(sample(key, e.num_samples)), data)
  if data.sampler is not None:
    x = data.sampler(np.random.default_rng(e.seed), e.likelihood_samples)[0]
  else:
    x = data.test["x"] if data.test is not None else data.train["x"]
  log_q = batched_apply(jax.jit(lambda xb: model.ode_log_likelihood(params, xb)), x, e.batch_size)  # [N]
  results.update(nll=-float(np.mean(log_q)), bits_per_dim=bits_per_dim(-np.mean(log_q), x.shape[1]),
                 likelihood_samples=int(len(x)))
  spec = data.spec
  if spec.mode_centres is not None:
    log_p = mixture_log_density(x, spec.mode_centres, spec.mode_std)
    results["kl_to_truth"] = float(np.mean(log_p - np.asarray(log_q, np.float64)))
  return results


def evaluate_images(config, model, params, data, key) -> dict:
  """The -ELBO and its parts on the held-out images (see module doc)."""
  if data.test is None:
    raise ValueError(f"data.name: {data.spec.name!r} has no held-out split to evaluate on")
  x = np.asarray(data.test["x"], np.float32)
  if data.spec.binarized:
    x = bernoulli_ready(x, config.eval.seed)
  x_all = jnp.asarray(x)

  @jax.jit
  def rows(index):  # [b] -> [b, 4]
    nll, parts = model.nll_bound(params, x_all[index], jax.random.fold_in(key, index[0]), config.eval.nll_times)
    return jnp.stack([nll, parts["prior"], parts["diffusion"], parts["reconstruction"]], axis=-1)

  stats = batched_apply(rows, np.arange(len(x)), config.eval.batch_size).astype(np.float64)  # [N, 4]
  nll = float(np.mean(stats[:, 0]))
  return {"nll": nll, "bits_per_dim": bits_per_dim(nll, int(np.prod(x.shape[1:]))),
          "prior": float(np.mean(stats[:, 1])), "diffusion": float(np.mean(stats[:, 2])),
          "reconstruction": float(np.mean(stats[:, 3])), "nll_times": int(config.eval.nll_times),
          "num_examples": int(len(x))}


def evaluate_diffusion(config, model, params, data, key, sample) -> dict:
  """`evaluate_points` or `evaluate_images` by the data's kind; `sample(key, n)` draws from the model."""
  if data.spec.kind == "points":
    return evaluate_points(config, model, params, data, key, sample)
  return evaluate_images(config, model, params, data, key)
