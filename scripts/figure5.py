"""Figure 5, the label-noise and loss ablations, and the double-descent verdicts."""
import matplotlib.pyplot as plt
from matplotlib.ticker import NullFormatter, ScalarFormatter
import pandas as pd

from mnist1d_repro.claims import load_claims
from mnist1d_repro.generator import NUM_CLASSES
from mnist1d_repro.io import load_json, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.plotting import mark_paper, ordered_colors, save_figure
from mnist1d_repro.reporting import (claims_table, sensitivity_table, verdict_sentence, write_caption_snippet,
                                     write_html_table)
from mnist1d_repro.sections.double_descent import (ERROR_STORAGE, LABEL_NOISE_DRAW, MLP_HIDDEN_LAYERS,
                                                   claim_measurements, claim_series, rerun_sensitivity,
                                                   error_storage_sensitivity, runs_at_depth, seed_statistics,
                                                   series_tables, STATISTICS, stored_errors, with_series_from)


def load_runs(paths):
    return pd.DataFrame([{k: v for k, v in load_json(p).items() if k != "curve"} for p in paths])


def draw(ax, curves, summary, name, x="width", label="", color=None, train=True, marks=True, tolerance=None):
    """Test error (solid) and training error (dashed) of one series; dotted: its threshold, or where
    no width interpolates (training error above ``tolerance`` %), a legend entry that says so."""
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
    elif marks:
        ax.plot([], [], linestyle=":", color=line.get_color(),
                label=f"{prefix}no threshold: training error > {tolerance:g} % at every width")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.grid(alpha=0.3)


def figure5(curves, summary, settings, path, peak_widths=None):
    """The three series of settings["figure5"]; ``peak_widths``: the width (x) at which the paper
    puts a series' peak, by series."""
    peak_widths = peak_widths or {}
    titles = ["(a) MLP, no label noise", "(b) MLP, 15 % label noise", "(c) CNN, 15 % label noise"]
    fig, axes = plt.subplots(1, 3, figsize=(14, 4), layout="constrained", sharey=True)
    for ax, name, title in zip(axes, settings["figure5"], titles):
        if name in summary.index:
            draw(ax, curves, summary, name, tolerance=settings["interpolation_train_error"])
            if name in peak_widths:
                mark_paper(ax, peak_widths[name], axis="x", label=f"peak at {peak_widths[name]:g} hidden units")
            ax.legend(fontsize=8)
            ax.set_title(f"{title}\n[{name}]", fontsize=10)
            ax.set_xlabel("hidden units per layer" if settings["series"][name]["model"] == "mlp" else "channels")
    axes[0].set_ylabel("error (%)")
    save_figure(fig, path, scale=snakemake.config["scale"])


def noise_ablation(curves, summary, settings, path):
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    colors = ordered_colors(len(settings["noise_ablation"]))
    for color, name in zip(colors, settings["noise_ablation"]):
        if name in summary.index:
            draw(ax, curves, summary, name, label=settings["series"][name]["variant"],
                 color=color, train=False, marks=False)
    ax.set_xlabel("hidden units per layer")
    ax.set_ylabel("test error (%)")
    ax.set_title("Test error by training-label noise rate")
    ax.legend(fontsize=8)
    save_figure(fig, path, scale=snakemake.config["scale"])


def loss_ablation(curves, summary, settings, n_train, path):
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    for name in settings["loss_ablation"]:
        if name in summary.index:
            draw(ax, curves, summary, name, x="parameters", label=settings["series"][name]["loss"],
                 tolerance=settings["interpolation_train_error"])
    for xpos, text in [(n_train, "n"), (n_train * NUM_CLASSES, "n·K")]:
        ax.axvline(xpos, color="black", linewidth=0.8)
        ax.text(xpos, ax.get_ylim()[1], f" {text}", va="top")
    ax.set_xlabel("parameters")
    ax.set_ylabel("error (%)")
    ax.set_title("MLP, 15 % label noise: MSE vs cross-entropy loss")
    ax.legend(fontsize=8)
    save_figure(fig, path, scale=snakemake.config["scale"])


