"""Table 1, Figure 2 and Figure S1 from the per-job classification results."""
import matplotlib.pyplot as plt
import pandas as pd

from mnist1d_repro.claims import load_claims
from mnist1d_repro.classification import protocol_table
from mnist1d_repro.io import dataset_spec, load_json, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.plotting import mark_paper, save_figure
from mnist1d_repro.reporting import (claims_table, sensitivity_table, verdict_sentence, write_caption_snippet,
                                     write_html_table)
from mnist1d_repro.sections import classification as section

COLORS = dict(zip(section.MODEL_NAMES, plt.get_cmap("tab10").colors))
# the paper's human expert on MNIST-1D (Table 1 and Figure S1; no claim of ours), read from the table's cell
HUMAN_EXPERT = float(section.HUMAN["original"].split("±")[0])


def paper_marks(paper_cells: dict) -> list[tuple[float, str]]:
    """The paper's Table 1 cells on MNIST-1D (``paper_cells``: (variant, model) -> value) as
    (value, label) marks, cells with the same value in one mark."""
    by_value = {}
    for (variant, model), value in paper_cells.items():
        if variant != "mnist":
            name = section.MODEL_NAMES[model] + ("" if variant == "original" else f" ({variant})")
            by_value.setdefault(value, []).append(name)
    return [(value, f"{', '.join(names)} {value:g}") for value, names in sorted(by_value.items(), reverse=True)]


