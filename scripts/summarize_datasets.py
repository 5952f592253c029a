"""Table of the generated dataset files: sizes, class balance, what each variant changed."""
import pandas as pd

from mnist1d_repro.io import load_dataset, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.reporting import write_html_table
from mnist1d_repro.sections.dataset import dataset_summary_row

log = start_job(snakemake)
rows = []
original = load_dataset(snakemake.input.original)
for path in [snakemake.input.original, *snakemake.input.variants]:
    rows.append(dataset_summary_row(path, load_dataset(path), original))
    log(f"{path}: {rows[-1]}")

table = pd.DataFrame(rows)
save_csv(snakemake.output.csv, table)
write_html_table(table, snakemake.output.html, "Generated datasets and variants",
                 note="Percentages compare each file with the original generator output.")
