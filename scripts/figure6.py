"""Figure 6, its table and verdicts: the metalearned learning rate from each starting point, from
the reference's initial weights and from each draw of them (the ablation). The verdicts use the
configured initial_weights; the sensitivity table has them under both."""
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator
import numpy as np
import pandas as pd

from mnist1d_repro.claims import load_claims
from mnist1d_repro.io import save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.plotting import mark_paper, ordered_colors, save_figure
from mnist1d_repro.reporting import (claims_table, sensitivity_table, verdict_sentence, write_caption_snippet,
                                     write_html_table)
from mnist1d_repro.sections.metalearning_lr import (claim_values, initial_weight_kinds, run_finals, start_table,
                                                    widest_gap)

PAPER_CLAIMS = ("lr_from_low", "lr_from_high")  # the claims whose paper value is the optimum Figure 6 shows


def describe(row) -> str:
    start = f"from {row['initial learning rate']:g}"
    if row["diverged"] == row["runs"]:
        return f"{start}: diverged"
    text = f"{start}: {row['final learning rate (mean)']:.3f}"
    if row["runs"] > 1:
        text += (f" ± {row['final learning rate (std)']:.3f} ({row['final learning rate (min)']:.3f}-"
                 f"{row['final learning rate (max)']:.3f})")
    return text + (f", {row['diverged']} diverged" if row["diverged"] else "")


def widest_gap_text(gap: dict | None) -> list[str]:
    """Where the paper's starts end furthest apart over the draws, and whether they were still moving."""
    if gap is None:
        return []
    moves = [f"from {lr:g} {final:.4f} (last outer step moved it by {move:+.5f})"
             for lr, (final, move) in gap["ends"].items()]
    return [f"Over the draws, the paper's starts end furthest apart for draw {gap['draw']}: " + ", ".join(moves)
            + f"; gap {gap['gaps'].max():.4f} (per draw: " + ", ".join(f"{g:.4f}" for g in gap["gaps"]) + ")."]


def paper_text(optima: list[float]) -> str:
    return " and ".join(f"{value:g}" for value in optima)


def caption(table, finals, claims, gap, configured: str, optima: list[float]) -> list[str]:
    seed_of_reference = int(finals.loc[finals["initial_weights"] == "reference", "init_seed"].iloc[0])
    draws = finals.loc[finals["initial_weights"] == "draws", "init_seed"].nunique()
    reference_rows = table[table["initial weights"] == "reference"]
    draw_rows = table[table["initial weights"] == "draws"]
    return [
        f"From the reference's initial weights (torch seed {seed_of_reference}, nn.Linear's initialisation): "
        + "; ".join(describe(row) for _, row in reference_rows.iterrows())
        + f". The paper: {paper_text(optima)} from both 0.15 and 1.5 (the reference printed 0.620).",
        f"Ablation, {draws} other draws of the initial weights (mean ± std and range): "
        + "; ".join(describe(row) for _, row in draw_rows.iterrows()) + ".",
        *widest_gap_text(gap),
        f"The verdicts use the {configured} initial weights (metalearning.learning_rate.initial_weights); "
        "learning_rate_sensitivity.csv has them under both settings.",
        *[f"{row['claim']} — {verdict_sentence(row)}" for _, row in claims.iterrows()],
    ]


