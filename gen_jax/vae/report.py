"""The VAE results table: measured held-out metrics of each run beside the IWAE paper's MNIST rows."""

from gen_jax.eval.report import mean_cell

# Burda et al. 2016, Table 1: test NLL (nats, k = 5,000) on MNIST, for reference (784-dim data).
PAPER_ROWS = (
    ("VAE, 1 layer, k = 1 (Burda et al. 2016, MNIST)", 86.76),
    ("IWAE, 1 layer, k = 50 (Burda et al. 2016, MNIST)", 84.78),
    ("IWAE, 2 layers, k = 50 (Burda et al. 2016, MNIST)", 82.90),
)


def _count(value) -> str:
  """A count that may be a mean over seeds: '8' when whole, else one decimal ('10.7')."""
  if value is None:
    return ""
  return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def markdown_table(rows: list[tuple[str, dict]]) -> str:
  """A Markdown table of (config name, evaluation dict) rows, then the paper's reference rows.

  Columns: NLL (k = eval iwae_k), ELBO, E_q log p(x|z), KL, active units, steps; VQ-VAE rows
  show reconstruction and codebook perplexity (no NLL). A result with a 'stderr' dict (a mean over
  seeds) shows 'mean ± standard error' in its number cells.
  """
  lines = ["| config | held-out NLL (nats) | ELBO | E_q log p(x\\|z) | KL | active units | steps | notes |",
           "|---|---|---|---|---|---|---|---|"]
  for name, result in rows:
    notes = ""
    if "perplexity" in result:
      codes = mean_cell(result, "codes_used", 1) if "stderr" in result else _count(result["codes_used"])
      notes = (f"codebook perplexity {mean_cell(result, 'perplexity', 1)}, {codes} codes used, "
               f"MSE {mean_cell(result, 'mse', 4)}")
    elif "iwae_k" in result:
      notes = f"NLL with k = {int(result['iwae_k']):,} importance samples"
    active = mean_cell(result, "active_units", 1) if "stderr" in result else _count(result.get("active_units"))
    lines.append(f"| {name} | {mean_cell(result, 'nll')} | {mean_cell(result, 'elbo')} | "
                 f"{mean_cell(result, 'reconstruction')} | {mean_cell(result, 'kl')} | "
                 f"{active} | {result.get('step', '')} | {notes} |")
  for name, nll in PAPER_ROWS:
    lines.append(f"| {name} | {nll:.2f} |  |  |  |  |  | published, not comparable in size (784-dim MNIST) |")
  return "\n".join(lines)
