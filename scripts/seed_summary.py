"""Mean and standard error over runs of their saved evaluations: `python scripts/seed_summary.py DIR [DIR ...]`.

Reads each DIR/eval.json (written by scripts/evaluate.py) and prints one JSON object
{"runs": n, "mean": {metric: ...}, "stderr": {metric: ...}} over the numeric metrics every run has
(standard error = sample std / sqrt(n)); e.g. the seeds of one config trained one after another.
"""

import json
import os
import sys

from gen_jax.train.run_evaluation import seed_summary


def main(workdirs: list[str]) -> None:
  if not workdirs:
    sys.exit("usage: python scripts/seed_summary.py DIR [DIR ...] (each holding eval.json)")
  results = []
  for workdir in workdirs:
    path = os.path.join(workdir, "eval.json")
    if not os.path.isfile(path):
      sys.exit(f"{workdir}: no eval.json; run python scripts/evaluate.py --workdir={workdir} first")
    with open(path, encoding="utf-8") as f:
      results.append(json.load(f))
  print(json.dumps({"runs": len(results), **seed_summary(results)}, sort_keys=True))


if __name__ == "__main__":
  main(sys.argv[1:])
