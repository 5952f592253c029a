"""Report building blocks: claim tables, HTML rendering of CSV tables, caption snippets.

Report captions (report/*.rst) state the paper's claim in our words and include a snippet
that the rule writes next to its result, so the measured number sits beside the claim.
"""
from __future__ import annotations

import html
import math

import pandas as pd

from .claims import (INCONCLUSIVE, MAX_SEEDS, NOT_REPRODUCED, NOT_RUN, PAIRED, POPULATION, REPRODUCED, SEEDS,
                     error_kind, judge, target_text, with_tolerance_from_spread)
from .io import atomic_path

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.35em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.reproduced { background: #e3f4e1; }
.not-reproduced { background: #fbe3e1; }
.not-run { background: #eeeeee; color: #666; }
.inconclusive { background: #fdf3d6; }
p.note { color: #555; max-width: 60em; }
pre { background: #f7f7f7; padding: 0.8em; font-size: 0.85em; }
"""


def standard_error(spread: float | None, n: int | None) -> float | None:
    """The standard error of a mean over ``n`` seeds whose standard deviation is ``spread``."""
    if spread is None or n is None or n < 2 or pd.isna(spread):
        return None
    return float(spread) / math.sqrt(n)


def _rounded(value, digits):
    return None if value is None or pd.isna(value) else round(float(value), digits)


def claims_table(claims: dict, measured: dict, digits: int = 1, spread: dict | None = None,
                 se: dict | None = None, n: dict | None = None,
                 tolerance_spread: dict | None = None) -> pd.DataFrame:
    """One row per claim: what the paper says, the target, our number with its standard error,
    the verdict and, if it is inconclusive, what would decide it (to_decide_text).
    ``spread``: the standard deviation over seeds or runs, where there were several; ``n``: how
    many seeds or runs a number comes from; ``se``: its standard error, by default spread/sqrt(n);
    ``tolerance_spread``: for a claim whose band is ``tolerance_from_spread`` standard deviations,
    the measured spread that sets it."""
    spread, se, n, tolerance_spread = spread or {}, se or {}, n or {}, tolerance_spread or {}
    unknown = sorted(set(measured) - set(claims))
    if unknown:
        raise ValueError(f"values for claims that config/claims.yaml does not have: {unknown}")
    rows = []
    for name, claim in claims.items():
        claim = with_tolerance_from_spread(claim, tolerance_spread.get(name))
        ours = measured.get(name)
        error = se.get(name, standard_error(spread.get(name), n.get(name)))
        judged = judge(claim, ours, error, n.get(name))
        rows.append({
            "claim_id": name,
            "claim": claim["claim"],
            "source": claim.get("source", ""),
            "paper": claim.get("paper"),
            "target": target_text(claim),
            "ours": None if ours is None else round(float(ours), digits + 2),
            "se": _rounded(error, digits + 2),
            "spread": _rounded(spread.get(name), digits + 2),
            "n": n.get(name),
            "unit": claim.get("unit", ""),
            "error_kind": error_kind(claim),
            "critical": _rounded(judged["critical"], 3),
            "verdict": judged["verdict"],
            "seeds_needed": judged["seeds_needed"],
            "why_this_tolerance": claim["why"],
        })
    return pd.DataFrame(rows)


SENSITIVITY_COLUMNS = ["claim_id", "switch", "setting", "default", "ours", "se", "spread", "unit", "verdict"]


def sensitivity_table(claims: dict, switch: str, default: str, measured: dict, spread: dict | None = None,
                      digits: int = 1, se: dict | None = None, n: dict | None = None,
                      tolerance_spread: dict | None = None) -> pd.DataFrame:
    """The verdicts of a section's claims under every setting of one deviation switch (a
    config key listed in ``sensitivity`` and named in config/deviations.yaml). ``measured``,
    ``spread``, ``se`` and ``n`` map each setting (the default among them) to its claim values,
    as for ``claims_table``; a setting measures only the claims it can move. ``tolerance_spread``
    (one for every setting) sets the bands of claims whose tolerance comes from a spread."""
    if default not in measured:
        raise ValueError(f"sensitivity of '{switch}': no values for its default setting '{default}'")
    spread, se, n = spread or {}, se or {}, n or {}
    tables = []
    for setting, values in measured.items():
        moved = {name: claim for name, claim in claims.items() if name in values}
        table = claims_table(moved, values, digits=digits, spread=spread.get(setting), se=se.get(setting),
                             n=n.get(setting), tolerance_spread=tolerance_spread)
        tables.append(table.assign(switch=switch, setting=setting, default=setting == default))
    return pd.concat(tables, ignore_index=True)[SENSITIVITY_COLUMNS]


def _cell(value, column: str) -> str:
    if column == "verdict" or value in (REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE, NOT_RUN):
        css = str(value).replace(" ", "-")
        return f'<td class="{css}">{html.escape(str(value))}</td>'
    if isinstance(value, float):
        shown = "" if pd.isna(value) else f"{value:.4g}"
        return f'<td class="num">{shown}</td>'
    return f"<td>{html.escape('' if value is None else str(value))}</td>"


def _link_cell(text, href) -> str:
    return f'<td><a class="report-link" href="{html.escape(str(href))}" target="_blank">{html.escape(str(text))}</a></td>'


# Snakemake's single-file report shows a table page from a data: URL, where links between
# report items cannot resolve (its zip report keeps real files): there, show their text only.
_LINK_FALLBACK = ("<script>if (location.protocol === 'data:') document.querySelectorAll('a.report-link')"
                  ".forEach(a => a.replaceWith(a.textContent));</script>")


def html_table(frame: pd.DataFrame, links: dict | None = None) -> str:
    """A table element; verdict cells are coloured, numbers right-aligned. ``links`` maps a
    column to one href per row (e.g. ``snakemake.report_href``), which its cells link to."""
    links = links or {}
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "\n".join(
        "<tr>" + "".join(_link_cell(row[c], links[c][i]) if c in links else _cell(row[c], c)
                         for c in frame.columns) + "</tr>"
        for i, (_, row) in enumerate(frame.iterrows())
    )
    return (f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"
            + (_LINK_FALLBACK if links else ""))


def page(title: str, body: str) -> str:
    """A standalone HTML page in the report's table style."""
    return (f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body><h2>{html.escape(title)}</h2>{body}</body></html>\n")


def write_html_table(frame: pd.DataFrame, path, title: str, note: str = "", links: dict | None = None) -> None:
    """A standalone HTML page with the table; verdict cells are coloured."""
    note_html = f'<p class="note">{html.escape(note)}</p>' if note else ""
    with atomic_path(path, suffix=".html") as tmp:
        tmp.write_text(page(title, note_html + html_table(frame, links)))


def ours_with_error(row, significant: int = 4) -> str | None:
    """A claims-table row's number as "value ± standard error" (the value alone where it has
    none), None if it was not run."""
    if row["ours"] is None or pd.isna(row["ours"]):
        return None
    error = row.get("se")
    return f"{row['ours']:.{significant}g}" + ("" if error is None or pd.isna(error) else f" ± {error:.2g}")


def to_decide_text(row) -> str:
    """What would decide an inconclusive verdict; '' otherwise. Where the error is the spread over
    several seeds or runs (``n`` > 1): that many seeds, '54 seeds'. Where a claim over seeds ran one
    seed: '2 seeds or more (one has no spread)'. Where the error is the sampling error of a test set
    (a population claim, a one-seed paired one, or a row from before error kinds with no ``n``):
    a multiple of the test samples, '10× the test samples'. Beyond MAX_SEEDS: '> 100 seeds',
    '> 100× the test samples'."""
    if row["verdict"] != INCONCLUSIVE:
        return ""
    needed, n, kind = row.get("seeds_needed"), row.get("n"), row.get("error_kind")
    over_seeds = n is not None and not pd.isna(n) and n > 1
    if kind in (SEEDS, PAIRED) and not over_seeds and (kind == SEEDS or pd.isna(row.get("se"))):
        return "2 seeds or more (one has no spread)"
    count = f"> {MAX_SEEDS}" if needed is None or pd.isna(needed) else f"{int(needed)}"
    if kind == POPULATION or not over_seeds:
        return f"{count}× the test samples"
    return f"{count} seeds"


def decided_by_text(row) -> str:
    """What a claims-table row's verdict was judged by, from its error kind and critical value:
    'the rule alone (exact)', '4.3 SE (Student-t, 2 df; paired)', '1.96 SE (normal; population)',
    'nothing: one seed has no spread (seeds)'; '' for a row without an error kind."""
    kind, critical, n = row.get("error_kind"), row.get("critical"), row.get("n")
    if kind is None or pd.isna(kind):
        return ""
    if row["verdict"] == NOT_RUN:
        return f"not run ({kind})"
    over_seeds = kind in (SEEDS, PAIRED) and n is not None and not pd.isna(n) and n > 1
    if critical is None or pd.isna(critical):
        if kind in (SEEDS, PAIRED) and not over_seeds:
            return f"nothing: one seed has no spread ({kind})"
        return f"nothing: no finite error ({kind})"
    if critical == 0:
        return f"the rule alone ({kind})"
    quantile = f"Student-t, {int(n) - 1} df" if over_seeds else "normal"
    return f"{critical:.3g} SE ({quantile}; {kind})"


VERDICT_ORDER = (NOT_REPRODUCED, INCONCLUSIVE, REPRODUCED, NOT_RUN)


def rejudged_verdicts(claims: pd.DataFrame, claim_specs: dict) -> pd.Series:
    """Each row's verdict judged again by today's engine from its recorded value, standard error
    and n (``claims``: a review claims table, e.g. one recorded before error kinds existed;
    ``claim_specs``: every claim of config/claims.yaml by id). A band set from a spread is taken as
    recorded in the row's target, which the engine cannot rebuild."""
    def number(value):
        return None if value is None or pd.isna(value) else float(value)

    verdicts = []
    for row in claims.itertuples():
        n = number(getattr(row, "n", None))
        verdicts.append(judge(claim_specs[row.claim_id], number(row.ours), number(row.se),
                              None if n is None else int(n))["verdict"])
    return pd.Series(verdicts, index=claims.index, name="verdict")


def verdict_counts_by_kind(claims: pd.DataFrame) -> str:
    """'exact: 7 (7 reproduced); seeds: 29 (12 reproduced, 15 inconclusive, 2 not reproduced); ...'."""
    parts = []
    for kind, verdicts in claims.groupby("error_kind", sort=True)["verdict"]:
        counts = verdicts.value_counts()
        detail = ", ".join(f"{counts[v]} {v}" for v in VERDICT_ORDER if counts.get(v, 0))
        parts.append(f"{kind}: {len(verdicts)} ({detail})")
    return "; ".join(parts)


def verdict_sentence(row) -> str:
    """'target 59.6 ± 1 %, ours 59.4 ± 1.5 % → **reproduced**' for a claims-table row."""
    unit = row["unit"] if row["unit"] == "%" else f" {row['unit']}"
    ours = ours_with_error(row, 3)
    ours = "not run" if ours is None else f"{ours}{unit}"
    mark = {REPRODUCED: "**reproduced**", NOT_REPRODUCED: "**not reproduced**",
            INCONCLUSIVE: "**inconclusive**"}.get(row["verdict"], row["verdict"])
    needed = to_decide_text(row)
    return f"target {row['target']}, ours {ours}: {mark}" + (f" ({needed} would decide it)" if needed else "")


def write_caption_snippet(path, lines: list[str]) -> None:
    """reStructuredText included by a report caption (one bullet per line). A "|" in a line (e.g. a
    unit such as |pooled minus none|) is escaped: unescaped, reStructuredText reads a substitution."""
    with atomic_path(path, suffix=".rst") as tmp:
        tmp.write_text("\n".join("- " + line.replace("|", "\\|") for line in lines) + "\n")
