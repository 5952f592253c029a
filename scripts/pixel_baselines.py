"""Pixel-space baselines: k-nearest neighbours and logistic regression on standardized pixels."""
from sklearn.neighbors import KNeighborsClassifier

from mnist1d_repro.claims import binomial_se, load_claims
from mnist1d_repro.io import load_dataset, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.ssl import linear_probe
from mnist1d_repro.reporting import (claims_table, verdict_sentence, write_caption_snippet,
                                     write_html_table)

log = start_job(snakemake)
data = load_dataset(snakemake.input[0])
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

claims = load_claims(snakemake.params.claims, "dataset")
table = claims_table({k: claims[k] for k in models}, measured, se=errors)
save_csv(snakemake.output.csv, table)
write_html_table(table, snakemake.output.html, "Pixel-space baselines: paper vs ours",
                 note=f"Train on {len(data['y'])} samples, test on {len(data['y_test'])}.")
write_caption_snippet(snakemake.output.snippet, [
    f"{row['claim_id'].replace('_', ' ')}: {verdict_sentence(row)}" for _, row in table.iterrows()
])
