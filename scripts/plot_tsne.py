"""Figure 3b: t-SNE of all MNIST-1D samples in pixel space, with a cluster-quality verdict, under
the configured t-SNE implementation and every other one the sensitivity section asks for."""
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.metrics import silhouette_score

from mnist1d_repro.claims import load_claims
from mnist1d_repro.io import load_dataset, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.plotting import save_figure, scatter_by_class
from mnist1d_repro.reporting import claims_table, sensitivity_table, verdict_sentence, write_caption_snippet
from mnist1d_repro.tsne import tsne_embedding

log = start_job(snakemake)
data = load_dataset(snakemake.input[0])
x = np.concatenate([data["x"], data["x_test"]])
y = np.concatenate([data["y"], data["y_test"]])
params = snakemake.params.tsne
methods = snakemake.params.methods  # the configured method first, then the alternatives
embeddings, silhouettes = {}, {}
for method in methods:
    log(f"t-SNE ({method}) of {len(x)} samples, perplexity {params['perplexity']}, seed {params['seed']}, "
        f"{snakemake.threads} thread(s)")
    start = time.perf_counter()
    embeddings[method] = tsne_embedding(x, method, perplexity=params["perplexity"], seed=params["seed"],
                                        threads=snakemake.threads)
    silhouettes[method] = float(silhouette_score(embeddings[method], y))
    log(f"{method}: {time.perf_counter() - start:.1f} s, class silhouette of the embedding {silhouettes[method]:.3f}")
pixel_silhouette = float(silhouette_score(x, y))
log(f"class silhouette in pixel space {pixel_silhouette:.3f}")

for method, path in zip(methods, [snakemake.output.embedding, *snakemake.output.alternatives]):
    save_csv(path, pd.DataFrame({"tsne_1": embeddings[method][:, 0], "tsne_2": embeddings[method][:, 1], "label": y}))

configured = methods[0]
fig, ax = plt.subplots(figsize=(6, 5.5))
scatter_by_class(ax, embeddings[configured], y, legend_loc="center left", bbox_to_anchor=(1, 0.5))
ax.set_title(f"t-SNE of MNIST-1D ({len(x)} samples, pixel space, {configured})\n"
             f"class silhouette {silhouettes[configured]:.3f}", fontsize=10)
save_figure(fig, snakemake.output.figure)

claims = {"tsne_no_clusters": load_claims(snakemake.params.claims, "dataset")["tsne_no_clusters"]}
table = claims_table(claims, {"tsne_no_clusters": silhouettes[configured]})
save_csv(snakemake.output.claims, table)
save_csv(snakemake.output.sensitivity,
         sensitivity_table(claims, "dataset_section.tsne.method", configured,
                           {method: {"tsne_no_clusters": value} for method, value in silhouettes.items()}))
others = ", ".join(f"{value:.3f} with {method}" for method, value in silhouettes.items() if method != configured)
write_caption_snippet(snakemake.output.snippet, [
    f"Class silhouette of the embedding ({configured}): {verdict_sentence(table.iloc[0])}",
    f"For comparison, the silhouette in the 40-dimensional pixel space is {pixel_silhouette:.3f}"
    + (f"; the embedding's is {others}." if others else "."),
])
