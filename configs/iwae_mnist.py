"""IWAE (Burda et al. 2016) on dynamically binarized MNIST: the paper's 2-stochastic-layer architecture,
784-100-100-100(z_1)-50-50-50(z_2) tanh, Bernoulli decoder, trained on the k = 50 importance-weighted
bound, with the paper's schedule (see configs/vae_mnist.py: 3^i passes at 1e-3 * 10^(-i/7), i = 0..7).

  python scripts/train.py --config=configs/iwae_mnist.py --workdir=runs/iwae_mnist
  python scripts/evaluate.py --workdir=runs/iwae_mnist

One stochastic layer: --config.model.latent_dims='(50,)' --config.model.hidden='((200, 200),)'.
Published test NLL (k = 5,000) for reference: 82.90 nats (2 layers, k = 50), 84.78 (1 layer, k = 50).
Needs tfds MNIST prepared on disk; not run here (only a mock-data smoke test runs in tests/).
"""

from configs import vae_mnist


def get_config():
  c = vae_mnist.get_config()
  c.model.latent_dims = (100, 50)
  c.model.hidden = ((100, 100), (50, 50))
  c.objective.estimator = "iwae"
  c.objective.num_samples = 50
  c.objective.kl = "monte_carlo"
  return c
