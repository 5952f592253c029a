"""Figure 9, its table and verdicts: pooling variants against training-set size."""
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import NullFormatter

from mnist1d_repro.claims import load_claims
from mnist1d_repro.io import load_json, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.plotting import save_figure
from mnist1d_repro.reporting import claims_table, verdict_sentence, write_caption_snippet, write_html_table

POOLED = ("max", "avg", "l2")
REFERENCE = {  # final test accuracy the reference notebook printed (one run, torch seed 0)
    1000: {"none": 59.2, "stride": 57.4, "max": 78.2, "avg": 78.0, "l2": 77.2},
    50000: {"none": 96.3, "stride": 95.4, "max": 98.1, "avg": 97.3, "l2": 97.1},
}

log = start_job(snakemake)
metrics = [load_json(p) for p in snakemake.input]
runs = pd.DataFrame([{k: v for k, v in m.items() if k != "curve"} for m in metrics])
save_csv(snakemake.output.csv, runs)
final = runs.groupby(["pooling", "train_size"], sort=False)["test_acc"].agg(["mean", "std", "count"]).reset_index()
mean = final.pivot(index="train_size", columns="pooling", values="mean").sort_index()
poolings = list(dict.fromkeys(runs["pooling"]))
smallest, largest = mean.index.min(), mean.index.max()


per_seed = runs.pivot_table(index=["train_size", "seed"], columns="pooling", values="test_acc")


def gap(size, variants):
    """Mean over the given variants minus no pooling, per seed (the same seed's runs paired)."""
    present = [v for v in variants if v in per_seed.columns]
    if not present or "none" not in per_seed.columns:
        return None
    at_size = per_seed.loc[size]
    return at_size[present].mean(axis=1) - at_size["none"]


gaps = {"pooling_helps_small_data": gap(smallest, POOLED), "pooling_no_help_large_data": gap(largest, POOLED),
        "striding_does_not_help": gap(smallest, ["stride"])}
measured = {name: None if g is None else float(g.mean()) for name, g in gaps.items()}
claims = claims_table(load_claims(snakemake.params.claims, "pooling"), measured, digits=2,
                      spread={name: g.std() for name, g in gaps.items() if g is not None and len(g) > 1})
save_csv(snakemake.output.claims, claims)
write_caption_snippet(snakemake.output.snippet, [
    f"Measured at {smallest} and {largest} training samples: pooled minus no pooling "
    f"{measured['pooling_helps_small_data']:+.1f} and {measured['pooling_no_help_large_data']:+.1f} points; "
    f"striding minus no pooling at {smallest}: {measured['striding_does_not_help']:+.1f} points.",
    *[f"{row['claim']} — {verdict_sentence(row)}" for _, row in claims.iterrows()],
])

table = pd.DataFrame({"training samples": mean.index})
for pooling in poolings:
    sub = final[final["pooling"] == pooling].set_index("train_size")
    table[pooling] = [f"{sub.loc[n, 'mean']:.1f} ± {sub.loc[n, 'std']:.1f}" if sub.loc[n, "count"] > 1
                      else f"{sub.loc[n, 'mean']:.1f}" for n in mean.index]
    table[f"{pooling} (reference)"] = [REFERENCE.get(n, {}).get(pooling, "") for n in mean.index]
write_html_table(table, snakemake.output.table, "Final test accuracy (%) by pooling and training size",
                 note=f"Mean ± std over {runs['seed'].nunique()} seed(s); the same 1000 test samples for every "
                      "size. Reference: the values the reference notebook printed for one run.")

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
