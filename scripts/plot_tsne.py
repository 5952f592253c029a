"""Figure 3: t-SNE of MNIST (a) and of MNIST-1D (b) in pixel space, both embedded the same way and
at the same sample count, with the verdict on their contrast in class silhouette, under the
configured t-SNE implementation and every other one the sensitivity section asks for."""
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
from mnist1d_repro.sections.spec import sensitivity_arguments
from mnist1d_repro.sections.dataset import (MNIST, MNIST1D, TSNE_CLAIM, TSNE_METHOD, silhouette_with_error,
                                            tsne_claim_values)
from mnist1d_repro.tsne import class_silhouettes, matched_sample, tsne_embedding


def all_samples(path):
    data = load_dataset(path)
    x = np.concatenate([data["x"], data["x_test"]])
    return x.reshape(len(x), -1), np.concatenate([data["y"], data["y_test"]]), data["spec"]


def embed(method, name, x, y, seed):
    """The t-SNE embedding of one dataset's samples with the configured settings and one seed, and its
    class silhouette."""
    log(f"t-SNE ({method}) of {len(x)} {name} samples ({x.shape[1]} pixels), perplexity {params['perplexity']}, "
        f"seed {seed}, {snakemake.threads} thread(s)")
    start = time.perf_counter()
    embedding = tsne_embedding(x, method, perplexity=params["perplexity"], seed=seed, threads=snakemake.threads)
    silhouette = silhouette_with_error(class_silhouettes(embedding, y))
    log(f"{method}, {name}: {time.perf_counter() - start:.1f} s, class silhouette "
        f"{silhouette.value:.3f} ± {silhouette.se:.3f}")
    return embedding, silhouette


def embed_all(methods, seeds, datasets):
    """Every method's embedding of every dataset under every seed: the first seed's embeddings (the
    figure's), and the class silhouettes keyed (method, dataset name, seed)."""
    embeddings, silhouettes = {}, {}
    for method in methods:
        for seed in seeds:
            for name, (x, y) in datasets.items():
                embedding, silhouettes[method, name, seed] = embed(method, name, x, y, seed)
                if seed == seeds[0]:
                    embeddings[method, name] = embedding
    return embeddings, silhouettes


def draw_figure(path, method, embeddings, silhouettes, datasets):
    """Panels (a) MNIST and (b) MNIST-1D of one method's embeddings (one seed's), coloured by class."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.5), layout="constrained")
    for ax, (panel, name) in zip(axes, (("a", MNIST), ("b", MNIST1D))):
        scatter_by_class(ax, embeddings[method, name], datasets[name][1], legend_loc="center left",
                         bbox_to_anchor=(1, 0.5))
        ax.set_title(f"({panel}) t-SNE of {name} ({len(datasets[name][1])} samples, pixel space, {method})\n"
                     f"class silhouette {silhouettes[method, name].value:.3f}", fontsize=10)
        if panel == "a":
            ax.get_legend().remove()
    save_figure(fig, path, scale=snakemake.config["scale"])


log = start_job(snakemake)
params = snakemake.params.tsne
x1d, y1d, _ = all_samples(snakemake.input.mnist1d)
mnist_x, mnist_y, mnist_spec = all_samples(snakemake.input.mnist)
seeds, shown_seed = params["seeds"], params["seeds"][0]
mnist_x, mnist_y = matched_sample(mnist_x, mnist_y, len(y1d), shown_seed)
datasets = {MNIST: (mnist_x, mnist_y), MNIST1D: (x1d, y1d)}
methods = snakemake.params.methods  # the configured method first, then the alternatives
embeddings, silhouettes = embed_all(methods, seeds, datasets)
pixel_silhouettes = {name: float(silhouette_score(x, y)) for name, (x, y) in datasets.items()}
log(f"class silhouette in pixel space: {pixel_silhouettes}")

alternatives = list(snakemake.output.alternatives)  # per other method: MNIST's, then MNIST-1D's
paths = [list(snakemake.output.embeddings)] + [alternatives[i:i + 2] for i in range(0, len(alternatives), 2)]
outputs = {(method, name): path for method, pair in zip(methods, paths) for name, path in zip(datasets, pair)}
for (method, name), path in outputs.items():
    y = datasets[name][1]
    save_csv(path, pd.DataFrame({"tsne_1": embeddings[method, name][:, 0], "tsne_2": embeddings[method, name][:, 1],
                                 "label": y}))

configured = methods[0]
shown = {(method, name): silhouettes[method, name, shown_seed] for method in methods for name in datasets}
draw_figure(snakemake.output.figure, configured, embeddings, shown, datasets)

claims = {TSNE_CLAIM: load_claims(snakemake.params.claims, "dataset")[TSNE_CLAIM]}
values = tsne_claim_values(silhouettes, methods, seeds)
table = claims_table(claims, **values[configured].table_arguments())
save_csv(snakemake.output.claims, table)
save_csv(snakemake.output.sensitivity,
         sensitivity_table(claims, TSNE_METHOD.key, configured, **sensitivity_arguments(values)))
silhouette_text = "; ".join(
    f"{name} " + ", ".join(f"{silhouettes[configured, name, seed].value:.3f}" for seed in seeds) for name in datasets)
others = ", ".join(f"{values[method].measured[TSNE_CLAIM]:.3f} with {method}" for method in methods
                   if method != configured)
write_caption_snippet(snakemake.output.snippet, [
    f"MNIST: {mnist_spec['source']}; {len(mnist_y)} digits embedded (as many as MNIST-1D's samples).",
    f"Class silhouette of the embeddings ({configured}; t-SNE seeds {', '.join(map(str, seeds))}; the figure shows "
    f"seed {shown_seed}): {silhouette_text}.",
    f"MNIST minus MNIST-1D, over the seeds: {verdict_sentence(table.iloc[0])}"
    + (f" (the contrast is {others})" if others else ""),
    "For comparison, the silhouette in pixel space: "
    + ", ".join(f"{name} {value:.3f}" for name, value in pixel_silhouettes.items()) + ".",
])
