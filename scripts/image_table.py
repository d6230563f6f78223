"""Sample-quality table of trained image runs: `python scripts/image_table.py DIR [DIR ...]`.

Computes each run's sample-quality metrics as scripts/evaluate.py does (same fixed key, so the
same numbers; reads the run only, without the family's own evaluation or DIR/eval.json),
prints each run's JSON, then one Markdown table: model (the directory's name), steps, fd, kid ± stderr,
precision, recall, and classes covered (unconditional) or label accuracy (conditional).
"""


from gen_jax import cli


def main(argv):
  if len(argv) < 2:
    cli.fail("expected one or more run directories: scripts/image_table.py DIR [DIR ...]")
  from gen_jax.eval.report import image_table  # pylint: disable=import-outside-toplevel

  table = image_table(argv[1:], log=lambda name, results: print(name, results, flush=True))
  print(table)


if __name__ == "__main__":
  cli.run(main)
