"""The training workloads of scripts/benchmark.py written plainly in PyTorch eager mode, for comparison.

  python scripts/benchmark_torch.py --workload vae_mlp [--steps 100] [--repeats 5] [--threads N] [--compile]
      [--profile_top N]

Prints one JSON line with the fields of scripts/benchmark.py (see
gen_jax.bench.training): flops_per_step is counted by torch's FlopCounterMode
(matrix products and convolutions of one step, forward and backward),
peak_flops is a float32 2048x2048 matmul rate measured in this process.

The networks mirror the gen_jax networks the JAX workloads actually run, layer
for layer (gen_jax.bench.training's configs): same widths, activations, batch
norm placement and momentum, parameter counts, losses, Adam settings and batch
sizes; inputs are random tensors of the data's shape. As in gen_jax's GAN step,
the discriminator update scores torch.cat([real, fake]) in one call (its batch
norm statistics are those of the mixed batch) and the generator update scores
the fake batch alone, both in training mode. Torch runs as its users run it: its own default
intra-op thread count and OpenMP settings unless `--threads` (or the caller's environment, e.g.
OMP_WAIT_POLICY) says otherwise; the record states `threads` and `omp_wait_policy`. `--compile` wraps
each network in torch.compile (inductor, default mode), the choice of a PyTorch user who cares about
speed; compilation happens in the untimed warm-up window. Adam is
torch's fused CPU implementation when `--adam fused` (the default; 'foreach'
and 'loop' are the other implementations). The generator update freezes the
discriminator's parameters (requires_grad False) so no unneeded gradients are
computed. --profile_top N then prints torch.profiler's self CPU time per aten
op (per category and the N top ops, the records of gen_jax.bench.profile).
torch is imported only here: it is not a dependency of gen_jax.
"""

import argparse
import json
import os
import statistics
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F

WORKLOADS = ("vae_mlp", "gan2d_mlp", "dcgan32")


def adam(params, lr: float, betas: tuple[float, float], implementation: str) -> torch.optim.Adam:
  options = {"fused": {"fused": True}, "foreach": {"foreach": True}, "loop": {"foreach": False}}[implementation]
  return torch.optim.Adam(params, lr=lr, betas=betas, **options)


# ------------------------------------------------------------------------------------------------
# vae_mlp: encoder 784 -> 400 ReLU -> (mu, log var) 20; decoder 20 -> 400 ReLU -> 784 Bernoulli logits.


class VAE(nn.Module):

  def __init__(self):
    super().__init__()
    self.encoder = nn.Sequential(nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 40))
    self.decoder = nn.Sequential(nn.Linear(20, 400), nn.ReLU(), nn.Linear(400, 784))

  def loss(self, x):
    """-ELBO mean over the batch: BCE summed over pixels + KL(N(mu, sigma^2) || N(0, I)), one sample."""
    mean, log_var = self.encoder(x).chunk(2, dim=-1)
    z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
    logits = self.decoder(z)
    reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=1)
    kl = 0.5 * (mean.square() + log_var.exp() - 1.0 - log_var).sum(dim=1)
    return (reconstruction + kl).mean()


def vae_setup(adam_impl: str, compiled: bool = False):
  model = VAE()
  if compiled:
    model.loss = torch.compile(model.loss)
  optimizer = adam(model.parameters(), 1e-3, (0.9, 0.999), adam_impl)
  x = torch.bernoulli(torch.full((128, 784), 0.5))

  def step():
    optimizer.zero_grad(set_to_none=True)
    model.loss(x).backward()
    optimizer.step()

  return step, 128


# ------------------------------------------------------------------------------------------------
# GANs: non-saturating loss, one discriminator update then one generator update, Adam 2e-4 (0.5, 0.999).


def batch_norm(width: int) -> nn.Module:
  """flax's nn.BatchNorm: running <- 0.99 running + 0.01 batch (torch's momentum 0.01), eps 1e-5."""
  return nn.BatchNorm2d(width, momentum=0.01)


def mlp_generator() -> nn.Module:
  """The gan2d_mlp generator: 2 -> 400 x 4 (ReLU) -> 2, no batch norm."""
  layers, width_in = [], 2
  for _ in range(4):
    layers += [nn.Linear(width_in, 400), nn.ReLU()]
    width_in = 400
  return nn.Sequential(*layers, nn.Linear(400, 2))


def mlp_discriminator() -> nn.Module:
  """The gan2d_mlp discriminator (gen_jax.gan.networks.CriticMLP, unit 'leaky_relu', and a linear logit):
  2 -> 200 x 3 (LeakyReLU 0.2) -> 1."""
  layers, width_in = [], 2
  for _ in range(3):
    layers += [nn.Linear(width_in, 200), nn.LeakyReLU(0.2)]
    width_in = 200
  return nn.Sequential(*layers, nn.Linear(200, 1))


