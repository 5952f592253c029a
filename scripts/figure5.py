"""Figure 5, the label-noise and loss ablations, and the double-descent verdicts."""
import matplotlib.pyplot as plt
from matplotlib.ticker import NullFormatter, ScalarFormatter
import pandas as pd

from mnist1d_repro.claims import load_claims
from mnist1d_repro.double_descent import (NUM_CLASSES, claim_errors, claim_values, moved_claim_values,
                                          position_errors, series_curves, series_summary)
from mnist1d_repro.io import load_json, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.plotting import save_figure
from mnist1d_repro.reporting import (claims_table, sensitivity_table, verdict_sentence, write_caption_snippet,
                                     write_html_table)

SWITCH = "double_descent.mlp_hidden_layers"


def load_runs(paths):
    return pd.DataFrame([{k: v for k, v in load_json(p).items() if k != "curve"} for p in paths])


log = start_job(snakemake)
settings = snakemake.params.settings
tolerance = settings["interpolation_train_error"]
runs = load_runs(snakemake.input.runs)
save_csv(snakemake.output.csv, runs)
n_train = int(runs["train_samples"].iloc[0])

# --- one row per series: mean over seeds at each width, threshold and peak ----------------------
curves = series_curves(runs)
summary = series_summary(curves, settings["series"], tolerance, snakemake.params.test_samples)
save_csv(snakemake.output.summary, summary)
log(summary.to_string())

# --- verdicts ---------------------------------------------------------------------------------
claim_defs = load_claims(snakemake.params.claims, "double_descent")
measured = claim_values(summary, settings, n_train)


def errors_of(curves_of_setting, summary_of_setting) -> dict:
    """Every double-descent claim's standard error: a peak's height and fall from its widths'
    errors, a peak's position by redrawing the curves."""
    bootstrap = settings["peak_position_bootstrap"]
    return {**claim_errors(summary_of_setting, settings),
            **position_errors(curves_of_setting, summary_of_setting, settings, n_train, snakemake.params.test_samples,
                              bootstrap["replicates"], bootstrap["seed"])}


seeds = int(summary["seeds"].min())  # over several seeds the errors are their spread: name them
claims = claims_table(claim_defs, measured, digits=2, se=errors_of(curves, summary),
                      n={name: seeds for name in claim_defs} if seeds > 1 else None)
save_csv(snakemake.output.claims, claims)
write_caption_snippet(snakemake.output.snippet,
                      [f"{row['claim']} — {verdict_sentence(row)}" for _, row in claims.iterrows()])

# --- deviation sensitivity: the MLP's depth; the claims read from Figure 5's MLP series, under
# every setting that ran (the default's numbers are the ones above) ----------------------------------
default, *alternatives = snakemake.params.mlp_hidden_layers
by_setting = {default: moved_claim_values(summary, settings, n_train)}
errors_by_setting = {default: errors_of(curves, summary)}
if alternatives:
    alternative_runs = load_runs(snakemake.input.sensitivity)
    for setting in alternatives:
        ran = alternative_runs[alternative_runs["mlp_hidden_layers"] == setting]
        alternative_curves = series_curves(ran)
        alternative_summary = series_summary(alternative_curves, settings["series"], tolerance,
                                             snakemake.params.test_samples)
        log(f"{SWITCH} = {setting}:\n{alternative_summary.to_string()}")
        by_setting[setting] = moved_claim_values(alternative_summary, settings, n_train)
        errors_by_setting[setting] = errors_of(alternative_curves, alternative_summary)
save_csv(snakemake.output.sensitivity, sensitivity_table(claim_defs, SWITCH, default, by_setting, digits=2,
                                                      se=errors_by_setting))

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
