"""Figure 8: t-SNE of the SSL output representation and linear accuracy after every layer;
the claims under the configured settings and under every alternative of the SSL deviation
switches (ssl.train_data, ssl.info_nce, linear_probe.tol, ssl.seeds), which rerun the InfoNCE jobs."""
import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
import numpy as np
import pandas as pd

from mnist1d_repro.claims import load_claims
from mnist1d_repro.io import load_json, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.plotting import mark_paper, save_figure, scatter_by_class
from mnist1d_repro.reporting import (claims_table, sensitivity_table, verdict_sentence, write_caption_snippet,
                                     write_html_table)
from mnist1d_repro.sections.spec import sensitivity_arguments, setting_name
from mnist1d_repro.sections.ssl import (ENCODER_OUTPUT, REFERENCE_2_LAYER, accuracy_table, best_layer,
                                        claim_measurements, configured_settings, layer_accuracy, probe_table,
                                        runs_under, seeds_by_loss, switch_sensitivity)
from mnist1d_repro.tsne import tsne_embedding


def figure8(representation, layers, tsne, threads, path, paper_before_head=None):
    """(a) t-SNE of the training samples' output representation, as the reference: scikit-learn's
    with the cosine metric; (b) the probe accuracy after each layer, by loss and head depth, with
    ``paper_before_head``, the accuracy the paper prints before the (2-layer) head, at that layer."""
    embedding = tsne_embedding(representation["output"], "sklearn", perplexity=tsne["perplexity"], seed=tsne["seed"],
                               threads=threads, metric="cosine")
    fig, (ax_a, ax_b) = plt.subplots(1, 2, figsize=(12, 5), layout="constrained")
    scatter_by_class(ax_a, embedding, representation["label"])
    ax_a.set_title(f"(a) t-SNE of the output representation ({tsne['loss']}, {tsne['head_layers']}-layer head, "
                   f"{len(embedding)} training samples)", fontsize=9)
    handles = []
    for (loss, head), curve in layers.groupby(["loss", "head_layers"]):
        style = dict(marker="o", ms=4, linestyle="-" if loss == "info_nce" else "--",
                     color=f"C{[0, 2, 4].index(head)}", label=f"{loss}, {head}-layer head")
        ax_b.errorbar(curve["layer"], curve["mean"], yerr=curve["std"].fillna(0), capsize=2, **style)
        handles.append(Line2D([], [], **style))  # errorbar's own legend entries draw every line solid
    # dash-dot: grey dotted lines and hollow grey circles are the paper's numbers (plotting.mark_paper)
    handles += ax_b.plot(range(len(REFERENCE_2_LAYER)), REFERENCE_2_LAYER, "-.", color="black", lw=0.9,
                         label="reference, 2-layer head")
    if paper_before_head is not None:
        handles.append(mark_paper(ax_b, paper_before_head, at=ENCODER_OUTPUT,
                                  label=f"{paper_before_head:g} before the 2-layer head"))
    ax_b.axvline(ENCODER_OUTPUT, color="black", linewidth=0.8)
    ax_b.text(ENCODER_OUTPUT, ax_b.get_ylim()[0], " head starts", va="bottom", fontsize=8)
    ax_b.set_xlabel("layer (0 = input)")
    ax_b.set_ylabel("linear-probe test accuracy (%)")
    ax_b.set_title("(b) linear accuracy after each layer", fontsize=9)
    ax_b.grid(alpha=0.3)
    ax_b.legend(handles=handles, fontsize=8)
    save_figure(fig, path, scale=snakemake.config["scale"])


log = start_job(snakemake)
test_samples = snakemake.params.test_samples
# another seed set's jobs may include configured ones: each job once
all_probes = probe_table([load_json(path) for path in dict.fromkeys([*snakemake.input.metrics,
                                                                      *snakemake.input.sensitivity])])
save_csv(snakemake.output.csv, all_probes)
switches = snakemake.params.switches  # dotted switch -> [configured setting, *alternatives]
configured = configured_settings(switches)
probes = runs_under(all_probes, configured)

claims = load_claims(snakemake.params.claims, "ssl")
claim_rows = claims_table(claims, digits=2, **claim_measurements(probes, test_samples).table_arguments())
save_csv(snakemake.output.claims, claim_rows)
write_caption_snippet(snakemake.output.snippet, [f"{row['claim']} — {verdict_sentence(row)}"
                                                 for _, row in claim_rows.iterrows()])
sensitivity = []
for switch, by_setting in switch_sensitivity(all_probes, switches, test_samples,
                                               snakemake.params.ablation_seeds).items():
    sensitivity.append(sensitivity_table(claims, switch, setting_name(switches[switch][0]), digits=2,
                                         **sensitivity_arguments(by_setting)))
    for setting, values in by_setting.items():
        log(f"{switch} = {setting}: " + ", ".join(f"{k} {v:.3g}" for k, v in values.measured.items() if v is not None))
save_csv(snakemake.output.sensitivity, pd.concat(sensitivity, ignore_index=True))

layers = layer_accuracy(probes)
for (loss, head), curve in layers.groupby(["loss", "head_layers"]):
    log(f"{loss}, {head}-layer head: best layer {best_layer(curve, 'mean')} of 0..{curve['layer'].max()}")
write_html_table(accuracy_table(layers), snakemake.output.table, "Linear-probe test accuracy (%) after each layer",
                 note=f"Layer 0 is the input, layers 1-3 the convolutions, then the projection head. Mean over "
                      f"{seeds_by_loss(probes)}, encoder trained on {configured['train_data']} "
                      f"(InfoNCE: {configured['info_nce']}). The last row is what the reference printed.")
figure8(np.load(snakemake.input.tsne, allow_pickle=False), layers, snakemake.params.tsne, snakemake.threads,
        snakemake.output.figure, claims["linear_accuracy_before_head"].get("paper"))
log("done")
