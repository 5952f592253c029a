"""Report building blocks: claim tables, HTML rendering of CSV tables, caption snippets.

Report captions (report/*.rst) state the paper's claim in our words and include a snippet
that the rule writes next to its result, so the measured number sits beside the claim.
"""
from __future__ import annotations

import html

import pandas as pd

from .claims import NOT_REPRODUCED, NOT_RUN, REPRODUCED, target_text, verdict
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
p.note { color: #555; max-width: 60em; }
pre { background: #f7f7f7; padding: 0.8em; font-size: 0.85em; }
"""


def claims_table(claims: dict, measured: dict, digits: int = 1, spread: dict | None = None) -> pd.DataFrame:
    """One row per claim: what the paper says, the target, our number and the verdict.
    ``spread`` gives, where the number comes from several seeds or runs, their standard deviation."""
    rows = []
    spread = spread or {}
    for name, claim in claims.items():
        ours = measured.get(name)
        spread_value = spread.get(name)
        rows.append({
            "claim_id": name,
            "claim": claim["claim"],
            "source": claim.get("source", ""),
            "paper": claim.get("paper"),
            "target": target_text(claim),
            "ours": None if ours is None else round(float(ours), digits + 2),
            "spread": None if spread_value is None or pd.isna(spread_value) else round(float(spread_value), digits + 2),
            "unit": claim.get("unit", ""),
            "verdict": verdict(claim, ours),
            "why_this_tolerance": claim["why"],
        })
    return pd.DataFrame(rows)


SENSITIVITY_COLUMNS = ["claim_id", "switch", "setting", "default", "ours", "spread", "unit", "verdict"]


def sensitivity_table(claims: dict, switch: str, default: str, measured: dict, spread: dict | None = None,
                      digits: int = 1) -> pd.DataFrame:
    """The verdicts of a section's claims under every setting of one deviation switch (a
    config key listed in ``sensitivity`` and named in config/deviations.yaml). ``measured`` and
    ``spread`` map each setting (the default among them) to its claim values, as for
    ``claims_table``; a setting measures only the claims it can move."""
    if default not in measured:
        raise ValueError(f"sensitivity of '{switch}': no values for its default setting '{default}'")
    spread = spread or {}
    tables = []
    for setting, values in measured.items():
        moved = {name: claim for name, claim in claims.items() if name in values}
        table = claims_table(moved, values, digits=digits, spread=spread.get(setting))
        tables.append(table.assign(switch=switch, setting=setting, default=setting == default))
    return pd.concat(tables, ignore_index=True)[SENSITIVITY_COLUMNS]


def _cell(value, column: str) -> str:
    if column == "verdict" or value in (REPRODUCED, NOT_REPRODUCED, NOT_RUN):
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


def mean_and_spread(row, significant: int = 4) -> str | None:
    """A claims-table row's number as "mean ± spread" (just the mean where it ran once), None if
    it was not run."""
    if row["ours"] is None or pd.isna(row["ours"]):
        return None
    spread = row.get("spread")
    return f"{row['ours']:.{significant}g}" + ("" if spread is None or pd.isna(spread) else f" ± {spread:.2g}")


def verdict_sentence(row) -> str:
    """'paper 59.6 %, ours 59.4 % → reproduced' for a claims-table row."""
    unit = row["unit"] if row["unit"] == "%" else f" {row['unit']}"
    ours = "not run" if row["ours"] is None or pd.isna(row["ours"]) else f"{row['ours']:.3g}{unit}"
    mark = {REPRODUCED: "**reproduced**", NOT_REPRODUCED: "**not reproduced**"}.get(
        row["verdict"], row["verdict"])
    return f"target {row['target']}, ours {ours}: {mark}"


def write_caption_snippet(path, lines: list[str]) -> None:
    """reStructuredText included by a report caption (one bullet per line)."""
    with atomic_path(path, suffix=".rst") as tmp:
        tmp.write_text("\n".join(f"- {line}" for line in lines) + "\n")