def draw_figure2(curves_by_job: dict, path, paper_cells: dict, human: float | None = None) -> None:
    """Figure 2: accuracy curves (last-step protocol), mean and range over seeds, MNIST-1D only; on
    the test panel the paper's Table 1 cells (``paper_cells``: (variant, model) -> value, from
    claims.yaml) at the last step and the paper's human expert (``human``) as a level."""
    curves = pd.concat([frame.assign(variant=v, model=m, seed=s) for (v, m, s), frame in curves_by_job.items()])
    curves = curves[curves["run"] == "last_step"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained", sharey=True)
    for ax, split in zip(axes, ["train", "test"]):
        for (variant, model), group in curves[curves["variant"] != "mnist"].groupby(["variant", "model"], sort=False):
            stats = group.groupby("step")[f"{split}_acc"].agg(["mean", "min", "max"])
            style = "-" if variant == "original" else "--"
            ax.plot(stats.index, stats["mean"], style, color=COLORS[model],
                    label=f"{section.MODEL_NAMES[model]}{'' if variant == 'original' else ' (' + variant + ')'}")
            ax.fill_between(stats.index, stats["min"], stats["max"], color=COLORS[model], alpha=0.12)
        if split == "test":
            if human is not None:
                mark_paper(ax, human, label=f"human {human:g}")
            for value, label in paper_marks(paper_cells):
                mark_paper(ax, value, at=curves["step"].max(), label=label)
        ax.set_title(f"{split} accuracy")
        ax.set_xlabel("training step")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("accuracy (%)")
    axes[1].legend(fontsize=8, loc="center left", bbox_to_anchor=(1, 0.5))
    fig.suptitle("Figure 2: solid = original, dashed = shuffled features; band = range over seeds")
    save_figure(fig, path, scale=snakemake.config["scale"])


def draw_figure_s1(cnn_confusions: list, path) -> None:
    """Figure S1: the CNN's test error per true class on the original data, mean and std over seeds."""
    fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
    if cnn_confusions:
        per_class_error = section.per_class_error(cnn_confusions)
        ax.bar(range(10), per_class_error.mean(0), yerr=per_class_error.std(0) if len(cnn_confusions) > 1 else None,
               color=COLORS["cnn"], capsize=3)
        ax.set_title(f"CNN test error per class (original data, {len(cnn_confusions)} seeds, last step)")
    else:
        ax.text(0.5, 0.5, "no CNN runs on the original data in this configuration", ha="center")
    ax.set_xticks(range(10))
    ax.set_xlabel("true class")
    ax.set_ylabel("test error (%)")
    save_figure(fig, path, scale=snakemake.config["scale"])


def load_runs(keys, metrics_files, curves_files, confusion_files):
    """Each job's metrics, curves and confusion matrix, by its key."""
    return (dict(zip(keys, map(load_json, metrics_files))),
            {key: pd.read_csv(path) for key, path in zip(keys, curves_files)},
            {key: pd.read_csv(path).drop(columns="true").to_numpy() for key, path in zip(keys, confusion_files)})


def seeding_claim_values(setting_runs: list, default_runs: tuple, protocol: str, claims: dict):
    """The section's claims under an alternative torch seeding: its own runs (``setting_runs``:
    ((variant, model, seed), metrics, curves, confusion) of each) in place of the configured
    setting's, the configured setting's runs elsewhere (MNIST's, and the first run of the notebook's
    order, which both settings seed alike: section.seeding_reruns)."""
    metrics, curves, confusions = (dict(part) for part in default_runs)
    for key, *run in setting_runs:
        for part, value in zip((metrics, curves, confusions), run):
            part[key] = value
    per_protocol = protocol_table(curves, ("variant", "model", "seed"))
    table = section.table1(section.run_table(metrics), per_protocol, claims)
    return section.claim_values(table, per_protocol, protocol, section.test_samples(metrics), claims,
                                section.original_cnn_confusions(confusions))


log = start_job(snakemake)
claims = load_claims(snakemake.params.claims, "classification")
keys = [tuple(key) for key in snakemake.params.runs]
metrics, curves_by_job, confusions = load_runs(keys, snakemake.input.metrics, snakemake.input.curves,
                                               snakemake.input.confusion)
job_seconds = {key: float(pd.read_csv(path, sep="\t")["s"].iloc[0])
               for key, path in zip(keys, snakemake.params.benchmarks)}
protocol = snakemake.params.protocol
mnist_spec, mnist_train = dataset_spec(snakemake.input.mnist), section.mnist_train_samples(metrics)
names, mnist_note = section.dataset_names(mnist_spec, mnist_train), section.mnist_note(mnist_spec, mnist_train)
log(mnist_note)

runs, samples = section.run_table(metrics), section.test_samples(metrics)
per_protocol = protocol_table(curves_by_job, ("variant", "model", "seed"))
table = section.table1(runs, per_protocol, claims)
save_csv(snakemake.output.csv, table)
closest_text = section.closest_protocol_text(table)
log(closest_text)

cnn_confusions = section.original_cnn_confusions(confusions)
values = section.claim_values(table, per_protocol, protocol, samples, claims, cnn_confusions)
claim_rows = claims_table(claims, digits=2, **values.table_arguments())
save_csv(snakemake.output.claims, claim_rows)
by_protocol = {name: section.claim_values(table, per_protocol, name, samples, claims)
               for name in snakemake.params.protocols}
seeding_keys = [tuple(key) for key in snakemake.params.seeding_runs]  # (setting, variant, model, seed)
seeding_runs = load_runs(seeding_keys, snakemake.input.seeding_metrics, snakemake.input.seeding_curves,
                         snakemake.input.seeding_confusion)
by_seeding = {snakemake.params.torch_seeding: values}
for setting in dict.fromkeys(key[0] for key in seeding_keys):
    runs_of_setting = [(key[1:], *(part[key] for part in seeding_runs)) for key in seeding_keys if key[0] == setting]
    by_seeding[setting] = seeding_claim_values(runs_of_setting, (metrics, curves_by_job, confusions), protocol,
                                               claims)
save_csv(snakemake.output.sensitivity, pd.concat([
    sensitivity_table(claims, section.PROTOCOL.key, protocol, digits=2, **section.sensitivity_arguments(by_protocol)),
    sensitivity_table(claims, section.TORCH_SEEDING.key, snakemake.params.torch_seeding, digits=2,
                      **section.sensitivity_arguments(by_seeding, section.seeding_moves)),
], ignore_index=True))

verdicts = claim_rows.set_index("claim_id")["verdict"].to_dict()
write_html_table(section.table1_display(table, verdicts, protocol, names), snakemake.output.html,
                 "Table 1: test accuracy (%), mean ± std over seeds",
                 note=section.table1_note(runs, protocol, closest_text, mnist_note))
write_caption_snippet(snakemake.output.snippet, [closest_text, mnist_note] + [
    f"{row['claim']} — {verdict_sentence(row)}" for _, row in claim_rows.iterrows()
])
paper_cells = {(v, m): p for v, m, p in zip(table["variant"], table["model"], table["paper"]) if pd.notna(p)}
draw_figure2(curves_by_job, snakemake.output.figure2, paper_cells, HUMAN_EXPERT)
draw_figure_s1(cnn_confusions, snakemake.output.figure_s1)
log("done")

# cost side by side: MNIST against MNIST-1D, from the same jobs' benchmark files
cost = section.cost_table(metrics, curves_by_job, job_seconds, names)
save_csv(snakemake.output.cost_csv, cost)
write_html_table(cost.round(2), snakemake.output.cost, "Cost per model: MNIST against MNIST-1D",
                 note=section.cost_note(mnist_note))
log(cost.to_string())
