"""Pixel-space baselines: k-nearest neighbours and logistic regression on standardized pixels of
MNIST-1D, and the same kNN on MNIST's pixels for the contrast the paper draws."""
from sklearn.neighbors import KNeighborsClassifier

from mnist1d_repro.claims import load_claims
from mnist1d_repro.io import load_dataset, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.reporting import claims_table, verdict_sentence, write_caption_snippet, write_html_table
from mnist1d_repro.sections.dataset import pixel_claim_values
from mnist1d_repro.ssl import linear_probe


def flat(images):
    return images.reshape(len(images), -1)


def knn():
    return KNeighborsClassifier(n_neighbors=snakemake.params.neighbors, n_jobs=snakemake.threads)


log = start_job(snakemake)
datasets = {"mnist1d": load_dataset(snakemake.input.mnist1d), "mnist": load_dataset(snakemake.input.mnist)}
models = {"mnist1d_knn": ("mnist1d", knn()),
          "mnist1d_logistic": ("mnist1d", linear_probe(**snakemake.params.linear_probe)),
          "mnist_knn": ("mnist", knn())}
accuracy, test_samples = {}, {}
for name, (dataset, model) in models.items():
    data = datasets[dataset]
    model.fit(flat(data["x"]), data["y"])
    accuracy[name] = 100 * model.score(flat(data["x_test"]), data["y_test"])
    test_samples[name] = len(data["y_test"])
    log(f"{name}: {accuracy[name]:.2f} % on {test_samples[name]} test samples")
values = pixel_claim_values(accuracy, test_samples)

claims = load_claims(snakemake.params.claims, "dataset")
table = claims_table({k: claims[k] for k in values.measured}, **values.table_arguments())
save_csv(snakemake.output.csv, table)
mnist1d, mnist = datasets["mnist1d"], datasets["mnist"]
write_html_table(table, snakemake.output.html, "Pixel-space baselines: paper vs ours",
                 note=f"MNIST-1D: train on {len(mnist1d['y'])} samples, test on {len(mnist1d['y_test'])}. MNIST "
                      f"({mnist['spec']['source']}): kNN {accuracy['mnist_knn']:.1f} % with the same k, "
                      f"trained on {len(mnist['y'])} and tested on {len(mnist['y_test'])} images.")
write_caption_snippet(snakemake.output.snippet, [
    f"{row['claim_id'].replace('_', ' ')}: {verdict_sentence(row)}" for _, row in table.iterrows()
])
