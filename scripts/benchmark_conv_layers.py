"""The `dcgan32` workload's convolutions one at a time, gen_jax against PyTorch eager: what bounds its step ratio.

  python scripts/benchmark_conv_layers.py [--batch 64] [--features 64] [--rounds 3] [--steps 20]

Parts, each timed as one forward and backward pass:

* the discriminator's three 4x4 stride-2 convolutions (`d1`-`d3`: 1 -> f -> 2f -> 4f channels, 32 -> 4
  pixels) and the generator's three 4x4 stride-2 transposed convolutions (`g1`-`g3`: 4f -> 2f -> f -> 1,
  4 -> 32 pixels), each on the loss sum(tanh(layer(x)) * c) with a fixed random c (tanh keeps the forward
  pass live: a linear loss lets XLA drop it), taking the gradients of the parameters and, for every layer
  but `d1` (the step never needs the image's gradient), of the input;
* the whole `generator` (gradient of its parameters, batch-norm statistics of the batch) and the whole
  `discriminator` (gradients of its parameters and of its input): the two networks of the step.

gen_jax runs jitted under the scripts' XLA CPU flags (gen_jax.train.cpu_flags) and host-memory setting
(gen_jax.train.host_memory, which the torch side in this process shares), with the modules `dcgan32`
trains (gen_jax.nets.dcgan.Conv, gen_jax.nets.upsampling.SubpixelConvTranspose, DCGANGenerator,
DCGANEncoder inside gen_jax.gan.networks.Discriminator); torch runs eagerly with its defaults (nn.Conv2d, nn.ConvTranspose2d and
scripts/benchmark_torch.py's twins of the networks). Each round times every part in gen_jax, then in torch
(the order alternates between rounds), as the median of 5 windows of `--steps` passes after a warm-up window.

One JSON line per part and round (part, round, gen_jax_ms, torch_ms), then one summary line per part:
the medians over rounds, ratio = torch_ms / gen_jax_ms (> 1: gen_jax faster), flops (torch's
FlopCounterMode: convolutions and matrix products of the pass), both libraries' GFLOP/s, and gen_jax's
MFU against a float32 2048^2 matmul rate measured in this process (gen_jax.bench.timing). torch is
imported only here and in scripts/benchmark_torch.py; it is not a dependency of gen_jax.
"""

import argparse
import json
import os
import statistics
import sys

from gen_jax.train import cpu_flags, host_memory

cpu_flags.apply_defaults()
host_memory.retain_freed_memory()  # as the scripts run (gen_jax.cli.run); torch, in this process, gains it too

import jax  # noqa: E402  (after the XLA flags)
import jax.numpy as jnp  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchmark_torch  # noqa: E402  (the torch twins of the networks)

from gen_jax.bench import timing  # noqa: E402
from gen_jax.checks import check_positive_int  # noqa: E402
from gen_jax.gan.networks import Discriminator  # noqa: E402
from gen_jax.nets.dcgan import Conv, DCGANEncoder, DCGANGenerator  # noqa: E402
from gen_jax.nets.upsampling import SubpixelConvTranspose  # noqa: E402

LATENT = 100
IMAGE = 32


