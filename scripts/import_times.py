"""How long each pure gen_jax module takes to import on top of what it cannot avoid, in fresh processes.

For every module: the median over --repeats fresh interpreters of the wall time of `import MODULE`
measured inside the process after `import jax` (and, for modules that define Flax modules, after
`import flax.linen` too). The first line is flax.linen itself on top of jax, the yardstick for the
Flax modules. Prints one JSON line per module:

  python scripts/import_times.py [--repeats 5]
"""

import argparse
import json
import statistics
import subprocess
import sys

# module -> what it is measured on top of
MODULES = {
    "flax.linen": "jax",
    "gen_jax.checks": "jax",
    "gen_jax.sampling": "jax",
    "gen_jax.probability": "jax",
    "gen_jax.gan.losses": "jax",
    "gen_jax.vae.objectives": "jax",
    "gen_jax.vae.vq": "jax",
    "gen_jax.gan.regularizers": "jax, flax.linen",
    "gen_jax.gan.rejection": "jax, flax.linen",
    "gen_jax.vae.flows": "jax, flax.linen",
    "gen_jax.vae.hierarchical": "jax, flax.linen",
    "gen_jax.vae.latent": "jax, flax.linen",
}


def added_seconds(module: str, baseline: str) -> float:
  """Seconds `import module` takes in a fresh interpreter that has already imported `baseline`."""
  code = (f"import time, {baseline}\nstart = time.perf_counter()\nimport {module}\n"
          "print(time.perf_counter() - start)")
  return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--repeats", type=int, default=5, help="fresh processes per module (median reported)")
  args = parser.parse_args()
  for module, baseline in MODULES.items():
    times = [added_seconds(module, baseline) for _ in range(args.repeats)]
    print(json.dumps({"module": module, "on_top_of": baseline, "median_s": round(statistics.median(times), 4),
                      "min_s": round(min(times), 4), "max_s": round(max(times), 4), "repeats": args.repeats}),
          flush=True)


if __name__ == "__main__":
  main()
