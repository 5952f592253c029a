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

# One row per metalearning run: a starting learning rate and a draw of the initial weights.
finals = []
for (initial_lr, init_seed), run in runs.groupby(["initial_lr", "init_seed"]):
    run = run.sort_values("outer_step")
    final = run["lr"].iloc[-1]
    settled = run.loc[(run["lr"] - final).abs() <= 0.01 * abs(final), "outer_step"]
    # A start so high that the inner run blows up sends the meta-gradient, and the learning rate, off.
    diverged = not np.isfinite(run["meta_loss"]).all() or run["meta_loss"].iloc[-1] > run["meta_loss"].iloc[0]
    finals.append({"initial_lr": initial_lr, "init_seed": init_seed, "final": final, "diverged": diverged,
                   "settled": int(settled.min()), "first_loss": run["meta_loss"].iloc[0],
                   "final_loss": run["meta_loss"].iloc[-1], "outer_steps": int(run["outer_step"].max())})
finals = pd.DataFrame(finals)
rows = []
for initial_lr, group in finals.groupby("initial_lr"):
    converged = group[~group["diverged"]]
    rows.append({"initial learning rate": initial_lr, "start": "paper" if initial_lr in paper_starts else "ablation",
                 "initial-weight draws": len(group), "diverged": int(group["diverged"].sum()),
                 "final learning rate (mean)": converged["final"].mean(),
                 "final learning rate (std)": converged["final"].std() if len(converged) > 1 else np.nan,
                 "final learning rate (min)": converged["final"].min(),
                 "final learning rate (max)": converged["final"].max(),
                 "outer steps": int(group["outer_steps"].max()),
                 "first step within 1 % of final (latest)": int(converged["settled"].max()) if len(converged) else np.nan,
                 "first meta-loss (mean)": group["first_loss"].mean(),
                 "final meta-loss (mean)": converged["final_loss"].mean()})
table = pd.DataFrame(rows)
save_csv(snakemake.output.csv, table)

# Every claim counts all draws of the paper's starting points, diverged or not: a diverged run
# is a failure to converge, not a run to leave out.
paper_finals = finals[finals["initial_lr"].isin(paper_starts)].pivot(
    index="init_seed", columns="initial_lr", values="final")
low, high = min(paper_starts), max(paper_starts)
two_starts = len(paper_starts) > 1
# Paired by draw: both starts descend the meta-loss of the same initial weights.
gaps = paper_finals.max(axis=1) - paper_finals.min(axis=1)
measured = {
    "lr_from_low": float(paper_finals[low].mean()),
    "lr_from_high": float(paper_finals[high].mean()) if two_starts else None,
    "lr_runs_agree": float(gaps.max()) if two_starts else None,
}
spread = {"lr_from_low": paper_finals[low].std(), "lr_from_high": paper_finals[high].std() if two_starts else None}
claims = claims_table(load_claims(snakemake.params.claims, "metalearning_lr"), measured, digits=3, spread=spread)
save_csv(snakemake.output.claims, claims)


def describe(row) -> str:
    if row["diverged"] == row["initial-weight draws"]:
        return f"from {row['initial learning rate']:g}: diverged"
    text = f"from {row['initial learning rate']:g}: {row['final learning rate (mean)']:.3f}"
    if row["initial-weight draws"] > 1:
        text += (f" ± {row['final learning rate (std)']:.3f} ({row['final learning rate (min)']:.3f}-"
                 f"{row['final learning rate (max)']:.3f})")
    return text + (f", {row['diverged']} diverged" if row["diverged"] else "")


def widest_gap() -> list[str]:
    """Where the paper's starts end furthest apart, and whether they were still moving there."""
    if not two_starts:
        return []
    draw = gaps.idxmax()
    moves = []
    for lr in (low, high):
        run = runs[(runs["initial_lr"] == lr) & (runs["init_seed"] == draw)].sort_values("outer_step")
        moves.append(f"from {lr:g} {run['lr'].iloc[-1]:.4f} (last outer step moved it by "
                     f"{run['lr'].iloc[-1] - run['lr'].iloc[-2]:+.5f})")
    return [f"The paper's starts end furthest apart for initial-weight draw {draw}: " + ", ".join(moves)
            + f"; gap {gaps.max():.4f} (per draw: " + ", ".join(f"{g:.4f}" for g in gaps) + ")."]


