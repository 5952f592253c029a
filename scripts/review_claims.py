"""Every claim of every section in one table, with its verdict and where its figure is."""
import pandas as pd

from mnist1d_repro.claims import INCONCLUSIVE, NOT_REPRODUCED, NOT_RUN, REPRODUCED, claim_field, rule_history
from mnist1d_repro.registry import CLAIM_SECTIONS
from mnist1d_repro.io import save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.reporting import ours_with_error, to_decide_text, write_caption_snippet, write_html_table

log = start_job(snakemake)
tables = [pd.read_csv(path, keep_default_na=False, na_values=[""]) for path in snakemake.input]
claims = pd.concat(tables, ignore_index=True)
if "spread" not in claims:
    claims["spread"] = float("nan")
claims.insert(0, "report section", claims["claim_id"].map(claim_field(snakemake.params.claims, "section", CLAIM_SECTIONS)))
claims.insert(1, "figure", claims["claim_id"].map(snakemake.params.figures))
claims = claims.rename(columns={"source": "where in the paper"})
save_csv(snakemake.output.csv, claims)

counts = claims["verdict"].value_counts()
summary = (f"{counts.get(REPRODUCED, 0)} of {len(claims)} claims reproduced, {counts.get(NOT_REPRODUCED, 0)} not "
           f"reproduced, {counts.get(INCONCLUSIVE, 0)} inconclusive, {counts.get(NOT_RUN, 0)} not run.")
log(summary)


def ours_text(row) -> str:
    return ours_with_error(row) or ""


history = rule_history(snakemake.params.claims, CLAIM_SECTIONS)
shown = claims.assign(ours=claims.apply(ours_text, axis=1), figure=claims["figure"].map(lambda p: p.split("/")[-1]),
                      **{"to decide": claims.apply(to_decide_text, axis=1),
                         "rule history": claims["claim_id"].map(history).fillna("")})[
    ["report section", "claim", "where in the paper", "target", "ours", "unit", "verdict", "to decide",
     "figure", "why_this_tolerance", "rule history"]]
write_html_table(shown, snakemake.output.table, "Did the paper reproduce? Every checked claim",
                 links={"figure": [str(snakemake.report_href(path)) for path in claims["figure"]]},
                 note=f"{summary} Each row's figure or table is under its report section in the Results menu; in "
                      "the zip report (snakemake --report results/report.zip) its name links to it. Rules and "
                      "tolerances are in config/claims.yaml. Ours: value ± standard error, over seeds (or paired runs) "
                      "where the section ran several, the binomial error of one accuracy otherwise. A verdict is "
                      "decided when the value clears its rule, or misses it, by more than two standard errors; "
                      "otherwise it is inconclusive, and 'to decide' estimates what would decide it (the standard "
                      "error shrinking as 1/sqrt(n)): how many seeds where the error is a spread over seeds, "
                      "how many times the test samples where it is one run's sampling error. 'Rule history': "
                      "rules changed after their result was seen, with the earlier form and the reason.")
per_section = claims.groupby("report section", sort=False)["verdict"].apply(
    lambda v: f"{(v == REPRODUCED).sum()} of {len(v)} reproduced")
write_caption_snippet(snakemake.output.snippet, [summary] + [f"{s}: {text}" for s, text in per_section.items()])
