"""DDPM on ring8 (8 Gaussians on the unit circle, std 0.01): as ddpm_grid25 but with configs/diffusion_base.py's
12,000 steps.

  python scripts/train.py --config=configs/ddpm_ring8.py --workdir=runs/ddpm_ring8
  python scripts/evaluate.py --workdir=runs/ddpm_ring8
  python scripts/mode_benchmark.py --config=configs/ddpm_ring8.py --seeds=10 --batch_seeds --workdir=runs/bench_ddpm_ring8

Result (the mode benchmark above, 10 seeds as one seed-batched run): 8.0 +- 0.0 modes, 99.23 +- 0.03 % high
quality, reverse KL 0.0009 +- 0.0001, kl_to_truth 0.244 +- 0.002 nats, nll -4.047 +- 0.002 (the mixture's entropy
is -4.29): the samples are right, the ODE density of the ring's very narrow modes (std 0.01) is not yet sharp
enough; flow_ring8 reaches 0.009. (5 seeds, the first measurement: kl_to_truth 0.250 +- 0.003.)
"""

from configs import diffusion_base


def get_config():
  c = diffusion_base.get_config()
  c.data.name = "ring8"
  return c
