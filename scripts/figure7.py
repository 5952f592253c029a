"""Figure 7, its tables and verdicts: the metalearned activation against fixed activations under
the configured settings (figure, main claims), every setting's verdicts (the sensitivity table
of the seeding, noise_draw and test_noise switches), and the transfer ablation."""
import matplotlib.pyplot as plt
import pandas as pd
import torch

from mnist1d_repro.claims import load_claims
from mnist1d_repro.io import load_arrays, load_json, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.metalearning.activation import final_curve
from mnist1d_repro.metalearning.engine import BASELINE_ACTIVATIONS
from mnist1d_repro.plotting import count_text, mark_paper, ordered_colors, paper_label, save_figure
from mnist1d_repro.reporting import (SENSITIVITY_COLUMNS, claims_table, sensitivity_table, verdict_sentence,
                                     write_caption_snippet, write_html_table)
from mnist1d_repro.sections.metalearning_activation import (ADVANTAGE_TEST, CURVE_POINTS, FINAL_OUTER_STEPS,
                                                            accuracy_comparison,
                                                            claim_values, extrema_values, fresh_test_advantages,
                                                            transfer_summary, values_by_switch, window_values,
                                                            with_alternatives, with_fresh_test)

BEATEN = ("relu", "elu", "swish")  # the baselines the paper's claims name


def load_setting(inputs, index: int, baseline_names: list[str]) -> dict:
    """The metalearning run, its baselines and its activation shapes of one setting (inputs come
    in the order of params.variants, the baselines grouped by setting)."""
    learned = pd.read_csv(inputs.histories[index]).assign(activation="learned")
    ours = slice(index * len(baseline_names), (index + 1) * len(baseline_names))
    paths = inputs.baselines[ours]
    baselines = (pd.concat([pd.read_csv(p) for p in paths], ignore_index=True) if paths
                 else pd.DataFrame(columns=learned.columns))
    return {"learned": learned, "baselines": baselines, "shapes": load_arrays(inputs.shapes[index]),
            "learned_correct": load_arrays(inputs.correct[index]),
            "baselines_correct": dict(zip(baseline_names, map(load_arrays, inputs.baselines_correct[ours])))}


def label(switch, setting) -> str:
    return "configured" if switch is None else f"{switch.split('.')[-1]}={setting}"


def read_from_configured_runs(setting: dict, network: dict) -> dict[str, dict]:
    """The sensitivity of the switches read from the configured setting's files, by switch and
    setting: the advantages over the last final_outer_steps outer steps, the advantages on each
    advantage_test set, and the extrema of the final activation sampled at curve_points points
    (the job's own samples for the configured number, which the network resampled must give again)."""
    last_step = int(setting["learned"]["outer_step"].max())
    window = {steps: window_values(last_step, steps, setting["learned_correct"], setting["baselines_correct"], BEATEN,
                                   advantage_test)
              for steps in params.window_settings}
    test_sets = {test_set: window_values(last_step, params.final_outer_steps, setting["learned_correct"],
                                         setting["baselines_correct"], BEATEN, test_set)
                 for test_set in params.advantage_test_settings}
    sampled = setting["shapes"]["values"][-1]
    resampled = final_curve(network, params.elu_weight, params.curve_range, params.curve_settings[0])
    if not (resampled == sampled).all():
        raise RuntimeError("the final activation resampled from activation_net.npz differs from the job's own samples")
    curves = {points: sampled if points == params.curve_settings[0] else
              final_curve(network, params.elu_weight, params.curve_range, points) for points in params.curve_settings}
    return {FINAL_OUTER_STEPS.key: window, ADVANTAGE_TEST.key: test_sets,
            CURVE_POINTS.key: {points: extrema_values(curve) for points, curve in curves.items()}}


def sensitivity(claim_specs: dict, by_switch: dict, configured: dict) -> pd.DataFrame:
    """The sensitivity table: per switch, its configured setting and each alternative."""
    tables = [sensitivity_table(claim_specs, switch, configured[switch], digits=2,
                                measured={s: v.measured for s, v in by_setting.items()},
                                spread={s: v.spread for s, v in by_setting.items()},
                                se={s: v.se for s, v in by_setting.items()})
              for switch, by_setting in by_switch.items()]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=SENSITIVITY_COLUMNS)


