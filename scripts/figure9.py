"""Figure 9, its table and verdicts: pooling variants against training-set size."""
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import NullFormatter

from mnist1d_repro.claims import load_claims
from mnist1d_repro.io import load_json, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.plotting import save_figure
from mnist1d_repro.reporting import (claims_table, sensitivity_table, verdict_sentence, write_caption_snippet,
                                     write_html_table)
from mnist1d_repro.sections.spec import sensitivity_arguments
from mnist1d_repro.sections.pooling import (TRAIN_SETS, accuracy_table, claim_measurements, final_accuracy,
                                            mean_curves, runs_with_train_sets)


def runs_table(metrics):
    return pd.DataFrame([{k: v for k, v in m.items() if k != "curve"} for m in metrics])


def figure9(final, curves, curve_sizes, path):
    """The mean test-accuracy curve of each pooling at each of ``curve_sizes``, and the final
    accuracy against training size."""
    poolings = list(dict.fromkeys(final["pooling"]))
    sizes = sorted(final["train_size"].unique())
    colors = dict(zip(["none", "stride", "max", "avg", "l2"], plt.get_cmap("tab10").colors))
    curve_sizes = [n for n in curve_sizes if n in sizes]
    fig, axes = plt.subplots(1, len(curve_sizes) + 1, figsize=(4.2 * (len(curve_sizes) + 1), 3.8),
                             layout="constrained", squeeze=False)
    axes = axes[0]
    for ax, size in zip(axes, curve_sizes):
        for pooling in poolings:
            curve = curves[(curves["pooling"] == pooling) & (curves["train_size"] == size)]
            ax.plot(curve["step"], curve["test_acc"], color=colors[pooling], label=pooling)
        ax.set_title(f"{size} training samples")
        ax.set_xlabel("training step")
        ax.set_ylabel("test accuracy (%)")
        ax.grid(alpha=0.3)
    ax = axes[-1]
    for pooling in poolings:
        sub = final[final["pooling"] == pooling].sort_values("train_size")
        ax.errorbar(sub["train_size"], sub["mean"], yerr=sub["std"].fillna(0), color=colors[pooling],
                    marker="o", ms=3, capsize=2, label=pooling)
    ax.set_xscale("log")
    ax.set_xticks(list(sizes), [f"{n:,}" for n in sizes], rotation=45)
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("training samples")
    ax.set_ylabel("final test accuracy (%)")
    ax.set_title("final test accuracy")
    ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)  # the first panel: a curve panel, or the only one
    fig.suptitle("Figure 9: pooling versus training-set size")
    save_figure(fig, path, scale=snakemake.config["scale"])


log = start_job(snakemake)
default, *alternatives = snakemake.params.train_sets  # the configured setting first
metrics = [load_json(p) for p in snakemake.input.runs]
runs = runs_table(metrics)
save_csv(snakemake.output.csv, runs)
final = final_accuracy(runs)
smallest, largest = final["train_size"].min(), final["train_size"].max()

claim_defs = load_claims(snakemake.params.claims, "pooling")
values = claim_measurements(runs)
claims = claims_table(claim_defs, digits=2, **values.table_arguments())
save_csv(snakemake.output.claims, claims)


def points(claim):
    """A measured difference in points, or why there is none (a pooling the config leaves out)."""
    value = values.measured.get(claim)
    return "not run" if value is None else f"{value:+.1f}"


write_caption_snippet(snakemake.output.snippet, [
    f"Measured at {smallest} and {largest} training samples: pooled minus no pooling "
    f"{points('pooling_helps_small_data')} and {points('pooling_no_help_large_data')} "
    f"points; striding minus no pooling at {smallest}: {points('striding_does_not_help')} points.",
    *[f"{row['claim']} — {verdict_sentence(row)}" for _, row in claims.iterrows()],
])

# deviation sensitivity: how the training set of each size is made
by_setting = {default: values}
alternative_runs = runs_table(load_json(p) for p in snakemake.input.sensitivity) if alternatives else None
for setting in alternatives:
    by_setting[setting] = claim_measurements(runs_with_train_sets(alternative_runs, setting))
    log(f"{TRAIN_SETS.key} = {setting}: {by_setting[setting].measured}")
save_csv(snakemake.output.sensitivity, sensitivity_table(claim_defs, TRAIN_SETS.key, default, digits=2,
                                                      **sensitivity_arguments(by_setting)))

test_size = runs["test_size"].iloc[0]
write_html_table(accuracy_table(final), snakemake.output.table, "Final test accuracy (%) by pooling and training size",
                 note=f"Mean ± std over {runs['seed'].nunique()} seed(s). "
                      + (f"Each size has its own generated dataset with {test_size} test samples, as "
                         "the reference (pooling.train_sets per_size). " if default == "per_size" else
                         f"Each size is the first n training samples of one dataset, all tested on the same "
                         f"{test_size} test samples (pooling.train_sets nested). ")
                      + "Reference: the values the reference notebook printed for one run.")
figure9(final, mean_curves(metrics), snakemake.params.curve_sizes, snakemake.output.figure)
log("done")
