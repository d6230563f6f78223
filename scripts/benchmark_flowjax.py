"""gen_jax's flows side by side with flowjax's on the 2-D mixtures: the same architecture, data, steps and batch.

  python scripts/benchmark_flowjax.py [--datasets ring8,grid25] [--flows maf_spline,maf_affine,coupling_affine]
                                      [--num_train 10000] [--seeds 0,1,2] [--raw_affine] [--leader flowjax]

For each dataset and flow, flowjax fits first, exactly as its users do: `fit_to_data` with its defaults
(Adam 5e-4, batch 100, 10 % of the points held out for early stopping with patience 5, at most 100
epochs, the best parameters returned), on the raw points, flowjax's default flow (8 layers, conditioner
MLPs of one hidden layer of width 50, ReLU) with its default affine transformer or
`RationalQuadraticSpline(knots=8, interval=4)` (8 inner knots: 9 bins on [-4, 4]). gen_jax then fits its
twin (gen_jax.flows.networks: 'maf' or 'realnvp', 8 layers, hidden (50,), 9 spline bins on [-4, 4] after
its fixed standardization into [-3, 3] (with --raw_affine the affine twins skip it and fit the raw points, as
flowjax's flows do); the affine twins with gen_jax's 'affine_softplus' transform and 'uniform' conditioner init,
flowjax's scale parameterization and dense init; with --learned_base every twin also learns its base
distribution's loc and scale, as flowjax's flows do: gen_jax.flows.bijections.ElementwiseAffine) with the same Adam 5e-4 and
batch 100, on the first 90 % of the points (flowjax draws its 90 % at random), for the number of steps
flowjax took, by a jitted optax loop that runs each epoch's steps in one compiled call (lax.scan, as the
engine's `train.steps_per_jit` does) and keeps, like flowjax, the parameters of the epoch with the lowest
loss on the held-out 10 %. With --leader gen_jax the roles swap: gen_jax fits first with fit_to_data's
early-stopping rule, and flowjax then trains for as many epochs (its patience set to them), keeping its best
epoch: the step count is then adapted to gen_jax's validation curve instead of flowjax's. flowjax is imported
only here (it is not a dependency of gen_jax): `pip install flowjax==19.1.2`.

One JSON line per (dataset, flow, library): test `nll` (mean -log q over 10,000 fresh draws, nats),
`kl_to_truth` = E_p[log p - log q] over the same draws, the mode metrics of 2,500 samples, `steps`, `fit_seconds`
(wall, compilation included), `steps_per_sec` = steps / fit_seconds and `fit_cpu_seconds` (user + system).
Then one summary line per (dataset, flow, library): means and standard errors over the seeds; gen_jax's also
holds its speed-ups and `kl_difference` (± `kl_difference_se`), the seed-paired mean of gen_jax's kl_to_truth
minus flowjax's.
"""

import argparse
import json
import resource
import time

import flowjax.bijections as fjb
import flowjax.distributions as fjd
import jax
import jax.numpy as jnp
import numpy as np
import optax
from flowjax.flows import coupling_flow, masked_autoregressive_flow
from flowjax.train import fit_to_data

from gen_jax.data import toy2d
from gen_jax.eval import modes
from gen_jax.flows import networks
from gen_jax.flows.bijections import FixedAffine

FLOWS = {  # name -> (flowjax constructor, gen_jax family, gen_jax transform, gen_jax conditioner init)
    "maf_spline": (masked_autoregressive_flow, "maf", "spline", "identity"),
    "maf_affine": (masked_autoregressive_flow, "maf", "affine_softplus", "uniform"),
    "coupling_spline": (coupling_flow, "realnvp", "spline", "identity"),
    "coupling_affine": (coupling_flow, "realnvp", "affine_softplus", "uniform"),
}
LAYERS, WIDTH, KNOTS, INTERVAL = 8, 50, 8, 4.0
LEARNING_RATE, BATCH, VAL_PROP = 5e-4, 100, 0.1
MAX_EPOCHS, PATIENCE = 100, 5  # fit_to_data's defaults
TEST_DRAWS, MODE_SAMPLES = 10_000, 2_500


def cpu_seconds() -> float:
  usage = resource.getrusage(resource.RUSAGE_SELF)
  return usage.ru_utime + usage.ru_stime


def timed(fit, *args) -> tuple:
  """(fit(*args), wall seconds, CPU seconds of this process) of one fit."""
  start, cpu = time.perf_counter(), cpu_seconds()
  result = fit(*args)
  return result, time.perf_counter() - start, cpu_seconds() - cpu


def scores(spec, log_q: np.ndarray, test: np.ndarray, samples: np.ndarray) -> dict:
  """nll, kl_to_truth and the mode metrics of one fitted flow."""
  result = {"nll": float(-np.mean(log_q)), "kl_to_truth": float(np.mean(toy2d.log_density(spec.name, test) - log_q))}
  return {**result, **modes.mode_metrics(np.asarray(samples, np.float64), spec.mode_centres, spec.mode_std)}