log = start_job(snakemake)
settings = snakemake.params.settings
measured_runs = load_runs(snakemake.input.runs)
save_csv(snakemake.output.csv, measured_runs)
n_train = int(measured_runs["train_samples"].iloc[0])
storage, *other_storages = snakemake.params.error_storages  # the configured setting first
runs = stored_errors(measured_runs, storage)
curves, summary = series_tables(runs, settings)
save_csv(snakemake.output.summary, summary)
log(summary.to_string())
per_seed = seed_statistics(runs, settings)
save_csv(snakemake.output.per_seed, per_seed)
log(per_seed.to_string())

claim_defs = load_claims(snakemake.params.claims, "double_descent")
values = claim_measurements(per_seed, settings, n_train)
claims = claims_table(claim_defs, digits=2, **values.table_arguments())
save_csv(snakemake.output.claims, claims)
write_caption_snippet(snakemake.output.snippet,
                      [f"{row['claim']} — {verdict_sentence(row)}" for _, row in claims.iterrows()])

# deviation sensitivity: the claims read from Figure 5's MLP series, under every depth that ran
default, *alternatives = snakemake.params.mlp_hidden_layers  # the configured setting first
by_depth = {default: values}
alternative_runs = load_runs(snakemake.input.sensitivity) if alternatives else None
for depth in alternatives:
    depth_seeds = seed_statistics(stored_errors(runs_at_depth(alternative_runs, depth), storage), settings)
    log(f"{MLP_HIDDEN_LAYERS.key} = {depth}:\n{depth_seeds.to_string()}")
    by_depth[depth] = claim_measurements(depth_seeds, settings, n_train)
# ... under every label-noise draw: the draw's series from its own runs, the other series as configured
default_draw, *other_draws = snakemake.params.label_noise_draws
rerun_by_draw = snakemake.params.draw_series
by_draw = {default_draw: values}
for noise_draw in other_draws:
    draw_runs = with_series_from(measured_runs, load_runs(snakemake.params.draw_runs[noise_draw]), rerun_by_draw)
    draw_seeds = seed_statistics(stored_errors(draw_runs, storage), settings)
    log(f"{LABEL_NOISE_DRAW.key} = {noise_draw}:\n{draw_seeds.to_string()}")
    by_draw[noise_draw] = claim_measurements(draw_seeds, settings, n_train)
# ... and under every error storage the sensitivity section lists, from the same runs
save_csv(snakemake.output.sensitivity, pd.concat([
    sensitivity_table(claim_defs, MLP_HIDDEN_LAYERS.key, default, digits=2, **rerun_sensitivity(by_depth, settings)),
    sensitivity_table(claim_defs, LABEL_NOISE_DRAW.key, default_draw, digits=2,
                      **rerun_sensitivity(by_draw, settings, rerun_by_draw)),
    sensitivity_table(claim_defs, ERROR_STORAGE.key, storage, digits=2,
                      **error_storage_sensitivity(measured_runs, settings, n_train, [storage, *other_storages]))],
    ignore_index=True))

write_html_table(pd.concat([summary.assign(seed="mean curve"), per_seed]).reset_index(drop=True)
                 [["series", "seed", "model", "variant", "loss", *STATISTICS, "widest_test_error", "min_test_error"]],
                 snakemake.output.table, "Double descent: interpolation thresholds and test-error peaks",
                 note=f"n = {n_train} training samples, K = {NUM_CLASSES} classes. A width interpolates when its "
                      f"training error is at most {settings['interpolation_train_error']} %. The peak is the largest "
                      "rise of the test error above the best error of any smaller width. Errors in %. Each series' "
                      "first row reads its mean curve over seeds (drawn in Figure 5), the others each seed's own "
                      "curve: the claims are the mean of the seeds' numbers, judged by their spread.")
# the paper's peak width ("around 50 hidden units") on the series its claim is read from
peak_widths = ({claim_series(settings)["noisy_mlp_peak_width"]: claim_defs["noisy_mlp_peak_width"]["paper"]}
               if "noisy_mlp_peak_width" in claim_defs else {})
figure5(curves, summary, settings, snakemake.output.figure5, peak_widths)
noise_ablation(curves, summary, settings, snakemake.output.noise)
loss_ablation(curves, summary, settings, n_train, snakemake.output.loss)
log("done")
