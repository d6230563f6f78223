"""VAE on dynamically binarized MNIST with the IWAE paper's 1-stochastic-layer architecture and schedule
(Burda et al. 2016, section 5): 784-200-200-50 encoder, 50-200-200-784 Bernoulli decoder, tanh,
trained on the single-sample ELBO. Batch 20; Adam (b1 0.9, b2 0.999) with the paper's schedule:
for i = 0..7, 3^i passes over the data at learning rate 1e-3 * 10^(-i/7), 3,280 passes in all
(3,000 steps per pass: 9.84M steps), with the paper's Adam epsilon 1e-4.

Needs tfds MNIST prepared on disk (no download at run time):
  python -c "import tensorflow_datasets as tfds; tfds.builder('mnist').download_and_prepare()"   # once, online
  python scripts/train.py --config=configs/vae_mnist.py --workdir=runs/vae_mnist
  python scripts/evaluate.py --workdir=runs/vae_mnist

Two stochastic layers: --config.model.latent_dims='(100, 50)' --config.model.hidden='((100, 100), (50, 50))'
--config.objective.kl=monte_carlo. Published test NLL (k = 5,000) for reference: 86.76 nats (1 layer),
85.33 (2 layers). Not run here (no MNIST offline); only a mock-data smoke test runs in tests/.
"""

from configs import vae_base

MNIST_TRAIN = 60_000


def get_config():
  c = vae_base.get_config()
  c.data.name = "mnist"
  c.data.binarize = "dynamic"
  c.data.batch_size = 20
  c.model.latent_dims = (50,)
  c.model.hidden = ((200, 200),)
  c.optim.learning_rate = 1e-3
  c.optim.eps = 1e-4
  c.optim.schedule = "iwae"
  c.optim.steps_per_pass = MNIST_TRAIN // c.data.batch_size
  c.train.num_steps = 3280 * c.optim.steps_per_pass
  c.train.log_every = 1000
  c.train.checkpoint_every = 50_000
  c.train.eval_every = 50_000
  c.train.steps_per_jit = 50
  c.eval.batch_size = 100
  return c