class Reshape(nn.Module):

  def __init__(self, *shape):
    super().__init__()
    self.shape = shape

  def forward(self, h):
    return h.view(h.shape[0], *self.shape)


def dcgan_generator(z_dim: int = 100, features: int = 64) -> nn.Module:
  """gen_jax.nets.DCGANGenerator for 32x32x1: dense to 256x4x4 (BN, ReLU), 4x4 stride-2 transposed convs
  to 128x8x8 and 64x16x16 (BN, ReLU) and to 1x32x32 (no BN), tanh."""
  widths = [4 * features, 2 * features, features]
  layers = [nn.Linear(z_dim, 4 * 4 * widths[0]), Reshape(widths[0], 4, 4), batch_norm(widths[0]), nn.ReLU()]
  for w_in, w_out in zip(widths[:-1], widths[1:]):
    layers += [nn.ConvTranspose2d(w_in, w_out, 4, 2, 1), batch_norm(w_out), nn.ReLU()]
  return nn.Sequential(*layers, nn.ConvTranspose2d(features, 1, 4, 2, 1), nn.Tanh())


def dcgan_discriminator(features: int = 64) -> nn.Module:
  """gen_jax's DCGANEncoder with batch_norm (4x4 stride-2 convs to 64, 128, 256, BN after the second and
  third, LeakyReLU 0.2) and its dense logit on the 4x4x256 features, written as the 4x4 conv it equals."""
  layers, w_in = [], 1
  for i, w_out in enumerate((features, 2 * features, 4 * features)):
    layers += [nn.Conv2d(w_in, w_out, 4, 2, 1), *([batch_norm(w_out)] if i > 0 else []), nn.LeakyReLU(0.2)]
    w_in = w_out
  return nn.Sequential(*layers, nn.Conv2d(w_in, 1, 4), nn.Flatten())


def gan_setup(generator: nn.Module, discriminator: nn.Module, real: torch.Tensor, z_dim: int, adam_impl: str,
              compiled: bool = False):
  """(step, batch): one D update on D(cat([real, G(z)])) (one call: batch norm over the mixed batch), then
  one G update on D(G(z')), as gen_jax.gan.updates.adversarial_update. `compiled`: torch.compile both
  networks (the optimizers update the same parameters)."""
  if compiled:
    generator, discriminator = torch.compile(generator), torch.compile(discriminator)
  g_opt = adam(generator.parameters(), 2e-4, (0.5, 0.999), adam_impl)
  d_opt = adam(discriminator.parameters(), 2e-4, (0.5, 0.999), adam_impl)
  b = real.shape[0]

  def step():
    with torch.no_grad():
      fake = generator(torch.randn(b, z_dim))
    logits = discriminator(torch.cat([real, fake]))[:, 0]
    d_loss = F.softplus(-logits[:b]).mean() + F.softplus(logits[b:]).mean()  # -log D(x) - log(1 - D(G(z)))
    d_opt.zero_grad(set_to_none=True)
    d_loss.backward()
    d_opt.step()
    discriminator.requires_grad_(False)
    g_loss = F.softplus(-discriminator(generator(torch.randn(b, z_dim)))[:, 0]).mean()  # -log D(G(z))
    g_opt.zero_grad(set_to_none=True)
    g_loss.backward()
    g_opt.step()
    discriminator.requires_grad_(True)

  return step, b


def gan2d_setup(adam_impl: str, compiled: bool = False):
  return gan_setup(mlp_generator(), mlp_discriminator(), torch.randn(512, 2), 2, adam_impl, compiled)


def dcgan32_setup(adam_impl: str, compiled: bool = False):
  real = torch.rand(64, 1, 32, 32) * 2.0 - 1.0
  return gan_setup(dcgan_generator(), dcgan_discriminator(), real, 100, adam_impl, compiled)


SETUPS = {"vae_mlp": vae_setup, "gan2d_mlp": gan2d_setup, "dcgan32": dcgan32_setup}


# ------------------------------------------------------------------------------------------------
# Timing.


def window_seconds(step, steps: int, repeats: int) -> float:
  """Median seconds of `steps` consecutive steps over `repeats` windows, after one warm-up window."""
  for _ in range(steps):
    step()
  times = []
  for _ in range(repeats):
    start = time.perf_counter()
    for _ in range(steps):
      step()
    times.append(time.perf_counter() - start)
  return statistics.median(times)


def step_flops(step) -> float:
  """Matmul and convolution FLOPs of one step (forward and backward), by torch's FlopCounterMode."""
  from torch.utils.flop_counter import FlopCounterMode  # pylint: disable=import-outside-toplevel

  counter = FlopCounterMode(display=False)
  with counter:
    step()
  return float(counter.get_total_flops())


