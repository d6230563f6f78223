"""One validation policy for gen_jax, and the helpers that implement it.

Pure functions (objectives, samplers, bijections, regularizers) check STATIC facts only:
shapes, dtypes, Python integers that become shapes (`num_samples`), and static choices
(a loss `kind`, a decoder `likelihood`). They never look at the VALUES of their array
arguments, so each one traces under `jax.jit`, `jax.vmap` and `jax.grad` with every float
hyper-parameter (beta, temperatures, penalty weights, bounds) passed as a traced array,
and an eager call returns exactly what the jitted call returns (no device-to-host copy).
Each function documents what it returns for bad values (NaN, an index one past the end).

Value checks live in two places:

* config validation and the CLI, where values are plain Python numbers
  (`check_positive_int`, `check_choice` and the builders' field checks), and
* opt-in `jax.experimental.checkify`: pure functions state their value preconditions
  with `value_check`, which is a no-op in an ordinary call (eager, jitted or vmapped)
  and becomes a real check under `checked`. `checked(fn)` raises the same ValueError
  whether `fn` runs eagerly or is itself jitted.

One message format for every bad choice and bad number:
`NAME: expected ..., got ...`, NAME being the argument or the config field.
Integers are accepted through `operator.index` (int and NumPy integers pass; bool and
float do not), in one place: `check_int`.
"""

import functools
import operator
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental import checkify

# What `checked` looks for by default: failed `value_check`s and out-of-bounds indexing.
DEFAULT_CHECKS = checkify.user_checks | checkify.index_checks
# ... plus every operation whose output holds a NaN and every division by zero. checkify reports
# the FIRST failure, and a NaN input already fails at the first operation that passes it on,
# before the `value_check` that would name the argument: hence not the default.
ALL_CHECKS = DEFAULT_CHECKS | checkify.float_checks

_CHECK_SUFFIX = " (`check` failed)"  # what checkify appends to a user check's message
_INTEGER_KINDS = {0: "a non-negative integer", 1: "a positive integer"}


def check_int(value, field: str, minimum: int | None = None) -> int:
  """`value` as an int; ValueError naming `field` unless it is an integer >= `minimum`.

  Integers are recognised by `operator.index` (int, np.int64, ...), except bool.

  Args:
    value: the candidate integer.
    field: argument or config-field name used in the message.
    minimum: smallest allowed value, or None for no bound.

  Returns:
    `operator.index(value)`, a Python int.

  Example:
    >>> from gen_jax import checks
    >>> import numpy as np
    >>> checks.check_int(np.int64(3), "num_samples", minimum=1)
    3
    >>> checks.check_int(1, "num_points", minimum=2)
    Traceback (most recent call last):
      ...
    ValueError: num_points: expected an integer >= 2, got 1
  """
  kind = _INTEGER_KINDS.get(minimum, "an integer" if minimum is None else f"an integer >= {minimum}")
  try:
    if isinstance(value, (bool, np.bool_)):
      raise TypeError
    number = operator.index(value)
  except TypeError:
    raise ValueError(f"{field}: expected {kind}, got {value!r}") from None
  if minimum is not None and number < minimum:
    raise ValueError(f"{field}: expected {kind}, got {value!r}")
  return number


def check_positive_int(value, field: str) -> int:
  """`value` as an int; ValueError naming `field` unless it is an integer >= 1 (see `check_int`).

  Example:
    >>> from gen_jax import checks
    >>> checks.check_positive_int(0, "train.num_steps")
    Traceback (most recent call last):
      ...
    ValueError: train.num_steps: expected a positive integer, got 0
  """
  return check_int(value, field, minimum=1)


def check_non_negative_int(value, field: str) -> int:
  """`value` as an int; ValueError naming `field` unless it is an integer >= 0 (see `check_int`).

  Example:
    >>> from gen_jax import checks
    >>> checks.check_non_negative_int(0, "seed")
    0
  """
  return check_int(value, field, minimum=0)


