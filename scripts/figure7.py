"""Figure 7, its tables and verdicts: the metalearned activation against fixed activations under
the configured settings (figure, main claims), every setting's verdicts (the sensitivity table
of the seeding, noise_draw and test_noise switches), and the transfer ablation."""
import matplotlib.pyplot as plt
import pandas as pd
import torch

from mnist1d_repro.claims import load_claims
from mnist1d_repro.io import load_arrays, load_json, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.metalearning import BASELINE_ACTIVATIONS, local_extrema
from mnist1d_repro.plotting import save_figure
from mnist1d_repro.summaries import activation_claim_values, activation_comparison
from mnist1d_repro.reporting import (SENSITIVITY_COLUMNS, claims_table, sensitivity_table, verdict_sentence,
                                     write_caption_snippet, write_html_table)

BEATEN = ("relu", "elu", "swish")  # the baselines the paper's claims name

log = start_job(snakemake)
params, inputs = snakemake.params, snakemake.input
baseline_names = list(params.baselines)
claim_specs = load_claims(params.claims, "metalearning_activation")


def load_setting(index: int) -> dict:
    """The metalearning run, its baselines and its activation shapes of one setting (inputs come
    in the order of params.variants, the baselines grouped by setting)."""
    learned = pd.read_csv(inputs.histories[index]).assign(activation="learned")
    paths = inputs.baselines[index * len(baseline_names):(index + 1) * len(baseline_names)]
    baselines = (pd.concat([pd.read_csv(p) for p in paths], ignore_index=True) if paths
                 else pd.DataFrame(columns=learned.columns))
    return {"learned": learned, "baselines": baselines, "shapes": load_arrays(inputs.shapes[index])}


def compare(learned: pd.DataFrame, baselines: pd.DataFrame):
    return activation_comparison(learned, baselines, baseline_names, params.final_outer_steps)


def claim_values(setting: dict):
    table, spread, _ = compare(setting["learned"], setting["baselines"])
    return activation_claim_values(table, spread, local_extrema(setting["shapes"]["values"][-1]), BEATEN,
                                   params.test_samples)


def label(switch, setting) -> str:
    return "configured" if switch is None else f"{switch.split('.')[-1]}={setting}"


variants = [tuple(v) for v in params.variants]
settings = [load_setting(i) for i in range(len(variants))]
default = settings[0]
values = {variant: claim_values(setting) for variant, setting in zip(variants, settings)}
configured = dict(params.configured)

# --- the configured settings: table, claims ---------------------------------------------------
table, paired_std, last = compare(default["learned"], default["baselines"])
for (switch, setting), other in zip(variants[1:], settings[1:]):  # the alternatives' advantages, beside
    table[f"learned minus this ({label(switch, setting)})"] = compare(other["learned"], other["baselines"])[0][
        "learned minus this (mean)"].values
save_csv(snakemake.output.csv, table)
measured, spread, errors = values[(None, None)]
claims = claims_table(claim_specs, measured, digits=2, spread=spread, se=errors)
save_csv(snakemake.output.claims, claims)

# --- the sensitivity table: per switch, its configured setting and each alternative ------------
tables = []
for switch, ran in params.switches.items():
    by_setting = {configured[switch]: values[(None, None)]}
    by_setting.update({setting: values[(switch, setting)] for setting in ran[1:]})
    tables.append(sensitivity_table(claim_specs, switch, configured[switch], digits=2,
                                    measured={s: v[0] for s, v in by_setting.items()},
                                    spread={s: v[1] for s, v in by_setting.items()},
                                    se={s: v[2] for s, v in by_setting.items()}))
sensitivity = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=SENSITIVITY_COLUMNS)
save_csv(snakemake.output.sensitivity, sensitivity)