def caption(table, learned, last, grid, variants, values, claims, setting_text: str, single_baselines: bool,
            fresh_test: str):
    return [
        f"Settings shown: {setting_text}. Mean test accuracy over outer steps {last}-{learned['outer_step'].max()}"
        + (" (the fixed activations: their one run)" if single_baselines else "") + ": "
        + ", ".join(f"{r['activation']} {r['test accuracy (mean)']:.1f} %" for _, r in table.iterrows()) + ".",
        f"On the fresh test set ({fresh_test}), the same networks: "
        + ", ".join(f"{r['activation']} {r['fresh test accuracy (mean)']:.1f} %" for _, r in table.iterrows())
        + ("; the advantage claims are judged there." if advantage_test == "fresh" else
           "; the advantage claims read the first test samples (advantage_test reference)."),
        f"The final learned activation has {values[(None, None)].measured['activation_two_extrema']} local extrema "
        f"on [{grid[0]:g}, {grid[-1]:g}].",
        *[f"With {label(switch, setting)}: learned minus "
          + ", ".join(f"{name} {values[(switch, setting)].measured[f'activation_beats_{name}']:+.1f}" for name in BEATEN
                      if values[(switch, setting)].measured[f"activation_beats_{name}"] is not None)
          + f" points on the fresh test set; {values[(switch, setting)].measured['activation_two_extrema']} local extrema."
          for switch, setting in variants[1:]],
        *[f"{row['claim']} — {verdict_sentence(row)}" for _, row in claims.iterrows()],
    ]


def accuracy_note(configured: dict, setting_text: str, fresh_test_dataset: str) -> str:
    return (f"Settings: {setting_text}. "
            + ("Reference seeding: from outer step 1 on every inner run starts from the same weights and noise; "
               "each fixed activation is one run, seeded as the reference seeds it, so 'learned minus this' "
               "compares the learned activation's outer steps with that one run. "
               if configured["metalearning.activation.seeding"] == "reference" else
               "Fresh seeding: each outer step (or baseline run) trains a new MLP; the learned activation and every "
               "baseline share each run's initial weights and noise, so the differences are paired. ")
            + ("Test accuracy on the first test samples, with the noise added in the test's forward pass too (as "
               "the reference). " if configured["metalearning.activation.test_noise"] == "added" else
               "Test accuracy on the first test samples, without noise. ")
            + "Columns in brackets: the learned activation's advantage with one switch set otherwise. "
            + f"'fresh test': every test sample of dataset {fresh_test_dataset} (the same generator, another seed), "
              "the same networks over the same outer steps; the advantage claims are judged "
            + ("there" if advantage_test == "fresh" else "on the first test samples (advantage_test reference)")
            + ", with the paired error of those samples.")


def transfer_note(runs: int, setting_text: str) -> str:
    if not runs:
        return "No transfer runs configured (metalearning.transfer)."
    return ("Table 1's MLP (two hidden layers of 100, residual) with each activation, trained as in Table 1; "
            f"last-step accuracy, mean and std over seeds. The learned activation ({setting_text}) is frozen "
            "and used without noise.")


def snapshot_label(step: int, last_step: int) -> str:
    """The legend text of the activation saved at ``step`` (0-based, as the axes count): the one
    that outer step trains with, or after the last outer step the final one."""
    return f"after outer step {last_step} (final)" if step > last_step else f"at outer step {step}"


def paper_bar(comparison: pd.DataFrame, claim_specs: dict) -> tuple[str, float, float] | None:
    """The paper's "over 5 points higher than ReLU, ELU and Swish" as a level on the accuracy panel:
    the strongest of BEATEN that ran (its mean test accuracy in ``comparison``, accuracy_comparison's
    table) and the margin the paper prints (its claim's threshold), or None where none ran."""
    beaten = comparison[comparison["activation"].isin(BEATEN)]
    if beaten.empty:
        return None
    strongest = beaten.loc[beaten["test accuracy (mean)"].idxmax()]
    name = strongest["activation"]
    return name, float(strongest["test accuracy (mean)"]), claim_specs[f"activation_beats_{name}"]["threshold"]


