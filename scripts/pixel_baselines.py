"""Pixel-space baselines: k-nearest neighbours and logistic regression on standardized pixels of
MNIST-1D, and the same kNN on MNIST's pixels for the contrast the paper draws."""
import numpy as np
from sklearn.neighbors import KNeighborsClassifier

from mnist1d_repro.claims import binomial_se, load_claims
from mnist1d_repro.io import load_dataset, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.ssl import linear_probe
from mnist1d_repro.reporting import (claims_table, verdict_sentence, write_caption_snippet,
                                     write_html_table)

log = start_job(snakemake)
data = load_dataset(snakemake.input.mnist1d)
models = {
    "pixel_knn_accuracy": KNeighborsClassifier(n_neighbors=snakemake.params.neighbors,
                                               n_jobs=snakemake.threads),
    "pixel_logistic_accuracy": linear_probe(**snakemake.params.linear_probe),
}
measured, errors = {}, {}
for name, model in models.items():
    model.fit(data["x"], data["y"])
    measured[name] = 100 * model.score(data["x_test"], data["y_test"])
    errors[name] = binomial_se(measured[name], len(data["y_test"]))
    log(f"{name}: {measured[name]:.2f} % on {len(data['y_test'])} test samples")

mnist = load_dataset(snakemake.input.mnist)
knn = KNeighborsClassifier(n_neighbors=snakemake.params.neighbors, n_jobs=snakemake.threads)
knn.fit(mnist["x"].reshape(len(mnist["x"]), -1), mnist["y"])
mnist_knn = 100 * knn.score(mnist["x_test"].reshape(len(mnist["x_test"]), -1), mnist["y_test"])
mnist_knn_se = binomial_se(mnist_knn, len(mnist["y_test"]))
log(f"kNN on MNIST ({mnist['spec']['source']}): {mnist_knn:.2f} % on {len(mnist['y_test'])} test images")
measured["knn_mnist_beats_mnist1d"] = mnist_knn - measured["pixel_knn_accuracy"]
errors["knn_mnist_beats_mnist1d"] = float(np.hypot(mnist_knn_se, errors["pixel_knn_accuracy"]))

claims = load_claims(snakemake.params.claims, "dataset")
table = claims_table({k: claims[k] for k in measured}, measured, se=errors)
save_csv(snakemake.output.csv, table)
write_html_table(table, snakemake.output.html, "Pixel-space baselines: paper vs ours",
                 note=f"MNIST-1D: train on {len(data['y'])} samples, test on {len(data['y_test'])}. MNIST "
                      f"({mnist['spec']['source']}): kNN {mnist_knn:.1f} ± {mnist_knn_se:.1f} % with the same k, "
                      f"trained on {len(mnist['y'])} and tested on {len(mnist['y_test'])} images.")
write_caption_snippet(snakemake.output.snippet, [
    f"{row['claim_id'].replace('_', ' ')}: {verdict_sentence(row)}" for _, row in table.iterrows()
])