def fit_flowjax(name: str, train: np.ndarray, key, epochs: int | None = None) -> tuple:
  """flowjax's fit with its defaults (early stopping), or for exactly `epochs` epochs (patience `epochs`), keeping
  its best epoch either way: (distribution, training steps taken)."""
  constructor, _, transform, _ = FLOWS[name]
  transformer = fjb.RationalQuadraticSpline(knots=KNOTS, interval=INTERVAL) if transform == "spline" else None
  model_key, fit_key = jax.random.split(key)
  flow = constructor(model_key, base_dist=fjd.Normal(jnp.zeros(2)), transformer=transformer, flow_layers=LAYERS,
                     nn_width=WIDTH)
  stopping = {} if epochs is None else {"max_epochs": epochs, "max_patience": epochs}
  flow, losses = fit_to_data(fit_key, flow, train, learning_rate=LEARNING_RATE, batch_size=BATCH,
                             val_prop=VAL_PROP, show_progress=False, **stopping)
  return flow, len(losses["train"]) * steps_per_epoch(len(train))


def steps_per_epoch(num_train: int) -> int:
  """Full batches in the 90 % of the points both libraries train on."""
  return int(num_train * (1 - VAL_PROP)) // BATCH


def input_layer(transform: str, spec, raw_affine: bool = False) -> FixedAffine:
  """The twin's fixed first layer: gen_jax's standardization of the data range into [-3, 3] (for the spline
  twins inside their bins' [-4, 4]: grid25's raw points reach 4.15), or with `raw_affine` the identity for the
  affine twins, which then see the raw points as flowjax's flows do."""
  if raw_affine and transform != "spline":
    return FixedAffine(0.0, 1.0)
  lo, hi = spec.value_range
  return FixedAffine((lo + hi) / 2, 3.0 / ((hi - lo) / 2))


def twin(name: str, spec, raw_affine: bool = False, learned_base: bool = False) -> networks.FlowDensity:
  """gen_jax's twin of flowjax's flow `name` on 2-D points (module doc)."""
  _, family, transform, init = FLOWS[name]
  body = networks.vector_body(family, 2, LAYERS, (WIDTH,), transform, KNOTS + 1, INTERVAL, init_scheme=init,
                              learned_base=learned_base)
  return networks.FlowDensity(input_layer(transform, spec, raw_affine), body, (2,))