def layer_plan(features: int) -> list[tuple[str, str, int, int, int]]:
  """(part, 'down' | 'up', input size, input channels, output channels) of dcgan32's six convolutions."""
  f = features
  return [("d1", "down", IMAGE, 1, f), ("d2", "down", IMAGE // 2, f, 2 * f), ("d3", "down", IMAGE // 4, 2 * f, 4 * f),
          ("g1", "up", IMAGE // 8, 4 * f, 2 * f), ("g2", "up", IMAGE // 4, 2 * f, f), ("g3", "up", IMAGE // 2, f, 1)]


def window_ms(run, steps: int, repeats: int = 5) -> float:
  """Median milliseconds per call of `run` over `repeats` windows of `steps` calls, after one warm-up window."""
  return benchmark_torch.window_seconds(run, steps, repeats) / steps * 1e3


def gen_jax_layer(kind: str, size: int, c_in: int, c_out: int, batch: int):
  """A no-argument call running one jitted forward and backward pass of the layer (module doc)."""
  module = (Conv(c_out, (4, 4), strides=(2, 2), padding="SAME") if kind == "down"
            else SubpixelConvTranspose(c_out, (4, 4), strides=(2, 2)))
  x = jax.random.normal(jax.random.key(0), (batch, size, size, c_in))
  params = module.init(jax.random.key(1), x)
  cotangent = jax.random.normal(jax.random.key(2), module.apply(params, x).shape)
  argnums = (0, 1) if c_in > 1 else 0  # the image's gradient is never needed
  grad = jax.jit(jax.grad(lambda p, x, c: jnp.sum(jnp.tanh(module.apply(p, x)) * c), argnums=argnums))
  return lambda: jax.block_until_ready(grad(params, x, cotangent))


def torch_conv(kind: str, c_in: int, c_out: int) -> torch.nn.Module:
  """torch's 4x4 stride-2 (transposed) convolution with padding 1: the twin of gen_jax's 'SAME' one."""
  return torch.nn.Conv2d(c_in, c_out, 4, 2, 1) if kind == "down" else torch.nn.ConvTranspose2d(c_in, c_out, 4, 2, 1)


def torch_layer(kind: str, size: int, c_in: int, c_out: int, batch: int):
  """The torch eager twin of `gen_jax_layer`."""
  layer = torch_conv(kind, c_in, c_out)
  x = torch.randn(batch, c_in, size, size, requires_grad=c_in > 1)
  cotangent = torch.randn(*layer(x).shape)

  def run():
    layer.zero_grad()
    x.grad = None
    (torch.tanh(layer(x)) * cotangent).sum().backward()

  return run


def gen_jax_networks(features: int, batch: int) -> dict:
  """{'generator', 'discriminator'}: no-argument calls of one jitted forward and backward pass each."""
  z = jax.random.normal(jax.random.key(0), (batch, LATENT))
  images = jax.random.normal(jax.random.key(1), (batch, IMAGE, IMAGE, 1))
  generator = DCGANGenerator((IMAGE, IMAGE, 1), features)
  discriminator = Discriminator(DCGANEncoder(features, batch_norm=True))  # dcgan32's: encoder body, dense logit
  g_params, d_params = generator.init(jax.random.key(2), z), discriminator.init(jax.random.key(3), images)
  g_cotangent = jax.random.normal(jax.random.key(4), (batch, IMAGE, IMAGE, 1))

  def g_loss(params, z, cotangent):
    return jnp.sum(generator.apply(params, z, mutable=["batch_stats"])[0] * cotangent)

  def d_loss(params, x):
    (logits, _), _ = discriminator.apply(params, x, mutable=["batch_stats"])
    return jnp.mean(jax.nn.softplus(-logits))

  g_grad, d_grad = jax.jit(jax.grad(g_loss)), jax.jit(jax.grad(d_loss, argnums=(0, 1)))
  return {"generator": lambda: jax.block_until_ready(g_grad(g_params, z, g_cotangent)),
          "discriminator": lambda: jax.block_until_ready(d_grad(d_params, images))}


def torch_networks(features: int, batch: int) -> dict:
  """The torch eager twins of `gen_jax_networks` (benchmark_torch's networks, training mode)."""
  generator, discriminator = benchmark_torch.dcgan_generator(LATENT, features), benchmark_torch.dcgan_discriminator(features)
  z = torch.randn(batch, LATENT)
  images = torch.randn(batch, 1, IMAGE, IMAGE, requires_grad=True)
  g_cotangent = torch.randn(batch, 1, IMAGE, IMAGE)

  def run_generator():
    generator.zero_grad()
    (generator(z) * g_cotangent).sum().backward()

  def run_discriminator():
    discriminator.zero_grad()
    images.grad = None
    torch.nn.functional.softplus(-discriminator(images)).mean().backward()

  return {"generator": run_generator, "discriminator": run_discriminator}


def parts(features: int, batch: int) -> dict:
  """{part: (gen_jax call, torch call)} in the order of the module doc."""
  calls = {name: (gen_jax_layer(*spec, batch), torch_layer(*spec, batch)) for name, *spec in layer_plan(features)}
  jax_nets, torch_nets = gen_jax_networks(features, batch), torch_networks(features, batch)
  return {**calls, **{name: (jax_nets[name], torch_nets[name]) for name in jax_nets}}


def summary(part: str, jax_ms: list[float], torch_ms: list[float], flops: float, peak: float) -> dict:
  """The summary record of one part (module doc)."""
  gen_jax_ms, peer_ms = statistics.median(jax_ms), statistics.median(torch_ms)
  return {"part": part, "rounds": len(jax_ms), "gen_jax_ms": gen_jax_ms, "torch_ms": peer_ms,
          "ratio": peer_ms / gen_jax_ms, "flops": flops, "gen_jax_gflops": flops / gen_jax_ms / 1e6,
          "torch_gflops": flops / peer_ms / 1e6, "gen_jax_mfu": flops / (gen_jax_ms / 1e3) / peak,
          "peak_flops": peak}


def run(features: int, batch: int, rounds: int, steps: int) -> list[dict]:
  """Every round record, then every summary record (module doc)."""
  torch.manual_seed(0)
  calls = parts(features, batch)
  times = {name: ([], []) for name in calls}
  records = []
  for index in range(rounds):
    for name, (jax_call, torch_call) in calls.items():
      order = (0, 1) if index % 2 == 0 else (1, 0)
      measured = [0.0, 0.0]
      for side in order:
        measured[side] = window_ms((jax_call, torch_call)[side], steps)
      times[name][0].append(measured[0])
      times[name][1].append(measured[1])
      records.append({"part": name, "round": index, "gen_jax_ms": measured[0], "torch_ms": measured[1]})
  peak = timing.matmul_flops_per_sec()
  for name, (jax_ms, torch_ms) in times.items():
    flops = benchmark_torch.step_flops(calls[name][1])
    records.append(summary(name, jax_ms, torch_ms, flops, peak))
  return records


def parse_args(argv):
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--batch", type=int, default=64, help="examples per pass (dcgan32: 64)")
  parser.add_argument("--features", type=int, default=64, help="the networks' base width f (dcgan32: 64)")
  parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
  parser.add_argument("--steps", type=int, default=20, help="passes per timed window")
  args = parser.parse_args(argv)
  for name in ("batch", "features", "rounds", "steps"):
    try:
      check_positive_int(getattr(args, name), f"--{name}")
    except ValueError as error:
      parser.exit(2, f"error: {error}\n")
  return args


def main(argv=None) -> int:
  args = parse_args(sys.argv[1:] if argv is None else argv)
  for record in run(args.features, args.batch, args.rounds, args.steps):
    print(json.dumps(record), flush=True)
  return 0


if __name__ == "__main__":
  sys.exit(main())