def matmul_flops_per_sec(size: int = 2048, repeats: int = 5) -> float:
  a, b = torch.randn(size, size), torch.randn(size, size)
  return 2.0 * size**3 / window_seconds(lambda: a @ b, 1, repeats)


def measure(workload: str, steps: int, repeats: int, threads: int | None, adam_impl: str, compiled: bool = False):
  """(one record with the fields of scripts/benchmark.py for `workload` in torch, its step): eager, or with
  the networks torch.compile'd; `threads` None keeps torch's default thread count."""
  torch.manual_seed(0)
  if threads is not None:
    torch.set_num_threads(threads)
  step, batch = SETUPS[workload](adam_impl, compiled)
  seconds = window_seconds(step, steps, repeats)  # its warm-up window compiles a torch.compile'd step
  flops = step_flops(SETUPS[workload](adam_impl)[0])  # counted on the eager twin: compiled kernels bypass the counter
  peak = matmul_flops_per_sec()
  steps_per_sec = steps / seconds
  return dict(workload=workload, batch=batch, steps=steps, seconds=seconds, steps_per_sec=steps_per_sec,
              flops_per_step=flops, achieved_flops=flops * steps_per_sec, peak_flops=peak,
              mfu=flops * steps_per_sec / peak, implementation="torch.compile" if compiled else "torch",
              torch_version=torch.__version__, threads=torch.get_num_threads(),
              omp_wait_policy=os.environ.get("OMP_WAIT_POLICY", "default"), adam=adam_impl), step


TORCH_CATEGORIES = (("matmul", ("addmm", "mm", "bmm", "matmul", "linear")),
                    ("optimizer", ("_fused_adam", "_foreach", "adam")))


def torch_op_category(name: str) -> str:
  """matmul / convolution / optimizer / elementwise for an aten op name (the categories of
  gen_jax.bench.profile, with torch's Adam kernels apart)."""
  base = name.split("::")[-1]
  if "convolution" in base or base.startswith("conv"):
    return "convolution"
  for category, prefixes in TORCH_CATEGORIES:
    if base.startswith(prefixes):
      return category
  return "elementwise"


def profile_records(workload: str, step, steps: int, top: int) -> list[dict]:
  """torch.profiler's self CPU time per aten op over `steps` steps: per category, then the `top` ops,
  as ms per step and share (the record format of gen_jax.bench.profile)."""
  from torch.profiler import ProfilerActivity, profile  # pylint: disable=import-outside-toplevel

  with profile(activities=[ProfilerActivity.CPU]) as prof:
    for _ in range(steps):
      step()
  ops = {e.key: e.self_cpu_time_total / 1000 / steps for e in prof.key_averages() if e.key.startswith("aten::")}
  total = sum(ops.values()) or 1.0
  categories = {}
  for name, ms in ops.items():
    categories[torch_op_category(name)] = categories.get(torch_op_category(name), 0.0) + ms
  records = [{"workload": workload, "implementation": "torch", "profile": "category", "name": c,
              "cpu_ms_per_step": ms, "share": ms / total} for c, ms in sorted(categories.items())]
  ranked = sorted(ops.items(), key=lambda item: -item[1])[:top]
  return records + [{"workload": workload, "implementation": "torch", "profile": "op", "name": name,
                     "category": torch_op_category(name), "cpu_ms_per_step": ms, "share": ms / total}
                    for name, ms in ranked]


def parse_args(argv):
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--workload", required=True, choices=WORKLOADS)
  parser.add_argument("--steps", type=int, default=100, help="steps per timed window")
  parser.add_argument("--repeats", type=int, default=5, help="timed windows (the median is reported)")
  parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's own)")
  parser.add_argument("--compile", action="store_true", help="torch.compile the networks (inductor)")
  parser.add_argument("--adam", choices=("fused", "foreach", "loop"), default="fused")
  parser.add_argument("--profile_top", type=int, default=0,
                      help="after timing, print torch.profiler's op times: per category and the N top ops")
  args = parser.parse_args(argv)
  for name in ("steps", "repeats", "threads"):
    if getattr(args, name) is not None and getattr(args, name) < 1:
      parser.error(f"--{name}: expected a positive integer, got {getattr(args, name)}")
  if args.profile_top < 0:
    parser.error(f"--profile_top: expected a non-negative integer, got {args.profile_top}")
  return args


def main(argv=None) -> int:
  args = parse_args(argv)
  record, step = measure(args.workload, args.steps, args.repeats, args.threads, args.adam, args.compile)
  print(json.dumps(record), flush=True)
  if args.profile_top:
    for line in profile_records(args.workload, step, args.steps, args.profile_top):
      print(json.dumps(line), flush=True)
  return 0


if __name__ == "__main__":
  sys.exit(main())
