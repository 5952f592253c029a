"""Every claim of every section in one table, with its verdict and where its figure is."""
import pandas as pd

from mnist1d_repro.claims import REPRODUCED, claim_field, claims_by_name, rule_history
from mnist1d_repro.plotting import verdict_plot
from mnist1d_repro.registry import CLAIM_SECTIONS
from mnist1d_repro.io import save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.reporting import (VERDICT_ORDER, decided_by_text, ours_with_error, to_decide_text,
                                     verdict_counts_by_kind, write_caption_snippet, write_html_table)
from mnist1d_repro.verdict_plot import verdict_plot_rows, verdict_summary

log = start_job(snakemake)
tables = [pd.read_csv(path, keep_default_na=False, na_values=[""]) for path in snakemake.input]
claims = pd.concat(tables, ignore_index=True)
if "spread" not in claims:
    claims["spread"] = float("nan")
claims.insert(0, "report section", claims["claim_id"].map(claim_field(snakemake.params.claims, "section", CLAIM_SECTIONS)))
claims.insert(1, "figure", claims["claim_id"].map(snakemake.params.figures))
claims = claims.rename(columns={"source": "where in the paper"})
save_csv(snakemake.output.csv, claims)

summary = verdict_summary(claims["verdict"])
by_kind = f"By error kind: {verdict_counts_by_kind(claims)}."
log(summary + " " + by_kind)


def ours_text(row) -> str:
    return ours_with_error(row) or ""


history = rule_history(snakemake.params.claims, CLAIM_SECTIONS)
# the rows a reviewer must read first: not reproduced, then inconclusive, each section in report order
order = claims["verdict"].map({verdict: rank for rank, verdict in enumerate(VERDICT_ORDER)}).fillna(len(VERDICT_ORDER))
ordered = claims.assign(_rank=order).sort_values("_rank", kind="stable").drop(columns="_rank")
shown = ordered.assign(ours=ordered.apply(ours_text, axis=1), figure=ordered["figure"].map(lambda p: p.split("/")[-1]),
                       **{"decided by": ordered.apply(decided_by_text, axis=1),
                          "to decide": ordered.apply(to_decide_text, axis=1),
                          "rule history": ordered["claim_id"].map(history).fillna("")})[
    ["report section", "claim", "where in the paper", "target", "ours", "unit", "verdict", "decided by", "to decide",
     "figure", "why_this_tolerance", "rule history"]]
write_html_table(shown, snakemake.output.table, "Did the paper reproduce? Every checked claim",
                 links={"figure": [str(snakemake.report_href(path)) for path in ordered["figure"]]},
                 note=f"{summary} {by_kind} Not reproduced and inconclusive claims come first. Each row's figure or "
                      "table is under its report section in the Results menu; in the zip report (snakemake --report "
                      "results/report.zip) its name links to it. Rules, tolerances and each claim's error kind, with "
                      "why, are in config/claims.yaml. Ours: value ± standard error. The error kind says what could "
                      "make our number differ from the paper's and so what decides the verdict ('decided by'): exact "
                      "(a deterministic method on the paper's own data: the rule alone), seeds (the spread over seeds: "
                      "the margin must clear Student-t's 95 % quantile at n - 1 degrees of freedom times the standard "
                      "error; one seed cannot decide), paired (two arms on the same seeds or test samples: the spread of "
                      "their paired differences, judged alike) or population (a large fresh test set: the normal "
                      "quantile). An undecided verdict is inconclusive, and 'to decide' estimates what would decide it "
                      "if the spread stays what it is. 'Rule history': rules changed after their result was seen, "
                      "with the earlier form and the reason.")
per_section = claims.groupby("report section", sort=False)["verdict"].apply(
    lambda v: f"{(v == REPRODUCED).sum()} of {len(v)} reproduced")
write_caption_snippet(snakemake.output.snippet, [summary, by_kind] + [f"{s}: {text}" for s, text in per_section.items()])

specs = claims_by_name(snakemake.params.claims, CLAIM_SECTIONS)
verdict_plot(verdict_plot_rows(claims, specs), summary, snakemake.output.plot, scale=snakemake.config["scale"])
