"""Figure 7, its tables and verdicts: the metalearned activation against fixed activations, and
the transfer ablation."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from mnist1d_repro.claims import load_claims
from mnist1d_repro.io import load_arrays, load_json, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.metalearning import BASELINE_ACTIVATIONS, local_extrema
from mnist1d_repro.plotting import save_figure
from mnist1d_repro.reporting import claims_table, verdict_sentence, write_caption_snippet, write_html_table

log = start_job(snakemake)
params = snakemake.params
learned = pd.read_csv(snakemake.input.history).assign(activation="learned")
baselines = pd.concat([pd.read_csv(p) for p in snakemake.input.baselines], ignore_index=True) \
    if snakemake.input.baselines else pd.DataFrame(columns=learned.columns)
shapes = load_arrays(snakemake.input.shapes)
grid, shape_steps, shape_values = shapes["grid"], shapes["outer_steps"], shapes["values"]

# Paired comparison over the last outer steps: run k of a baseline starts from the same weights
# and noise as outer step k of the metalearning run.
last = learned["outer_step"].max() - params.final_outer_steps + 1
window = pd.concat([learned, baselines], ignore_index=True).query("outer_step >= @last")
acc = window.pivot(index="outer_step", columns="activation", values="test_acc")
rows, paired_std = [], {}
for name in ["learned"] + list(params.baselines):
    diff = acc["learned"] - acc[name]
    paired_std[name] = float(diff.std())
    rows.append({"activation": name, "test accuracy (mean)": acc[name].mean(), "test accuracy (std)": acc[name].std(),
                 "learned minus this (mean)": diff.mean(),
                 "learned minus this (std error)": diff.std() / np.sqrt(len(diff)) if len(diff) > 1 else np.nan,
                 "meta-loss (mean)": window.loc[window["activation"] == name, "meta_loss"].mean()})
table = pd.DataFrame(rows)
save_csv(snakemake.output.csv, table)
gaps = table.set_index("activation")["learned minus this (mean)"]
extrema = local_extrema(shape_values[-1])
measured = {f"activation_beats_{name}": (float(gaps[name]) if name in gaps.index else None)
            for name in ("relu", "elu", "swish")}
measured["activation_two_extrema"] = extrema
claims = claims_table(load_claims(params.claims, "metalearning_activation"), measured, digits=2,
                      spread={f"activation_beats_{name}": paired_std.get(name) for name in ("relu", "elu", "swish")})
save_csv(snakemake.output.claims, claims)
write_caption_snippet(snakemake.output.snippet, [
    f"Mean test accuracy over outer steps {last}-{learned['outer_step'].max()}: "
    + ", ".join(f"{r['activation']} {r['test accuracy (mean)']:.1f} %" for _, r in table.iterrows()) + ".",
    f"The final learned activation has {extrema} local extrema on [{grid[0]:g}, {grid[-1]:g}].",
    *[f"{row['claim']} — {verdict_sentence(row)}" for _, row in claims.iterrows()],
])
write_html_table(table.round(3), snakemake.output.table,
                 f"Test accuracy per activation over the last {params.final_outer_steps} outer steps",
                 note="Each outer step (or baseline run) trains a fresh MLP through the same inner loop; the "
                      "learned activation and every baseline share each run's initial weights and noise, so the "
                      "differences are paired. Test accuracy on the first test samples, without noise.")

transfer = pd.DataFrame([load_json(p) for p in snakemake.input.transfer])
if len(transfer):
    summary = transfer.groupby("activation", sort=False).agg(
        runs=("seed", "count"), test_acc_mean=("test_acc", "mean"), test_acc_std=("test_acc", "std"),
        train_acc_mean=("train_acc", "mean")).reset_index().round(2)
    note = ("Table 1's MLP (two hidden layers of 100, residual) with each activation, trained as in Table 1; "
            "last-step accuracy, mean and std over seeds. The learned activation is frozen.")
else:
    summary, note = pd.DataFrame({"activation": []}), "No transfer runs configured (metalearning.transfer)."
write_html_table(summary, snakemake.output.transfer, "The learned activation in Table 1's MLP", note=note)

# --- Figure 7 --------------------------------------------------------------------------------
fig, (ax_shape, ax_acc, ax_loss) = plt.subplots(1, 3, figsize=(15, 4.2), layout="constrained")
cmap = plt.get_cmap("viridis")
for i, (step, values) in enumerate(zip(shape_steps, shape_values)):
    ax_shape.plot(grid, values, color=cmap(i / max(1, len(shape_steps) - 1)), lw=0.8,
                  label=f"outer step {step}" if i in (0, len(shape_steps) - 1) else None)
colors = dict(zip(BASELINE_ACTIVATIONS, plt.get_cmap("tab10").colors[1:]))
with torch.no_grad():
    for name in params.baselines:
        ax_shape.plot(grid, BASELINE_ACTIVATIONS[name](torch.as_tensor(grid))[0].numpy(), color=colors[name],
                      lw=0.8, ls="--", label=name)
ax_shape.set_xlabel("input")
ax_shape.set_ylabel("activation")
ax_shape.set_title(f"learned activation (ELU start; {extrema} local extrema at the end)")
ax_shape.legend(fontsize=7)
smooth = max(1, len(learned) // 30)
for name, frame in [("learned", learned)] + [(n, baselines[baselines["activation"] == n]) for n in params.baselines]:
    color = "black" if name == "learned" else colors[name]
    for ax, column in ((ax_acc, "test_acc"), (ax_loss, "meta_loss")):
        series = frame.set_index("outer_step")[column].rolling(smooth, min_periods=1).mean()
        ax.plot(series.index, series.values, color=color, lw=1.6 if name == "learned" else 0.9, label=name)
ax_acc.set_ylabel("test accuracy (%)")
ax_acc.set_title(f"test accuracy (running mean over {smooth} runs)")
ax_loss.set_ylabel("meta-loss")
ax_loss.set_title("meta-loss (mean of the last inner losses)")
for ax in (ax_acc, ax_loss):
    ax.set_xlabel("outer step (baselines: run with the same initial weights)")
    ax.grid(alpha=0.3)
ax_acc.legend(fontsize=7)
ax_shape.grid(alpha=0.3)
fig.suptitle("Figure 7: metalearning an activation function")
save_figure(fig, snakemake.output.figure)
log("done")
