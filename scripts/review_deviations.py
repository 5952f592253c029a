"""The deviations table: paper text, reference implementation and this pipeline side by side."""
import pandas as pd

from mnist1d_repro.io import save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.reporting import write_html_table
from mnist1d_repro.deviations import DEVIATION_KEYS, load_deviations

log = start_job(snakemake)
deviations = pd.DataFrame(load_deviations(snakemake.input[0]))[list(DEVIATION_KEYS)]
save_csv(snakemake.output.csv, deviations)
write_html_table(deviations.rename(columns={"paper": "paper's text", "reference": "reference implementation",
                                            "ours": "this pipeline"}),
                 snakemake.output.table, "Where the paper, its code and this pipeline differ",
                 note="From config/deviations.yaml. Where the text and the code disagree the pipeline follows "
                      "the code by default.")
log(f"{len(deviations)} deviations")
