"""Figure 5, the label-noise and loss ablations, and the double-descent verdicts."""
import matplotlib.pyplot as plt
from matplotlib.ticker import NullFormatter, ScalarFormatter
import numpy as np
import pandas as pd

from mnist1d_repro.claims import load_claims
from mnist1d_repro.double_descent import interpolation_threshold, test_error_peak
from mnist1d_repro.io import load_json, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.plotting import save_figure
from mnist1d_repro.reporting import claims_table, verdict_sentence, write_caption_snippet, write_html_table

NUM_CLASSES = 10

log = start_job(snakemake)
settings = snakemake.params.settings
runs = pd.DataFrame([{k: v for k, v in load_json(p).items() if k != "curve"} for p in snakemake.input])
save_csv(snakemake.output.csv, runs)
n_train = int(runs["train_samples"].iloc[0])

# --- one row per series: mean over seeds at each width, threshold and peak ----------------------
curves = (runs.groupby(["series", "width"], sort=False)
          .agg(parameters=("parameters", "first"), train_error=("train_error", "mean"),
               test_error=("test_error", "mean"), test_error_std=("test_error", "std"),
               seeds=("seed", "count")).reset_index())
summary = []
for name, curve in curves.groupby("series", sort=False):
    curve = curve.sort_values("width")
    widths, params = curve["width"].tolist(), dict(zip(curve["width"], curve["parameters"]))
    threshold = interpolation_threshold(widths, curve["train_error"], settings["interpolation_train_error"])
    peak = test_error_peak(widths, curve["test_error"])
    summary.append({
        "series": name, **settings["series"][name], "seeds": int(curve["seeds"].min()),
        "threshold_width": threshold, "threshold_parameters": params.get(threshold),
        "peak_width": peak["width"], "peak_parameters": params.get(peak["width"]),
        "peak_test_error": peak["error"], "peak_height": peak["height"], "fall_after_peak": peak["fall"],
        "widest_test_error": float(curve["test_error"].iloc[-1]),
        "min_test_error": float(curve["test_error"].min()),
    })
summary = pd.DataFrame(summary).set_index("series", drop=False)
save_csv(snakemake.output.summary, summary)
log(summary.to_string())

# --- verdicts ---------------------------------------------------------------------------------
clean_mlp, noisy_mlp, noisy_cnn = settings["figure5"]
losses = {settings["series"][s]["loss"]: s for s in settings["loss_ablation"]}


def value(series, column):
    """A summary number; None when the series was not run, inf when it has no such point
    (no peak, or no interpolating width), which fails any 'within' rule."""
    if series not in summary.index:
        return None
    found = summary.loc[series, column]
    return float("inf") if pd.isna(found) else float(found)


def log2_ratio(a, b):
    if a is None or b is None:
        return None
    return float(np.log2(a / b)) if np.isfinite(a) and np.isfinite(b) else float("inf")


measured = {
    "noisy_mlp_peak_height": value(noisy_mlp, "peak_height"),
    "noisy_mlp_peak_width": value(noisy_mlp, "peak_width"),
    "noisy_mlp_peak_at_threshold": log2_ratio(value(noisy_mlp, "peak_width"), value(noisy_mlp, "threshold_width")),
    "noisy_mlp_falls_after_peak": value(noisy_mlp, "fall_after_peak"),
    "clean_mlp_no_peak": value(clean_mlp, "peak_height"),
    "noisy_cnn_peak_height": value(noisy_cnn, "peak_height"),
    "noisy_cnn_falls_after_peak": value(noisy_cnn, "fall_after_peak"),
    "mse_peak_near_nK": log2_ratio(value(losses.get("mse"), "peak_parameters"), n_train * NUM_CLASSES),
    "cross_entropy_peak_near_n": log2_ratio(value(losses.get("cross_entropy"), "peak_parameters"), n_train),
}
claims = claims_table(load_claims(snakemake.params.claims, "double_descent"), measured, digits=2)
save_csv(snakemake.output.claims, claims)
write_caption_snippet(snakemake.output.snippet,
                      [f"{row['claim']} — {verdict_sentence(row)}" for _, row in claims.iterrows()])
shown = summary.drop(columns=["series"]).reset_index()
write_html_table(shown, snakemake.output.table, "Double descent: interpolation thresholds and test-error peaks",
                 note=f"n = {n_train} training samples, K = {NUM_CLASSES} classes. A width interpolates when its "
                      f"training error is at most {settings['interpolation_train_error']} %. The peak is the largest "
                      "rise of the test error above the best error of any smaller width. Errors in %.")


# --- figures ------------------------------------------------------------------------------------
def draw(ax, name, x="width", label="", color=None, train=True, marks=True):
    """Test error (solid) and training error (dashed) of one series; dotted: its threshold."""
    curve = curves[curves["series"] == name].sort_values("width")
    prefix = f"{label} " if label else ""
    line, = ax.plot(curve[x], curve["test_error"], "-o", ms=3, color=color, label=f"{prefix}test")
    if curve["seeds"].max() > 1:
        ax.fill_between(curve[x], curve["test_error"] - curve["test_error_std"],
                        curve["test_error"] + curve["test_error_std"], color=line.get_color(), alpha=0.15)
    if train:
        ax.plot(curve[x], curve["train_error"], "--", color=line.get_color(), alpha=0.7,
                label=f"{prefix}train")
    row = summary.loc[name]
    column = "threshold_width" if x == "width" else "threshold_parameters"
    if marks and not pd.isna(row[column]):
        ax.axvline(row[column], color=line.get_color(), linestyle=":", alpha=0.8,
                   label=f"{prefix}interpolation threshold")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.grid(alpha=0.3)


titles = ["(a) MLP, no label noise", "(b) MLP, 15 % label noise", "(c) CNN, 15 % label noise"]
fig, axes = plt.subplots(1, 3, figsize=(14, 4), layout="constrained", sharey=True)
for ax, name, title in zip(axes, settings["figure5"], titles):
    if name in summary.index:
        draw(ax, name)
        ax.legend(fontsize=8)
        ax.set_title(f"{title}\n[{name}]", fontsize=10)
        ax.set_xlabel("hidden units per layer" if settings["series"][name]["model"] == "mlp" else "channels")
axes[0].set_ylabel("error (%)")
save_figure(fig, snakemake.output.figure5)

fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
for i, name in enumerate(settings["noise_ablation"]):
    if name in summary.index:
        draw(ax, name, label=settings["series"][name]["variant"], color=plt.get_cmap("viridis")(i / 4),
             train=False, marks=False)
ax.set_xlabel("hidden units per layer")
ax.set_ylabel("test error (%)")
ax.set_title("Test error by training-label noise rate")
ax.legend(fontsize=8)
save_figure(fig, snakemake.output.noise)

fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
for name in settings["loss_ablation"]:
    if name in summary.index:
        draw(ax, name, x="parameters", label=settings["series"][name]["loss"])
for xpos, text in [(n_train, "n"), (n_train * NUM_CLASSES, "n·K")]:
    ax.axvline(xpos, color="black", linewidth=0.8)
    ax.text(xpos, ax.get_ylim()[1], f" {text}", va="top")
ax.set_xlabel("parameters")
ax.set_ylabel("error (%)")
ax.set_title("MLP, 15 % label noise: MSE vs cross-entropy loss")
ax.legend(fontsize=8)
save_figure(fig, snakemake.output.loss)
log("done")