def draw_figure(setting: dict, baseline_names: list[str], extrema: int, single_baselines: bool, setting_text: str,
                path, paper_extrema=None, bar: tuple[str, float, float] | None = None) -> None:
    """``paper_extrema``: the local extrema the paper counts on its learned activation; ``bar``:
    (baseline, its mean test accuracy, the paper's margin over it), drawn at their sum."""
    learned, baselines = setting["learned"], setting["baselines"]
    grid, shape_steps, shape_values = (setting["shapes"][k] for k in ("grid", "outer_steps", "values"))
    fig, (ax_shape, ax_acc, ax_loss) = plt.subplots(1, 3, figsize=(15, 4.2), layout="constrained")
    last_step = int(learned["outer_step"].max())
    for i, (step, values_at_step, color) in enumerate(zip(shape_steps, shape_values, ordered_colors(len(shape_steps)))):
        ax_shape.plot(grid, values_at_step, color=color, lw=0.8,
                      label=snapshot_label(int(step), last_step) if i in (0, len(shape_steps) - 1) else None)
    colors = dict(zip(BASELINE_ACTIVATIONS, plt.get_cmap("tab10").colors[1:]))
    with torch.no_grad():
        for name in baseline_names:
            ax_shape.plot(grid, BASELINE_ACTIVATIONS[name](torch.as_tensor(grid))[0].numpy(), color=colors[name],
                          lw=0.8, ls="--", label=name)
    ax_shape.set_xlabel("input")
    ax_shape.set_ylabel("activation")
    ax_shape.set_title(f"learned activation (ELU start; {extrema} local extrema at the end"
                       + ("" if paper_extrema is None else f"; {paper_label(paper_extrema)}") + ")")
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
    if bar is not None:
        name, level, margin = bar
        mark_paper(ax_acc, level + margin, label=f"learned > {name} + {margin:g}")
    ax_acc.set_ylabel("test accuracy (%)")
    ax_acc.set_title("test accuracy" + (f" (running mean over {count_text(smooth, 'outer step')})" if smooth > 1 else
                                        " of each outer step"))
    ax_loss.set_ylabel("meta-loss")
    ax_loss.set_title("meta-loss (mean of the last inner losses)")
    for ax in (ax_acc, ax_loss):
        ax.set_xlabel("outer step, from 0" + ("" if single_baselines else
                                              " (baselines: run with the same initial weights)"))
        ax.grid(alpha=0.3)
    ax_acc.legend(fontsize=7)
    ax_shape.grid(alpha=0.3)
    fig.suptitle(f"Figure 7: metalearning an activation function ({setting_text})")
    save_figure(fig, path, scale=snakemake.config["scale"])


log = start_job(snakemake)
params, inputs = snakemake.params, snakemake.input
baseline_names = list(params.baselines)
claim_specs = load_claims(params.claims, "metalearning_activation")
variants = [tuple(v) for v in params.variants]
settings = dict(zip(variants, (load_setting(inputs, i, baseline_names) for i in range(len(variants)))))
comparisons = {variant: accuracy_comparison(setting["learned"], setting["baselines"], baseline_names,
                                            params.final_outer_steps) for variant, setting in settings.items()}
advantage_test = params.advantage_test_settings[0]  # the configured setting
values = {variant: claim_values(fresh_test_advantages(settings[variant]["learned_correct"],
                                                    settings[variant]["baselines_correct"], first_step, BEATEN,
                                                    advantage_test),
                                settings[variant]["shapes"]["values"][-1])
          for variant, (_, _, first_step) in comparisons.items()}
configured = dict(params.configured)
default = settings[(None, None)]
setting_text = ", ".join(f"{switch.split('.')[-1]} {value}" for switch, value in configured.items())
single_baselines = configured["metalearning.activation.seeding"] == "reference"  # one run per baseline

# the configured settings: table, claims; the sensitivity table; the transfer ablation
table, _, last = comparisons[(None, None)]
table = with_alternatives(table, {label(*variant): comparisons[variant][0] for variant in variants[1:]})
table = with_fresh_test(table, default["learned_correct"], default["baselines_correct"], last)
save_csv(snakemake.output.csv, table)
claims = claims_table(claim_specs, digits=2, **values[(None, None)].table_arguments())
save_csv(snakemake.output.claims, claims)
by_switch = {**values_by_switch(values, params.switches, configured),
             **read_from_configured_runs(default, load_arrays(inputs.network))}
save_csv(snakemake.output.sensitivity, sensitivity(
    claim_specs, by_switch, {**configured, FINAL_OUTER_STEPS.key: params.window_settings[0],
                             CURVE_POINTS.key: params.curve_settings[0], ADVANTAGE_TEST.key: advantage_test}))
fresh_samples = default["learned_correct"]["fresh_correct"].shape[1]
fresh_test_text = f"{fresh_samples} test samples of {params.fresh_test_dataset}"
write_caption_snippet(snakemake.output.snippet, caption(table, default["learned"], last, default["shapes"]["grid"],
                                                        variants, values, claims, setting_text, single_baselines,
                                                        fresh_test_text))
write_html_table(table.round(3), snakemake.output.table,
                 f"Test accuracy per activation over the last {params.final_outer_steps} outer steps",
                 note=accuracy_note(configured, setting_text, params.fresh_test_dataset))
transfer = [load_json(p) for p in inputs.transfer]
write_html_table(transfer_summary(transfer), snakemake.output.transfer, "The learned activation in Table 1's MLP",
                 note=transfer_note(len(transfer), setting_text))

draw_figure(default, baseline_names, values[(None, None)].measured["activation_two_extrema"], single_baselines,
            setting_text, snakemake.output.figure, claim_specs["activation_two_extrema"].get("paper"),
            paper_bar(comparisons[(None, None)][0], claim_specs))
log("done")
