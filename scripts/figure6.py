"""Figure 6, its table and verdicts: the metalearned learning rate from each starting point."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from mnist1d_repro.claims import load_claims
from mnist1d_repro.io import save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.plotting import save_figure
from mnist1d_repro.reporting import claims_table, verdict_sentence, write_caption_snippet, write_html_table

PAPER_OPTIMUM = 0.62

log = start_job(snakemake)
runs = pd.concat([pd.read_csv(path) for path in snakemake.input], ignore_index=True)
paper_starts = [float(lr) for lr in snakemake.params.paper_lrs]
rows = []
for initial_lr, run in runs.groupby("initial_lr"):
    run = run.sort_values("outer_step")
    final = run["lr"].iloc[-1]
    settled = run.loc[(run["lr"] - final).abs() <= 0.01 * abs(final), "outer_step"]
    # A start so high that the inner run blows up sends the meta-gradient, and the learning rate, off.
    diverged = not np.isfinite(run["meta_loss"]).all() or run["meta_loss"].iloc[-1] > run["meta_loss"].iloc[0]
    rows.append({"initial learning rate": initial_lr, "start": "paper" if initial_lr in paper_starts else "ablation",
                 "final learning rate": final, "diverged": diverged, "outer steps": int(run["outer_step"].max()),
                 "first step within 1 % of final": int(settled.min()),
                 "first meta-loss": run["meta_loss"].iloc[0], "final meta-loss": run["meta_loss"].iloc[-1]})
table = pd.DataFrame(rows)
save_csv(snakemake.output.csv, table)

finals = table.set_index("initial learning rate")["final learning rate"]
paper_finals = finals[[lr for lr in paper_starts if lr in finals.index]]
measured = {
    "lr_from_low": float(paper_finals.loc[min(paper_starts)]),
    "lr_from_high": float(paper_finals.loc[max(paper_starts)]) if len(paper_starts) > 1 else None,
    "lr_runs_agree": float(paper_finals.max() - paper_finals.min()) if len(paper_starts) > 1 else None,
}
claims = claims_table(load_claims(snakemake.params.claims, "metalearning_lr"), measured, digits=3)
save_csv(snakemake.output.claims, claims)
write_caption_snippet(snakemake.output.snippet, [
    "Final learning rates: " + ", ".join(f"from {row['initial learning rate']:g}: "
                                        + ("diverged" if row["diverged"] else f"{row['final learning rate']:.3f}")
                                        for _, row in table.iterrows())
    + f" (the paper: {PAPER_OPTIMUM} from both 0.15 and 1.5).",
    *[f"{row['claim']} — {verdict_sentence(row)}" for _, row in claims.iterrows()],
])
write_html_table(table, snakemake.output.table, "Metalearned learning rate from each starting point",
                 note="One job per initial learning rate; the paper's starting points and the ablation's. "
                      f"The paper reports {PAPER_OPTIMUM} from both 0.15 and 1.5.")

fig, (ax_lr, ax_loss) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
colors = plt.get_cmap("viridis")
diverged = set(table.loc[table["diverged"], "initial learning rate"])
for i, (initial_lr, run) in enumerate(runs.groupby("initial_lr")):
    style = "-" if initial_lr in paper_starts else "--"
    color = colors(i / max(1, runs["initial_lr"].nunique() - 1))
    label = f"start {initial_lr:g}" + (" (diverged)" if initial_lr in diverged else "")
    ax_lr.plot(run["outer_step"], run["lr"], style, color=color, label=label)
    ax_loss.plot(run["outer_step"], run["meta_loss"], style, color=color, label=label)
# Diverged runs leave the chart rather than squash the others.
ax_lr.set_ylim(0, 1.1 * runs["initial_lr"].max())
converged = runs[~runs["initial_lr"].isin(diverged)]
if len(converged):
    ax_loss.set_ylim(0.95 * converged["meta_loss"].min(), 1.05 * converged["meta_loss"].max())
ax_lr.axhline(PAPER_OPTIMUM, color="grey", lw=0.8, ls=":", label=f"paper: {PAPER_OPTIMUM}")
ax_lr.set_xlabel("outer step")
ax_lr.set_ylabel("learning rate")
ax_lr.set_title("learning rate")
ax_lr.legend(fontsize=8)
ax_loss.set_xlabel("outer step")
ax_loss.set_ylabel("meta-loss (mean inner training loss)")
ax_loss.set_title("meta-loss")
for ax in (ax_lr, ax_loss):
    ax.grid(alpha=0.3)
fig.suptitle("Figure 6: metalearning the learning rate of SGD (solid: the paper's starts, dashed: ablation)")
save_figure(fig, snakemake.output.figure)
log("done")
