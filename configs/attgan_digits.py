"""AttGAN on 8x8 digits: handwritten digits edited towards attribute vectors [thick, thin, slant_left, slant_right].

  python scripts/train.py --config=configs/attgan_digits.py --workdir=runs/attgan_digits
  python scripts/evaluate.py --workdir=runs/attgan_digits

Result: see the README section "Unpaired and multi-domain translation".
"""

from configs import stargan_digits


def get_config():
  c = stargan_digits.get_config()
  c.model.name = "attgan"
  c.model.num_layers = 2                 # encoder 8 -> 4 -> 2, decoder back (5 in the paper at 128x128)
  c.objective.lambda_cls = 10.0          # the generator's attribute term (the paper's lambda_2)
  c.objective.lambda_cls_real = 1.0      # the discriminator's classifier (lambda_3)
  c.objective.lambda_rec = 100.0         # lambda_1
  return c
