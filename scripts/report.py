"""Compare trained runs in one report: `python scripts/report.py DIR [DIR ...] [--out=report.html] [--png]`.

Writes a self-contained HTML page (images embedded), its Markdown twin (OUT with .md, images in
OUT's stem + '_files/'), and with --png a screenshot of the page by headless Chromium
(OUT with .png). Prints the paths written.
"""


from absl import flags

from gen_jax import cli

flags.DEFINE_string("out", "report.html", "Path of the HTML report (must end in .html).")
flags.DEFINE_bool("png", False, "Also render the page to OUT.png with headless Chromium.")


def main(argv):
  if len(argv) < 2:
    cli.fail("expected one or more run directories: scripts/report.py DIR [DIR ...]")
  from gen_jax.eval import report  # pylint: disable=import-outside-toplevel

  paths = list(report.write_report(argv[1:], flags.FLAGS.out))
  if flags.FLAGS.png:
    paths.append(report.render_png(paths[0], flags.FLAGS.out[:-len(".html")] + ".png"))
  print("\n".join(paths))


if __name__ == "__main__":
  cli.run(main)