def fit_gen_jax(name: str, spec, train: np.ndarray, steps: int | None, key, raw_affine: bool = False,
                learned_base: bool = False):
  """gen_jax's twin trained with batch BATCH on the first 90 % of `train`, keeping, as flowjax's `fit_to_data`
  does, the parameters of the epoch with the lowest loss on the last 10 %; for `steps` steps, or (None) with
  fit_to_data's early stopping: at most MAX_EPOCHS epochs, ending once more than PATIENCE epochs have passed
  without a new lowest validation loss. `learned_base`: the twin ends in an ElementwiseAffine, the twin of
  flowjax's trainable base distribution. Returns (flow, params, steps taken)."""
  flow = twin(name, spec, raw_affine, learned_base)
  split = int(len(train) * (1 - VAL_PROP))
  points, validation = jnp.asarray(train[:split]), jnp.asarray(train[split:])
  params = flow.init(key, points[:1])
  optimizer = optax.adam(LEARNING_RATE)
  loss_of = lambda params, batch: -jnp.mean(flow.apply(params, batch))

  def step(carry, batch):  # batch [BATCH, 2]
    params, opt_state = carry
    loss, grads = jax.value_and_grad(loss_of)(params, batch)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return (optax.apply_updates(params, updates), opt_state), loss

  @jax.jit
  def epoch(params, opt_state, batches):  # batches [S, BATCH, 2]: S steps in one call (the engine's steps_per_jit)
    (params, opt_state), _ = jax.lax.scan(step, (params, opt_state), batches)
    return params, opt_state, loss_of(params, validation)

  opt_state = optimizer.init(params)
  per_epoch = steps_per_epoch(len(train))
  best_loss, best_params, best_epoch, taken = np.inf, params, 0, 0
  for index in range(MAX_EPOCHS if steps is None else -(-steps // per_epoch)):
    start = index * per_epoch
    order = jax.random.permutation(jax.random.fold_in(key, start), len(points))[:per_epoch * BATCH]
    batches = points[order].reshape(per_epoch, BATCH, 2)[:per_epoch if steps is None else steps - start]
    params, opt_state, validation_loss = epoch(params, opt_state, batches)
    taken += batches.shape[0]
    if float(validation_loss) <= best_loss:
      best_loss, best_params, best_epoch = float(validation_loss), params, index
    elif steps is None and index - best_epoch > PATIENCE:
      break
  return flow, best_params, taken


def compare(dataset: str, name: str, seed: int, num_train: int, raw_affine: bool = False,
            leader: str = "flowjax", learned_base: bool = False) -> list[dict]:
  """The two JSON records (flowjax, gen_jax) of one dataset and flow: the `leader` fits first with early stopping
  and the other library then trains for as many steps."""
  data = toy2d.load_generated(dataset, num_train, seed)
  train = np.asarray(data.train["x"], np.float32)
  test = np.asarray(data.sampler(np.random.default_rng(10_000 + seed), TEST_DRAWS)[0], np.float32)
  key = jax.random.key(seed)
  base = {"dataset": dataset, "flow": name, "layers": LAYERS, "width": WIDTH, "batch": BATCH,
          "learning_rate": LEARNING_RATE, "num_train": num_train, "seed": seed, "raw_affine": raw_affine,
          "leader": leader, "learned_base": learned_base}

  def record(library: str, steps: int, seconds: float, cpu: float, log_q, samples) -> dict:
    return {**base, "library": library, "steps": steps, "fit_seconds": seconds, "steps_per_sec": steps / seconds,
            "fit_cpu_seconds": cpu, **scores(data.spec, np.asarray(log_q, np.float64), test, np.asarray(samples))}

  def run_flowjax(steps):
    epochs = None if steps is None else steps // steps_per_epoch(num_train)
    (flow, steps), seconds, cpu = timed(fit_flowjax, name, train, key, epochs)
    return record("flowjax", steps, seconds, cpu, flow.log_prob(test),
                  flow.sample(jax.random.fold_in(key, 1), (MODE_SAMPLES,)))

  def run_gen_jax(steps):
    (model, params, steps), seconds, cpu = timed(fit_gen_jax, name, data.spec, train, steps, key, raw_affine,
                                            learned_base)
    return record("gen_jax", steps, seconds, cpu, jax.jit(lambda x: model.apply(params, x))(test),
                  model.apply(params, jax.random.fold_in(key, 1), MODE_SAMPLES, method="sample"))

  if leader == "flowjax":
    first = run_flowjax(None)
    return [first, run_gen_jax(first["steps"])]
  first = run_gen_jax(None)
  return [run_flowjax(first["steps"]), first]


def summary(records: list[dict]) -> list[dict]:
  """Per (dataset, flow, library): mean and standard error over the seeds of the accuracy metrics and speeds,
  and gen_jax's speed-ups over flowjax (per seed, then averaged)."""
  out = []
  for dataset, name in dict.fromkeys((r["dataset"], r["flow"]) for r in records):
    pair = {lib: [r for r in records if (r["dataset"], r["flow"], r["library"]) == (dataset, name, lib)]
            for lib in ("flowjax", "gen_jax")}
    for library, rows in pair.items():
      line = {"summary": True, "dataset": dataset, "flow": name, "library": library, "seeds": [r["seed"] for r in rows]}
      per_seed = [{**{key: r[key] for key in ("kl_to_truth", "nll", "high_quality", "reverse_kl", "steps",
                                              "steps_per_sec")}, "steps_per_cpu_sec": r["steps"] / r["fit_cpu_seconds"]}
                  for r in rows]
      for key, (mean, stderr) in modes.mean_and_stderr(per_seed).items():
        line[key], line[key + "_se"] = mean, stderr
      out.append(line)
    ratios = [(g["steps_per_sec"] / f["steps_per_sec"], f["fit_cpu_seconds"] / g["fit_cpu_seconds"])
              for f, g in zip(pair["flowjax"], pair["gen_jax"])]
    out[-1]["speedup_wall"], out[-1]["speedup_cpu"] = (float(np.mean(v)) for v in zip(*ratios))
    out[-1]["kl_difference"], out[-1]["kl_difference_se"] = modes.mean_and_stderr(  # seed-paired gen_jax - flowjax
        {"d": g["kl_to_truth"] - f["kl_to_truth"]} for f, g in zip(pair["flowjax"], pair["gen_jax"]))["d"]
  return out


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--datasets", default="ring8,grid25")
  parser.add_argument("--flows", default="maf_spline,maf_affine,coupling_affine")
  parser.add_argument("--num_train", type=int, default=10_000)
  parser.add_argument("--seeds", default="0", help="comma-separated seeds, one comparison each")
  parser.add_argument("--raw_affine", action="store_true", help="the affine twins fit the raw points (no standardization)")
  parser.add_argument("--learned_base", action="store_true",
                      help="gen_jax's twins learn their base distribution's loc and scale, as flowjax's flows do")
  parser.add_argument("--leader", default="flowjax", choices=("flowjax", "gen_jax"),
                      help="the library that fits first with early stopping and sets the other's steps")
  args = parser.parse_args()
  names = args.flows.split(",")
  for name in names:
    if name not in FLOWS:
      parser.exit(2, f"error: --flows: expected names from {sorted(FLOWS)}, got {name!r}\n")
  records = []
  for seed in [int(s) for s in args.seeds.split(",")]:
    for dataset in args.datasets.split(","):
      for name in names:
        for record in compare(dataset, name, seed, args.num_train, args.raw_affine, args.leader,
                              args.learned_base):
          records.append(record)
          print(json.dumps(record), flush=True)
  for line in summary(records):
    print(json.dumps(line), flush=True)


if __name__ == "__main__":
  main()
