"""Figure 3b: t-SNE of all MNIST-1D samples in pixel space, with a cluster-quality verdict."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.metrics import silhouette_score

from mnist1d_repro.claims import load_claims
from mnist1d_repro.io import load_dataset, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.plotting import save_figure, scatter_by_class, tsne_embedding
from mnist1d_repro.reporting import claims_table, verdict_sentence, write_caption_snippet

log = start_job(snakemake)
data = load_dataset(snakemake.input[0])
x = np.concatenate([data["x"], data["x_test"]])
y = np.concatenate([data["y"], data["y_test"]])
params = snakemake.params.tsne
log(f"t-SNE of {len(x)} samples, perplexity {params['perplexity']}, seed {params['seed']}")
embedding = tsne_embedding(x, params["perplexity"], params["seed"], snakemake.threads)
silhouette = {
    "embedding": float(silhouette_score(embedding, y)),
    "pixels": float(silhouette_score(x, y)),
}
log(f"class silhouette: embedding {silhouette['embedding']:.3f}, pixels {silhouette['pixels']:.3f}")
save_csv(snakemake.output.embedding,
         pd.DataFrame({"tsne_1": embedding[:, 0], "tsne_2": embedding[:, 1], "label": y}))

fig, ax = plt.subplots(figsize=(6, 5.5))
scatter_by_class(ax, embedding, y, legend_loc="center left", bbox_to_anchor=(1, 0.5))
ax.set_title(f"t-SNE of MNIST-1D ({len(x)} samples, pixel space)\n"
             f"class silhouette {silhouette['embedding']:.3f}", fontsize=10)
save_figure(fig, snakemake.output.figure)

claims = load_claims(snakemake.params.claims, "dataset")
table = claims_table({"tsne_no_clusters": claims["tsne_no_clusters"]},
                     {"tsne_no_clusters": silhouette["embedding"]})
save_csv(snakemake.output.claims, table)
write_caption_snippet(snakemake.output.snippet, [
    f"Class silhouette of the embedding: {verdict_sentence(table.iloc[0])}",
    f"For comparison, the silhouette in the 40-dimensional pixel space is {silhouette['pixels']:.3f}.",
])
