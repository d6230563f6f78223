"""Argument and config-field checks shared by every module: a ValueError naming the field and what was expected."""


def is_int(value) -> bool:
  """True for a Python int that is not a bool."""
  return isinstance(value, int) and not isinstance(value, bool)


def check_choice(value, choices, field: str):
  """ValueError naming `field` unless `value` is one of `choices`."""
  if value not in choices:
    raise ValueError(f"{field}: expected one of {list(choices)}, got {value!r}")


def check_positive_int(value, field: str) -> int:
  """value, or ValueError naming `field` unless it is a positive integer."""
  if not is_int(value) or value < 1:
    raise ValueError(f"{field}: expected a positive integer, got {value!r}")
  return value


def check_non_negative_int(value, field: str) -> int:
  """value, or ValueError naming `field` unless it is an integer >= 0."""
  if not is_int(value) or value < 0:
    raise ValueError(f"{field}: expected a non-negative integer, got {value!r}")
  return value
