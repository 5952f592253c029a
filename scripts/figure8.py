"""Figure 8: t-SNE of the SSL output representation and linear accuracy after every layer;
the claims under the configured settings and under every alternative of the SSL deviation
switches (ssl.train_data, ssl.info_nce), which rerun the InfoNCE jobs."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from mnist1d_repro.claims import load_claims
from mnist1d_repro.io import load_json, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.plotting import save_figure, scatter_by_class
from mnist1d_repro.reporting import (claims_table, sensitivity_table, verdict_sentence, write_caption_snippet,
                                     write_html_table)
from mnist1d_repro.summaries import ENCODER_OUTPUT, probe_table, runs_under, ssl_claim_values
from mnist1d_repro.tsne import tsne_embedding

REFERENCE_2_LAYER = [32.8, 75.1, 80.9, 82.1, 76.1, 75.0]  # what the reference printed (InfoNCE, 2-layer head)

log = start_job(snakemake)
all_probes = probe_table([load_json(path) for path in [*snakemake.input.metrics, *snakemake.input.sensitivity]])
save_csv(snakemake.output.csv, all_probes)
switches = snakemake.params.switches  # dotted switch -> [configured setting, *alternatives]
configured = {switch.split(".")[-1]: settings[0] for switch, settings in switches.items()}


def claims_under(**changed):
    return ssl_claim_values(runs_under(all_probes, {**configured, **changed}), snakemake.params.test_samples)


claims = load_claims(snakemake.params.claims, "ssl")
probes = runs_under(all_probes, configured)
measured, spread, errors = claims_under()
seeds = probes[probes["loss"] == "info_nce"]["seed"].nunique()  # over several seeds the error is their spread
claim_rows = claims_table(claims, measured, digits=2, spread=spread, se=errors,
                          n={name: seeds for name, value in spread.items() if value is not None})
save_csv(snakemake.output.claims, claim_rows)
write_caption_snippet(snakemake.output.snippet, [f"{row['claim']} — {verdict_sentence(row)}"
                                                 for _, row in claim_rows.iterrows()])
sensitivity = []
for switch, settings in switches.items():
    key = switch.split(".")[-1]
    values = {setting: claims_under(**{key: setting}) for setting in settings}
    sensitivity.append(sensitivity_table(claims, switch, settings[0],
                                         measured={s: v[0] for s, v in values.items()},
                                         spread={s: v[1] for s, v in values.items()},
                                         se={s: v[2] for s, v in values.items()}, digits=2))
    for setting, (values_here, _, _) in values.items():
        log(f"{switch} = {setting}: " + ", ".join(f"{k} {v:.3g}" for k, v in values_here.items() if v is not None))
save_csv(snakemake.output.sensitivity, pd.concat(sensitivity, ignore_index=True))

mean = probes.groupby(["loss", "head_layers", "layer"])["accuracy"].agg(["mean", "std"]).reset_index()
for (loss, head), curve in mean.groupby(["loss", "head_layers"]):
    best = int(curve.loc[curve["mean"].idxmax(), "layer"])
    log(f"{loss}, {head}-layer head: best layer {best} of 0..{curve['layer'].max()}")
table = mean.pivot_table(index=["loss", "head_layers"], columns="layer", values="mean").round(1)
table.columns = [f"layer {c}" for c in table.columns]
table = table.reset_index()
reference = {"loss": "reference (InfoNCE)", "head_layers": 2,
             **{f"layer {i}": v for i, v in enumerate(REFERENCE_2_LAYER)}}
table = pd.concat([table, pd.DataFrame([reference])], ignore_index=True).astype(object).fillna("")
write_html_table(table, snakemake.output.table, "Linear-probe test accuracy (%) after each layer",
                 note=f"Layer 0 is the input, layers 1-3 the convolutions, then the projection head. Mean over "
                      f"{probes['seed'].nunique()} seed(s), encoder trained on {configured['train_data']} "
                      f"(InfoNCE: {configured['info_nce']}). The last row is what the reference printed.")

# --- figure -----------------------------------------------------------------------------------------
# As the reference: scikit-learn's t-SNE with the cosine metric, of the training samples' outputs.
rep = np.load(snakemake.input.tsne, allow_pickle=False)
tsne = snakemake.params.tsne
embedding = tsne_embedding(rep["output"], "sklearn", perplexity=tsne["perplexity"], seed=tsne["seed"],
                           threads=snakemake.threads, metric="cosine")
fig, (ax_a, ax_b) = plt.subplots(1, 2, figsize=(12, 5), layout="constrained")
scatter_by_class(ax_a, embedding, rep["label"])
ax_a.set_title(f"(a) t-SNE of the output representation ({tsne['loss']}, {tsne['head_layers']}-layer head, "
               f"{len(embedding)} training samples)", fontsize=9)
for (loss, head), curve in mean.groupby(["loss", "head_layers"]):
    ax_b.errorbar(curve["layer"], curve["mean"], yerr=curve["std"].fillna(0), marker="o", ms=4, capsize=2,
                  linestyle="-" if loss == "info_nce" else "--", color=f"C{[0, 2, 4].index(head)}",
                  label=f"{loss}, {head}-layer head")
ax_b.plot(range(len(REFERENCE_2_LAYER)), REFERENCE_2_LAYER, ":", color="gray", label="reference, 2-layer head")
ax_b.axvline(ENCODER_OUTPUT, color="black", linewidth=0.8)
ax_b.text(ENCODER_OUTPUT, ax_b.get_ylim()[0], " head starts", va="bottom", fontsize=8)
ax_b.set_xlabel("layer (0 = input)")
ax_b.set_ylabel("linear-probe test accuracy (%)")
ax_b.set_title("(b) linear accuracy after each layer", fontsize=9)
ax_b.grid(alpha=0.3)
ax_b.legend(fontsize=8)
save_figure(fig, snakemake.output.figure)
log("done")