def check_choice(value, choices, field: str):
  """`value`; ValueError naming `field` unless `value` is one of `choices` (a static choice).

  Args:
    value: the candidate, e.g. a loss name.
    choices: the allowed values (any container; a dict's keys).
    field: argument or config-field name used in the message.

  Returns:
    `value` unchanged.

  Example:
    >>> from gen_jax import checks
    >>> checks.check_choice("hinge", ("hinge", "wasserstein"), "kind")
    'hinge'
    >>> checks.check_choice("vanilla", ("hinge", "wasserstein"), "kind")
    Traceback (most recent call last):
      ...
    ValueError: kind: expected one of ['hinge', 'wasserstein'], got 'vanilla'
  """
  if value not in choices:
    raise ValueError(f"{field}: expected one of {list(choices)}, got {value!r}")
  return value


def value_check(predicate, message: str, *values) -> None:
  """A precondition on array VALUES that costs nothing unless the caller asks for it with `checked`.

  Wraps `checkify.debug_check`: in an ordinary call (eager, jit, vmap, grad) it is dropped;
  under `checked` (i.e. `checkify.checkify`) a False `predicate` becomes a ValueError with
  `message`, whose `{}` fields are filled with `values` (traced values allowed).

  Args:
    predicate: boolean scalar array (or Python bool): True when the values are valid.
    message: `NAME: expected ..., got ...`, with `{}` for each of `values`.
    *values: arrays formatted into the message.

  Example:
    >>> import jax.numpy as jnp
    >>> from gen_jax import checks
    >>> def safe_log(x):
    ...   checks.value_check(jnp.all(x > 0), "x: expected positive values, got minimum {}", jnp.min(x))
    ...   return jnp.log(x)
    >>> print(safe_log(jnp.array([-1.0])))  # unchecked: NaN, as under jit
    [nan]
    >>> checks.checked(safe_log)(jnp.array([-1.0]))
    Traceback (most recent call last):
      ...
    ValueError: x: expected positive values, got minimum -1.0
  """
  checkify.debug_check(predicate, message, *(jnp.asarray(v) for v in values))


def _is_traced_leaf(leaf) -> bool:
  return isinstance(leaf, (jax.Array, np.ndarray))


def checked(fn: Callable, errors=DEFAULT_CHECKS) -> Callable:
  """`fn` with its `value_check`s (and NaN / division / index checks) turned into ValueErrors.

  The returned function runs `fn` under `checkify.checkify(fn, errors=errors)` and raises
  `ValueError(message)` for the first failed check, else returns `fn`'s result. The
  message is the same whether `fn` is a plain Python function or a `jax.jit` of one.
  Array arguments (jax or NumPy arrays) are traced; every other argument (Python numbers,
  strings, callables, None) is passed through unchanged, so static arguments such as
  `num_samples` or a loss `kind` keep working.

  Args:
    fn: any function built from jax operations (pure gen_jax functions included).
    errors: the checkify error set: `DEFAULT_CHECKS` (value checks and index checks), or
      `ALL_CHECKS` to also fail at the first operation that outputs a NaN or divides by zero.

  Returns:
    A function with `fn`'s signature and result.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> from gen_jax import checks, sampling
    >>> key, bad = jax.random.PRNGKey(0), jnp.array([0.5, -0.5])
    >>> int(sampling.sample_discrete(key, bad))  # unchecked: K, one past the last category
    2
    >>> checks.checked(sampling.sample_discrete)(key, bad)
    Traceback (most recent call last):
      ...
    ValueError: probs: expected non-negative weights, got minimum -0.5
  """

  @functools.wraps(fn)
  def wrapper(*args, **kwargs):
    leaves, tree = jax.tree.flatten((args, kwargs))
    traced = [i for i, leaf in enumerate(leaves) if _is_traced_leaf(leaf)]

    def on_arrays(*arrays):
      filled = list(leaves)
      for i, array in zip(traced, arrays):
        filled[i] = array
      call_args, call_kwargs = jax.tree.unflatten(tree, filled)
      return fn(*call_args, **call_kwargs)

    error, result = checkify.checkify(on_arrays, errors=errors)(*(leaves[i] for i in traced))
    message = error.get()
    if message is not None:
      raise ValueError(message.removesuffix(_CHECK_SUFFIX))
    return result

  return wrapper
