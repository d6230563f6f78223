"""VDM on CIFAR-10 (tfds; needs the dataset downloaded and an accelerator): continuous time, learned
gamma(t), the -ELBO with VDM's categorical decoder over the 256 levels, so `bits_per_dim` is a bound on
the 8-bit likelihood; Adam 2e-4, batch 128, EMA 0.9999.

  python scripts/train.py --config=configs/vdm_cifar10.py --workdir=runs/vdm_cifar10
  python scripts/evaluate.py --workdir=runs/vdm_cifar10

Paper (Kingma et al. 2021, table 1): 2.65 bits/dim on CIFAR-10 (a 32-block, 128-channel U-Net without
downsampling, Fourier features of the input, 10M steps); this U-Net is the DDPM one, so expect more.
Not run here (no GPU, no CIFAR-10 offline).
"""

from configs import ddpm_cifar10


def get_config():
  c = ddpm_cifar10.get_config()
  c.model.name = "vdm"
  c.model.sample_steps = 1000
  c.objective.schedule = "learned"
  c.objective.num_levels = 256
  return c
