"""scripts/evaluate.py: the saved config decides the model; --config supplies evaluation settings and the
fields a run trained by an older gen_jax lacks (gen_jax.train.rundir.load_config)."""

import json

from gen_jax.train.rundir import fill_missing
from test_engine import REPO, run_cli
from test_gan_models import TINY_FLAGS

RING8 = f"--config={REPO}/configs/gan_ring8.py"


def test_fill_missing_adds_absent_keys_recursively_and_keeps_saved_values():
  saved = {"model": {"hidden": [8], "name": "gan"}, "seed": 3}
  defaults = {"model": {"hidden": [400], "act": "maxout"}, "seed": 0, "eval": {"num_samples": 10}}
  assert fill_missing(saved, defaults) == {"model": {"hidden": [8], "name": "gan", "act": "maxout"}, "seed": 3,
                                           "eval": {"num_samples": 10}}
  assert saved == {"model": {"hidden": [8], "name": "gan"}, "seed": 3}  # not modified


def test_evaluate_with_config_overrides_eval_and_fills_fields_of_an_older_run(tmp_path):
  workdir = str(tmp_path / "run")
  assert run_cli(RING8, f"--workdir={workdir}", *TINY_FLAGS).returncode == 0
  result = run_cli(f"--workdir={workdir}", script="evaluate.py")
  assert result.returncode == 0, result.stderr
  assert json.loads(result.stdout.strip().splitlines()[-1])["num_samples"] == 64

  path = tmp_path / "run" / "config.json"  # a run from before model.discriminator_act existed
  saved = json.loads(path.read_text())
  del saved["model"]["discriminator_act"]
  path.write_text(json.dumps(saved))
  result = run_cli(f"--workdir={workdir}", script="evaluate.py")
  lines = result.stderr.strip().splitlines()
  assert result.returncode == 2 and len(lines) == 1 and "lacks a field" in lines[0] and "--config" in lines[0]

  # The tiny saved networks are kept although gan_ring8 has the full-size ones; eval comes from --config.
  result = run_cli(f"--workdir={workdir}", RING8, "--config.eval.num_samples=32", "--config.eval.rejection_steps=5",
                   "--config.eval.rejection_pool=64", "--config.eval.progress=False", script="evaluate.py")
  assert result.returncode == 0, result.stderr
  results = json.loads(result.stdout.strip().splitlines()[-1])
  assert results["num_samples"] == 32 and results["drs/num_samples"] == 32 and results["step"] == 2
  assert json.loads(path.read_text()) == saved  # evaluation never rewrites the run's config
