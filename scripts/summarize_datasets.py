"""Table of the generated dataset files: sizes, class balance, what each variant changed."""
import numpy as np
import pandas as pd
from scipy.stats import binom

from mnist1d_repro.io import load_dataset, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.reporting import write_html_table

log = start_job(snakemake)
rows = []
original = load_dataset(snakemake.input.original)
for path in [snakemake.input.original, *snakemake.input.variants]:
    data = load_dataset(path)
    spec = data["spec"]
    counts = np.bincount(data["y"], minlength=10)
    row = {
        "file": path,
        "variant": spec["variant"],
        "definition": str(spec.get("variant_spec", "generator output")),
        "train": len(data["y"]),
        "test": len(data["y_test"]),
        "length": data["x"].shape[1],
        "train_per_class_min_max": f"{counts.min()}-{counts.max()}",
        "features_moved_pct": 100 * np.mean(data["x"] != original["x"]),
        "train_labels_changed_pct": 100 * np.mean(data["y"] != original["y"]),
        "test_labels_changed_pct": 100 * np.mean(data["y_test"] != original["y_test"]),
    }
    if "label_resampled" in data:
        rate, n = spec["variant_spec"]["rate"], len(data["y"])
        low, high = binom.ppf([0.0005, 0.9995], n, rate)
        row["labels_redrawn_pct"] = 100 * data["label_resampled"].mean()
        row["redrawn_99.9pct_range"] = f"{100 * low / n:.1f}-{100 * high / n:.1f}"
    rows.append(row)
    log(f"{path}: {row}")

table = pd.DataFrame(rows)
save_csv(snakemake.output.csv, table)
write_html_table(table, snakemake.output.html, "Generated datasets and variants",
                 note="Percentages compare each file with the original generator output.")
