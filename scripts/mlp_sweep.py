"""The MLP sweep: which training settings, if any, bring Table 1's MLP to the paper's 68 %."""
import pandas as pd

from mnist1d_repro.classification import protocol_table
from mnist1d_repro.io import save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.reporting import write_caption_snippet, write_html_table
from mnist1d_repro.sections import classification as section

log = start_job(snakemake)
params = snakemake.params
keys = [tuple(key) for key in params.runs]
runs = protocol_table({key: pd.read_csv(path) for key, path in zip(keys, snakemake.input.curves)},
                      ("setting", "seed"))
summary = section.sweep_table(runs, params.target, params.band, params.settings)
save_csv(snakemake.output.csv, summary)
answer = section.sweep_answer(summary, params.target, params.band, params.protocol)
log(answer)
write_html_table(section.sweep_display(summary, params.settings), snakemake.output.html,
                 f"MLP sweep: test accuracy (%) against the paper's {params.target:g} %",
                 note=section.sweep_note(answer, runs["seed"], params.target, params.band, params.base))
write_caption_snippet(snakemake.output.snippet, [answer])