def draw_figure(runs, finals, table, paper_starts, configured: str, path, optima: list[float]) -> None:
    """``optima``: the learning rates the paper prints (claims.yaml), drawn on the learning-rate panels."""
    fig, (ax_lr, ax_loss, ax_draws) = plt.subplots(1, 3, figsize=(15, 3.9), layout="constrained")
    starts = sorted(runs["initial_lr"].unique())
    colors = ordered_colors(len(starts))
    all_diverged = set(table.loc[(table["initial weights"] == "reference") & (table["diverged"] == table["runs"]),
                                 "initial learning rate"])
    settled = finals[~finals["diverged"]]  # the runs whose learning rate stayed finite
    diverged_draws = finals[finals["initial_weights"] == "draws"].groupby("initial_lr")["diverged"].any()
    for i, initial_lr in enumerate(starts):
        paper = initial_lr in paper_starts
        color = colors[i]
        label = f"start {initial_lr:g}" + (" (diverged)" if initial_lr in all_diverged else "")
        from_start = runs[runs["initial_lr"] == initial_lr]
        reference = from_start[from_start["initial_weights"] == "reference"]
        by_step = from_start[from_start["initial_weights"] == "draws"].groupby("outer_step")
        for ax, column in ((ax_lr, "lr"), (ax_loss, "meta_loss")):
            ax.plot(reference["outer_step"], reference[column], "-" if paper else "--", color=color, label=label)
            stats = by_step[column].agg(["min", "max"])
            if not diverged_draws.get(initial_lr, False):  # a diverged draw's range would fill the panel
                ax.fill_between(stats.index, stats["min"], stats["max"], color=color, alpha=0.12, lw=0)
        mine = settled[settled["initial_lr"] == initial_lr]
        shift = 0.06 * (i - (len(starts) - 1) / 2)
        is_draw = mine["initial_weights"] == "draws"
        ax_draws.plot(np.where(is_draw, mine["init_seed"] + 1, 0) + shift, mine["final"], "o" if paper else "x",
                      color=color, label=label)
    # Diverged runs leave the chart rather than squash the others.
    ax_lr.set_ylim(0, 1.1 * runs["initial_lr"].max())
    if len(settled):
        ax_draws.set_ylim(0.9 * min(settled["final"].min(), *optima), 1.1 * max(settled["final"].max(), *optima))
        settled_steps = runs.merge(settled[["initial_weights", "initial_lr", "init_seed"]])
        ax_loss.set_ylim(0.95 * settled_steps["meta_loss"].min(), 1.05 * settled_steps["meta_loss"].max())
    for value in optima:
        mark_paper(ax_lr, value)
    # the starts' colours are in the first panel's legend
    ax_draws.legend(handles=[mark_paper(ax_draws, value) for value in optima], fontsize=8)
    for ax in (ax_lr, ax_loss):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_lr.set_xlabel("outer step")
    ax_lr.set_ylabel("learning rate")
    ax_lr.set_title("learning rate (lines: reference weights; band: draws)")
    ax_lr.legend(fontsize=8)
    ax_loss.set_xlabel("outer step")
    ax_loss.set_ylabel("meta-loss (mean inner training loss)")
    ax_loss.set_title("meta-loss")
    seeds = sorted(finals.loc[finals["initial_weights"] == "draws", "init_seed"].unique())
    ax_draws.set_xticks([0] + [s + 1 for s in seeds], ["reference"] + [f"draw {s}" for s in seeds], fontsize=8)
    ax_draws.set_xlabel("initial weights")
    ax_draws.set_ylabel("final learning rate")
    ax_draws.set_title("final learning rate per initial weights (not diverged)")
    for ax in (ax_lr, ax_loss, ax_draws):
        ax.grid(alpha=0.3)
    fig.suptitle("Figure 6: metalearning the learning rate of SGD (solid/dots: the paper's starts, dashed/crosses: "
                 f"ablation; verdicts: {configured} initial weights)")
    save_figure(fig, path, scale=snakemake.config["scale"])


log = start_job(snakemake)
params = snakemake.params
runs = pd.concat([pd.read_csv(path) for path in snakemake.input], ignore_index=True)
paper_starts = [float(lr) for lr in params.paper_lrs]
configured = params.initial_weights

finals = run_finals(runs)
kinds = initial_weight_kinds(finals, configured)
table = start_table(finals, kinds, paper_starts)
save_csv(snakemake.output.csv, table)

claim_specs = load_claims(params.claims, "metalearning_lr")
optima = sorted({claim_specs[claim]["paper"] for claim in PAPER_CLAIMS})
values = {kind: claim_values(finals, kind, paper_starts) for kind in kinds}
# the band around 0.62 is a multiple of how far the optimum moves between draws of the initial
# weights (the draws' spread), whichever initial weights the verdicts read
band_spread = values["draws"].spread if "draws" in values else {}
claims = claims_table(claim_specs, digits=3, tolerance_spread=band_spread, **values[configured].table_arguments())
save_csv(snakemake.output.claims, claims)
save_csv(snakemake.output.sensitivity, sensitivity_table(
    claim_specs, params.switch, configured, digits=3, tolerance_spread=band_spread,
    measured={kind: values[kind].measured for kind in kinds}, spread={kind: values[kind].spread for kind in kinds},
    n={kind: values[kind].n for kind in kinds}))

write_caption_snippet(snakemake.output.snippet,
                      caption(table, finals, claims, widest_gap(runs, finals, paper_starts), configured, optima))
write_html_table(table, snakemake.output.table, "Metalearned learning rate from each starting point",
                 note="One job per initial learning rate (the paper's starting points and the ablation's); each "
                      "runs the metalearning from the reference's initial weights (one run) and from every draw "
                      "of them in init_seeds (the ablation). Mean, std and range over the runs that did not "
                      f"diverge. The paper reports {paper_text(optima)} from both 0.15 and 1.5. The verdicts use the "
                      f"{configured} initial weights.")
draw_figure(runs, finals, table, paper_starts, configured, snakemake.output.figure, optima)
log("done")
