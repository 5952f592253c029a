"""Figure 9, its table and verdicts: pooling variants against training-set size."""
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import NullFormatter

from mnist1d_repro.claims import load_claims
from mnist1d_repro.io import load_json, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.plotting import save_figure
from mnist1d_repro.pooling import gap_values, pooling_gaps
from mnist1d_repro.reporting import (claims_table, sensitivity_table, verdict_sentence, write_caption_snippet,
                                     write_html_table)

SWITCH = "pooling.train_sets"
REFERENCE = {  # final test accuracy the reference notebook printed (one run, torch seed 0)
    1000: {"none": 59.2, "stride": 57.4, "max": 78.2, "avg": 78.0, "l2": 77.2},
    50000: {"none": 96.3, "stride": 95.4, "max": 98.1, "avg": 97.3, "l2": 97.1},
}


def runs_table(metrics):
    return pd.DataFrame([{k: v for k, v in m.items() if k != "curve"} for m in metrics])


log = start_job(snakemake)
default, *alternatives = snakemake.params.train_sets  # the configured setting first
metrics = [load_json(p) for p in snakemake.input.runs]
runs = runs_table(metrics)
save_csv(snakemake.output.csv, runs)
final = runs.groupby(["pooling", "train_size"], sort=False)["test_acc"].agg(["mean", "std", "count"]).reset_index()
mean = final.pivot(index="train_size", columns="pooling", values="mean").sort_index()
poolings = list(dict.fromkeys(runs["pooling"]))
smallest, largest = mean.index.min(), mean.index.max()

claim_defs = load_claims(snakemake.params.claims, "pooling")
measured, spread = gap_values(pooling_gaps(runs))
seeds = {name: runs["seed"].nunique() for name in measured}  # each gap is a mean over seeds
claims = claims_table(claim_defs, measured, digits=2, spread=spread, n=seeds)
save_csv(snakemake.output.claims, claims)
write_caption_snippet(snakemake.output.snippet, [
    f"Measured at {smallest} and {largest} training samples: pooled minus no pooling "
    f"{measured['pooling_helps_small_data']:+.1f} and {measured['pooling_no_help_large_data']:+.1f} points; "
    f"striding minus no pooling at {smallest}: {measured['striding_does_not_help']:+.1f} points.",
    *[f"{row['claim']} — {verdict_sentence(row)}" for _, row in claims.iterrows()],
])

# --- deviation sensitivity: how the training set of each size is made ------------------------------
values, spreads = {default: measured}, {default: spread}
if alternatives:
    alternative_runs = runs_table(load_json(p) for p in snakemake.input.sensitivity)
    for setting in alternatives:
        values[setting], spreads[setting] = gap_values(
            pooling_gaps(alternative_runs[alternative_runs["train_sets"] == setting]))
        log(f"{SWITCH} = {setting}: {values[setting]}")
save_csv(snakemake.output.sensitivity,
         sensitivity_table(claim_defs, SWITCH, default, values, spread=spreads, digits=2,
                           n={setting: seeds for setting in values}))

table = pd.DataFrame({"training samples": mean.index})
for pooling in poolings:
    sub = final[final["pooling"] == pooling].set_index("train_size")
    table[pooling] = [f"{sub.loc[n, 'mean']:.1f} ± {sub.loc[n, 'std']:.1f}" if sub.loc[n, "count"] > 1
                      else f"{sub.loc[n, 'mean']:.1f}" for n in mean.index]
    table[f"{pooling} (reference)"] = [REFERENCE.get(n, {}).get(pooling, "") for n in mean.index]
write_html_table(table, snakemake.output.table, "Final test accuracy (%) by pooling and training size",
                 note=f"Mean ± std over {runs['seed'].nunique()} seed(s). "
                      + (f"Each size has its own generated dataset with {runs['test_size'].iloc[0]} test samples, as "
                         "the reference (pooling.train_sets per_size). " if default == "per_size" else
                         f"Each size is the first n training samples of one dataset, all tested on the same "
                         f"{runs['test_size'].iloc[0]} test samples (pooling.train_sets nested). ")
                      + "Reference: the values the reference notebook printed for one run.")

# --- Figure 9 -------------------------------------------------------------------------------------
colors = dict(zip(["none", "stride", "max", "avg", "l2"], plt.get_cmap("tab10").colors))
curve_sizes = [n for n in snakemake.params.curve_sizes if n in mean.index]
fig, axes = plt.subplots(1, len(curve_sizes) + 1, figsize=(4.2 * (len(curve_sizes) + 1), 3.8),
                         layout="constrained")
curves = pd.DataFrame([{"pooling": m["pooling"], "train_size": m["train_size"], "seed": m["seed"], **point}
                       for m in metrics for point in m["curve"]])
for ax, size in zip(axes, curve_sizes):
    for pooling in poolings:
        sub = curves[(curves["pooling"] == pooling) & (curves["train_size"] == size)]
        stats = sub.groupby("step")["test_acc"].mean()
        ax.plot(stats.index, stats.values, color=colors[pooling], label=pooling)
    ax.set_title(f"{size} training samples")
    ax.set_xlabel("training step")
    ax.set_ylabel("test accuracy (%)")
    ax.grid(alpha=0.3)
axes[0].legend(fontsize=8)
ax = axes[-1]
for pooling in poolings:
    sub = final[final["pooling"] == pooling].sort_values("train_size")
    ax.errorbar(sub["train_size"], sub["mean"], yerr=sub["std"].fillna(0), color=colors[pooling],
                marker="o", ms=3, capsize=2, label=pooling)
ax.set_xscale("log")
ax.set_xticks(list(mean.index), [f"{n:,}" for n in mean.index], rotation=45)
ax.xaxis.set_minor_formatter(NullFormatter())
ax.set_xlabel("training samples")
ax.set_ylabel("final test accuracy (%)")
ax.set_title("final test accuracy")
ax.grid(alpha=0.3)
fig.suptitle("Figure 9: pooling versus training-set size")
save_figure(fig, snakemake.output.figure)
log("done")