draws = finals["init_seed"].nunique()
write_caption_snippet(snakemake.output.snippet, [
    f"Final learning rates (mean ± std and range over {draws} draws of the initial weights): "
    + "; ".join(describe(row) for _, row in table.iterrows())
    + f". The paper: {PAPER_OPTIMUM} from both 0.15 and 1.5, from one draw.",
    *widest_gap(),
    *[f"{row['claim']} — {verdict_sentence(row)}" for _, row in claims.iterrows()],
])
write_html_table(table, snakemake.output.table, "Metalearned learning rate from each starting point",
                 note="One job per initial learning rate (the paper's starting points and the ablation's); each "
                      "repeats the metalearning for every draw of the inner MLP's initial weights (init_seeds). "
                      "Mean, std and range over the draws that did not diverge. "
                      f"The paper reports {PAPER_OPTIMUM} from both 0.15 and 1.5.")

fig, (ax_lr, ax_loss, ax_draws) = plt.subplots(1, 3, figsize=(15, 3.9), layout="constrained")
colors = plt.get_cmap("viridis")
starts = sorted(runs["initial_lr"].unique())
all_diverged = set(table.loc[table["diverged"] == table["initial-weight draws"], "initial learning rate"])
settled = finals[~finals["diverged"]]  # the runs whose learning rate stayed finite
for i, initial_lr in enumerate(starts):
    style = "-" if initial_lr in paper_starts else "--"
    color = colors(i / max(1, len(starts) - 1))
    label = f"start {initial_lr:g}" + (" (diverged)" if initial_lr in all_diverged else "")
    by_step = runs[runs["initial_lr"] == initial_lr].groupby("outer_step")
    for ax, column in ((ax_lr, "lr"), (ax_loss, "meta_loss")):
        stats = by_step[column].agg(["mean", "min", "max"])
        ax.plot(stats.index, stats["mean"], style, color=color, label=label)
        if initial_lr not in all_diverged:  # a diverged run's range would fill the panel
            ax.fill_between(stats.index, stats["min"], stats["max"], color=color, alpha=0.15, lw=0)
    mine = settled[settled["initial_lr"] == initial_lr]
    ax_draws.plot(mine["init_seed"] + 0.06 * (i - (len(starts) - 1) / 2), mine["final"], "o" if style == "-" else "x",
                  color=color, label=label)
# Diverged runs leave the chart rather than squash the others.
ax_lr.set_ylim(0, 1.1 * runs["initial_lr"].max())
if len(settled):
    ax_draws.set_ylim(0.9 * min(settled["final"].min(), PAPER_OPTIMUM), 1.1 * max(settled["final"].max(), PAPER_OPTIMUM))
    settled_steps = runs.merge(settled[["initial_lr", "init_seed"]])
    ax_loss.set_ylim(0.95 * settled_steps["meta_loss"].min(), 1.05 * settled_steps["meta_loss"].max())
for ax in (ax_lr, ax_draws):
    ax.axhline(PAPER_OPTIMUM, color="grey", lw=0.8, ls=":", label=f"paper: {PAPER_OPTIMUM}")
ax_lr.set_xlabel("outer step")
ax_lr.set_ylabel("learning rate")
ax_lr.set_title("learning rate (mean and range over draws)")
ax_lr.legend(fontsize=8)
ax_loss.set_xlabel("outer step")
ax_loss.set_ylabel("meta-loss (mean inner training loss)")
ax_loss.set_title("meta-loss")
ax_draws.set_xlabel("draw of the initial weights (init seed)")
ax_draws.set_ylabel("final learning rate")
ax_draws.set_title("final learning rate per draw (not diverged)")
ax_draws.set_xticks(sorted(finals["init_seed"].unique()))
for ax in (ax_lr, ax_loss, ax_draws):
    ax.grid(alpha=0.3)
fig.suptitle("Figure 6: metalearning the learning rate of SGD (solid/dots: the paper's starts, dashed/crosses: ablation)")
save_figure(fig, snakemake.output.figure)
log("done")
