"""AttGAN on 8x8 digits: handwritten digits edited towards attribute vectors [thick, thin, slant_left, slant_right].

  python scripts/train.py --config=configs/attgan_digits.py --workdir=runs/attgan_digits
  python scripts/evaluate.py --workdir=runs/attgan_digits

Result (measured, seed 0, 3,000 steps: 40 s of CPU time, 83 s wall on the shared 2-core box):
attribute_accuracy 0.873 (the attribute classifier reaches 0.958 on real held-out images), target_accuracy
0.509 (real: 0.835), identity_preserved 0.812, fd 61.6: the digits survive the edits better than with
StarGAN, the attributes less clearly. Seeds 0-2 (--config.seed=S): attribute_accuracy 0.855 +- 0.009,
target_accuracy 0.460 +- 0.025, identity_preserved 0.799 +- 0.011, fd 53.7 +- 4.1 (mean +- standard error).
"""

from configs import stargan_digits


def get_config():
  c = stargan_digits.get_config()
  c.model.name = "attgan"
  c.model.num_layers = 2                 # encoder 8 -> 4 -> 2, decoder back (5 in the paper at 128x128)
  c.objective.lambda_cls = 10.0          # the generator's attribute term (the paper's lambda_2)
  c.objective.lambda_cls_real = 1.0      # the discriminator's classifier (lambda_3)
  c.objective.lambda_rec = 100.0         # lambda_1
  c.objective.lambda_id = 0.0            # its reconstruction G(x, c) already is the identity term
  c.train.num_steps = 3000
  return c
