"""The Deviation sensitivity table: every claim a deviation can move, its verdict under the
default (the reference's behaviour) and under each other setting that ran."""
import pandas as pd

from mnist1d_repro.io import save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.reporting import write_caption_snippet, write_html_table
from mnist1d_repro.deviations import load_deviations
from mnist1d_repro.review import DEPENDS, NOT_RUN_ALTERNATIVE, UNDECIDED, sensitivity_matrix

log = start_job(snakemake)
runs = pd.concat([pd.read_csv(path, keep_default_na=False, na_values=[""]) for path in snakemake.input.tables],
                 ignore_index=True)
save_csv(snakemake.output.runs, runs)
claims = pd.read_csv(snakemake.input.claims, keep_default_na=False, na_values=[""])
matrix = sensitivity_matrix(runs, load_deviations(snakemake.input.deviations),
                            dict(zip(claims["claim_id"], claims["verdict"])))
matrix.insert(1, "claim", matrix["claim_id"].map(dict(zip(claims["claim_id"], claims["claim"]))))
save_csv(snakemake.output.csv, matrix)

depends = matrix[matrix["verdict"] == DEPENDS]
counts = matrix["verdict"].value_counts()
summary = (f"{len(matrix)} claim × deviation pairs: {counts.get(DEPENDS, 0)} verdicts depend on the choice, "
           f"{counts.get(UNDECIDED, 0)} are inconclusive under some setting, "
           f"{counts.get(NOT_RUN_ALTERNATIVE, 0)} have no other setting run.")
lines = [summary] + [f"{row['claim_id']} depends on {row['switch']} — {row['default setting']}; {row['other settings']}"
                     for _, row in depends.iterrows()]
for line in lines:
    log(line)
write_html_table(matrix.rename(columns={"verdict": "does the verdict move?"}), snakemake.output.table,
                 "Deviation sensitivity: each claim's verdict under every setting of a deviation",
                 note=f"{summary} The default setting follows the reference code; the other settings are the "
                      "paper's text or this pipeline's earlier choices (config/deviations.yaml says which). "
                      "Each value (± its standard error) is computed by the same code as the claim's verdict, from "
                      "jobs run with the switch flipped and everything else at its default. A verdict depends on "
                      "the choice when decided verdicts disagree; an inconclusive one leaves the question open.")
write_caption_snippet(snakemake.output.snippet, lines)
