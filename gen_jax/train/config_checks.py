"""Config validation, run before anything compiles: one ValueError naming the bad field."""

import ml_collections

from gen_jax.checks import check_choice, check_non_negative_int, check_positive_int

_CHOICES = {
    "train.on_nonfinite": ("stop", "rollback"),
    "train.compute_dtype": ("float32", "bfloat16"),
    "data.scale": ("-1_1", "0_1"),
    "data.binarize": ("none", "static", "dynamic"),
}
_POSITIVE_INTS = ("data.batch_size", "train.num_steps", "train.log_every", "train.checkpoint_every",
                  "train.eval_every", "train.keep_checkpoints", "train.steps_per_jit", "eval.num_samples",
                  "train.heartbeat_timeout_s", "train.initialization_timeout_s", "train.num_seeds")
_NON_NEGATIVE_INTS = ("train.num_devices", "train.max_rollbacks", "data.image_size", "data.num_examples")


def get_field(config: ml_collections.ConfigDict, dotted: str):
  """config['a.b.c'] -> config.a.b.c."""
  value = config
  for part in dotted.split("."):
    value = value[part]
  return value


def _check_image_config_on_points(config: ml_collections.ConfigDict, point_names) -> None:
  """One message for an image-likelihood config (binarized data, Bernoulli decoder) run on 2-D points."""
  likelihood = config.objective.get("likelihood", "")
  if config.data.name in point_names and (config.data.binarize != "none" or likelihood == "bernoulli"):
    raise ValueError(
        f"data.name: expected an image dataset for this image config (data.binarize={config.data.binarize!r}, "
        f"objective.likelihood={likelihood!r}), got the 2-D points {config.data.name!r}; train it on images "
        "(--config.data.name=digits) or start from a 2-D config such as configs/gan_ring8.py")


def validate(config: ml_collections.ConfigDict) -> None:
  """Raise ValueError('<field>: <problem>; expected <what>') for the first invalid shared field.

  Checks sizes, choices, the model name against the registry and the dataset name
  against `gen_jax.data.dataset_names()`. Family-specific fields are checked by
  the family's builder.
  """
  from gen_jax import data  # pylint: disable=import-outside-toplevel
  from gen_jax.train import registry  # pylint: disable=import-outside-toplevel

  check_non_negative_int(config.seed, "seed")
  for field in _POSITIVE_INTS:
    check_positive_int(get_field(config, field), field)
  for field in _NON_NEGATIVE_INTS:
    check_non_negative_int(get_field(config, field), field)
  for field, choices in _CHOICES.items():
    check_choice(get_field(config, field), choices, field)
  if not config.optim.learning_rate > 0:
    raise ValueError(f"optim.learning_rate: expected > 0, got {config.optim.learning_rate!r}")
  if not 0.0 <= config.train.ema_decay < 1.0:
    raise ValueError(f"train.ema_decay: expected in [0, 1), got {config.train.ema_decay!r}")
  _check_image_config_on_points(config, data.toy2d.loaders())
  data.check_dataset_name(config.data.name)
  registry.builder_for(config)  # ValueError naming model.name / model.module


# Fields added to gen_jax after runs were saved without them, and the value that reproduces the behaviour of
# the gen_jax that saved them: a run resumes (unless its config changed) and evaluates under a newer version.
ADDED_FIELD_DEFAULTS = {"train.num_seeds": 1, "model.architecture": "dcgan", "model.embed_dim": 32,
                        "objective.orthogonal": 0.0, "objective.diff_augment": "", "model.dropout": 0.0,
                        "model.init_scheme": "identity", "objective.target_domains": "uniform", "data.attributes": [],
                        "model.category_offset_init": "normal"}


def added_field_defaults(saved: dict) -> dict:
  """ADDED_FIELD_DEFAULTS as a nested dict, restricted to the groups `saved` has (a config of another family
  does not gain fields it never reads)."""
  nested = {}
  for dotted, value in ADDED_FIELD_DEFAULTS.items():
    group, name = dotted.split(".")
    if group in saved:
      nested.setdefault(group, {})[name] = value
  return nested


def model_differences(stored: dict, current: dict, prefixes=("model", "objective", "data.name",
                                                               "data.image_size", "data.scale", "data.attributes",
                                                               "train.num_seeds")) -> list[str]:
  """Dotted fields under `prefixes` whose values differ between two flattened config dicts.

  Values are compared as JSON would store them: a tuple equals the list of its items. The
  seed count is compared too: a checkpoint of N seeds holds a state of another shape.
  """
  def as_json(v):
    return [as_json(x) for x in v] if isinstance(v, (list, tuple)) else v

  def flat(d, prefix=""):
    out = {}
    for k, v in d.items():
      key = f"{prefix}{k}"
      out.update(flat(v, key + ".") if isinstance(v, dict) else {key: as_json(v)})
    return out

  a, b = flat(stored), flat(current)
  keys = sorted(k for k in set(a) | set(b) if any(k == p or k.startswith(p + ".") for p in prefixes))
  return [k for k in keys
          if a.get(k, ADDED_FIELD_DEFAULTS.get(k)) != b.get(k, ADDED_FIELD_DEFAULTS.get(k))]