setting_text = ", ".join(f"{switch.split('.')[-1]} {value}" for switch, value in configured.items())
learned, baselines = default["learned"], default["baselines"]
grid, shape_steps, shape_values = (default["shapes"][k] for k in ("grid", "outer_steps", "values"))
extrema = measured["activation_two_extrema"]
single_baselines = configured["metalearning.activation.seeding"] == "reference"  # one run per baseline
write_caption_snippet(snakemake.output.snippet, [
    f"Settings shown: {setting_text}. Mean test accuracy over outer steps {last}-{learned['outer_step'].max()}"
    + (" (the fixed activations: their one run)" if single_baselines else "") + ": "
    + ", ".join(f"{r['activation']} {r['test accuracy (mean)']:.1f} %" for _, r in table.iterrows()) + ".",
    f"The final learned activation has {extrema} local extrema on [{grid[0]:g}, {grid[-1]:g}].",
    *[f"With {label(switch, setting)}: learned minus "
      + ", ".join(f"{name} {values[(switch, setting)][0][f'activation_beats_{name}']:+.1f}" for name in BEATEN
                  if values[(switch, setting)][0][f"activation_beats_{name}"] is not None)
      + f" points; {values[(switch, setting)][0]['activation_two_extrema']} local extrema."
      for switch, setting in variants[1:]],
    *[f"{row['claim']} — {verdict_sentence(row)}" for _, row in claims.iterrows()],
])
note = (f"Settings: {setting_text}. "
        + ("Reference seeding: from outer step 1 on every inner run starts from the same weights and noise; each "
           "fixed activation is one run, seeded as the reference seeds it, so 'learned minus this' compares the "
           "learned activation's outer steps with that one run. " if configured["metalearning.activation.seeding"]
           == "reference" else
           "Fresh seeding: each outer step (or baseline run) trains a new MLP; the learned activation and every "
           "baseline share each run's initial weights and noise, so the differences are paired. ")
        + ("Test accuracy on the first test samples, with the noise added in the test's forward pass too (as the "
           "reference). " if configured["metalearning.activation.test_noise"] == "added" else
           "Test accuracy on the first test samples, without noise. ")
        + "Columns in brackets: the learned activation's advantage with one switch set otherwise.")
write_html_table(table.round(3), snakemake.output.table,
                 f"Test accuracy per activation over the last {params.final_outer_steps} outer steps", note=note)

transfer = pd.DataFrame([load_json(p) for p in inputs.transfer])
if len(transfer):
    summary = transfer.groupby("activation", sort=False).agg(
        runs=("seed", "count"), test_acc_mean=("test_acc", "mean"), test_acc_std=("test_acc", "std"),
        train_acc_mean=("train_acc", "mean")).reset_index().round(2)
    note = ("Table 1's MLP (two hidden layers of 100, residual) with each activation, trained as in Table 1; "
            f"last-step accuracy, mean and std over seeds. The learned activation ({setting_text}) is frozen "
            "and used without noise.")
else:
    summary, note = pd.DataFrame({"activation": []}), "No transfer runs configured (metalearning.transfer)."
write_html_table(summary, snakemake.output.transfer, "The learned activation in Table 1's MLP", note=note)

# --- Figure 7 (the configured settings) ---------------------------------------------------------
fig, (ax_shape, ax_acc, ax_loss) = plt.subplots(1, 3, figsize=(15, 4.2), layout="constrained")
cmap = plt.get_cmap("viridis")
for i, (step, values_at_step) in enumerate(zip(shape_steps, shape_values)):
    ax_shape.plot(grid, values_at_step, color=cmap(i / max(1, len(shape_steps) - 1)), lw=0.8,
                  label=f"outer step {step}" if i in (0, len(shape_steps) - 1) else None)
colors = dict(zip(BASELINE_ACTIVATIONS, plt.get_cmap("tab10").colors[1:]))
with torch.no_grad():
    for name in baseline_names:
        ax_shape.plot(grid, BASELINE_ACTIVATIONS[name](torch.as_tensor(grid))[0].numpy(), color=colors[name],
                      lw=0.8, ls="--", label=name)
ax_shape.set_xlabel("input")
ax_shape.set_ylabel("activation")
ax_shape.set_title(f"learned activation (ELU start; {extrema} local extrema at the end)")
ax_shape.legend(fontsize=7)
smooth = max(1, len(learned) // 30)
for name, frame in [("learned", learned)] + [(n, baselines[baselines["activation"] == n]) for n in baseline_names]:
    color = "black" if name == "learned" else colors[name]
    for ax, column in ((ax_acc, "test_acc"), (ax_loss, "meta_loss")):
        if len(frame) == 1:  # one run (the reference's seeding): a level line, as the reference draws it
            ax.axhline(frame[column].iloc[0], color=color, lw=0.9, label=name)
            continue
        series = frame.set_index("outer_step")[column].rolling(smooth, min_periods=1).mean()
        ax.plot(series.index, series.values, color=color, lw=1.6 if name == "learned" else 0.9, label=name)
ax_acc.set_ylabel("test accuracy (%)")
ax_acc.set_title(f"test accuracy (running mean over {smooth} outer steps)")
ax_loss.set_ylabel("meta-loss")
ax_loss.set_title("meta-loss (mean of the last inner losses)")
for ax in (ax_acc, ax_loss):
    ax.set_xlabel("outer step" + ("" if single_baselines else " (baselines: run with the same initial weights)"))
    ax.grid(alpha=0.3)
ax_acc.legend(fontsize=7)
ax_shape.grid(alpha=0.3)
fig.suptitle(f"Figure 7: metalearning an activation function ({setting_text})")
save_figure(fig, snakemake.output.figure)
log("done")
