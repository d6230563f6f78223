"""The digit-domain datasets (digits, digits_printed, digits_unpaired, digits_attributes) as the translation
configs load them: cyclegan_digits' data fields with another dataset name."""

from configs import cyclegan_digits
from gen_jax import data as gdata


def load(name: str):
  """gen_jax.data.load of dataset `name` with configs/cyclegan_digits.py's data fields."""
  c = cyclegan_digits.get_config().data
  c.name = name
  return gdata.load(c)
