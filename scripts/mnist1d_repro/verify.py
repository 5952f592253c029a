"""A reviewer's run against a recorded one (the README's ``paper-run/``), section by section.

The record keeps the digests of every computed result of its run (``manifest.json``, see
manifest.py) and the review's files in full (``claims.csv``, ``provenance.json`` ...). So every
result file can be said to be identical, different or missing, and where a file differs, how far
the claims of its section moved is read from the two claims tables: the largest difference of
"ours" over the section's claims, in each claim's own unit.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from .digests import compare_digests, result_digests

MANIFEST = "manifest.json"
SETTINGS_SHOWN = ("cpu_numerics", "device", "scale")


def section_of(name: str) -> str:
    """The results folder a result file belongs to (``data`` for the generated datasets)."""
    return name.split("/", 1)[0]


def file_outcomes(results, manifest: dict) -> pd.DataFrame:
    """One row per result file of either run: its section and whether it is identical, different,
    missing here (recorded only) or unrecorded (here only)."""
    comparison = compare_digests(result_digests(results), manifest["files"])
    status = {name: "identical" for name in manifest["files"]}
    for kind in ("differing", "missing", "unrecorded"):
        status.update({name: kind for name in comparison[kind]})
    rows = [{"file": name, "section": section_of(name), "status": status[name]} for name in sorted(status)]
    return pd.DataFrame(rows, columns=["file", "section", "status"])


def _ours(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def claim_differences(ours: pd.DataFrame, recorded: pd.DataFrame) -> pd.DataFrame:
    """Per claim found in both claims tables: the section (the results folder of the claim's figure),
    both values, |difference| (None where either is not a finite number) and both verdicts."""
    merged = ours.merge(recorded, on="claim_id", suffixes=("", "_recorded"))
    rows = []
    for row in merged.itertuples(index=False):
        here, there = _ours(row.ours), _ours(row.ours_recorded)
        section = str(row.figure).removeprefix("results/").split("/", 1)[0]
        rows.append({"claim_id": row.claim_id, "section": section, "ours": here, "recorded": there,
                     "difference": None if here is None or there is None else abs(here - there),
                     "verdict": row.verdict, "verdict_recorded": row.verdict_recorded})
    return pd.DataFrame(rows, columns=["claim_id", "section", "ours", "recorded", "difference", "verdict",
                                       "verdict_recorded"])


def claims_before_after(after: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """Every claim of either claims table, in the order of ``after`` (then claims only ``before`` has): the
    value ± standard error, the error kind and the verdict in each; a run recorded before error kinds has
    none ('')."""
    from .reporting import ours_with_error

    def described(table: pd.DataFrame) -> pd.DataFrame:
        kind = table["error_kind"] if "error_kind" in table else pd.Series("", index=table.index)
        return pd.DataFrame({"claim_id": table["claim_id"],
                             "ours": [ours_with_error(row, significant=3) or "not run" for _, row in table.iterrows()],
                             "kind": kind.fillna(""), "verdict": table["verdict"]})

    merged = described(after).merge(described(before), on="claim_id", how="outer", suffixes=("", "_before"),
                                     sort=False)
    order = {claim: i for i, claim in enumerate(dict.fromkeys([*after["claim_id"], *before["claim_id"]]))}
    merged = merged.sort_values("claim_id", key=lambda ids: ids.map(order), kind="stable").fillna("")
    return pd.DataFrame({
        "claim_id": merged["claim_id"], "before": merged["ours_before"], "before kind": merged["kind_before"],
        "before verdict": merged["verdict_before"], "after": merged["ours"], "after kind": merged["kind"],
        "after verdict": merged["verdict"], "moved": merged["verdict"] != merged["verdict_before"]},
    ).reset_index(drop=True)


def section_summary(files: pd.DataFrame, claims: pd.DataFrame | None) -> pd.DataFrame:
    """Per section: its verdict (identical, numerically different, missing files), the file counts,
    and where claims were compared, the largest claim difference and the verdicts that changed."""
    rows = []
    for section, group in files.groupby("section", sort=True):
        counts = group["status"].value_counts()
        mine = claims[claims["section"] == section] if claims is not None else pd.DataFrame()
        largest = mine["difference"].dropna().max() if len(mine) else float("nan")
        changed = mine[mine["verdict"] != mine["verdict_recorded"]]["claim_id"].tolist() if len(mine) else []
        if counts.get("missing", 0):
            outcome = "missing files"
        elif counts.get("differing", 0) or counts.get("unrecorded", 0):
            outcome = "numerically different"
        else:
            outcome = "identical"
        rows.append({"section": section, "outcome": outcome, "files": len(group),
                     "identical": int(counts.get("identical", 0)), "different": int(counts.get("differing", 0)),
                     "missing": int(counts.get("missing", 0)), "unrecorded": int(counts.get("unrecorded", 0)),
                     "largest claim difference": None if math.isnan(largest) else float(largest),
                     "verdicts changed": ", ".join(changed)})
    return pd.DataFrame(rows)


def run_facts(provenance: dict) -> dict:
    """What a reviewer compares first: the commit, the CPU, and the settings that change numbers."""
    config, hardware = provenance.get("config", {}), provenance.get("hardware", {})
    return {"commit": provenance.get("git", {}).get("commit"), "cpu": hardware.get("cpu"),
            **{key: config.get(key) for key in SETTINGS_SHOWN}}


def verify(results, record) -> dict:
    """Compare the run under ``results`` with the ``record`` folder: {"sections", "files", "claims",
    "ours", "recorded"}; raises FileNotFoundError naming what is missing."""
    results, record = Path(results), Path(record)
    if not (record / MANIFEST).is_file():
        raise FileNotFoundError(f"{record / MANIFEST} is missing: the record keeps no digests of its run "
                                f"(write it with `python scripts/readme_results.py --record {record}` after a run)")
    if not results.is_dir():
        raise FileNotFoundError(f"{results} is not a folder of results (run `snakemake --cores N` first)")
    manifest = json.loads((record / MANIFEST).read_text())
    files = file_outcomes(results, manifest)
    claims = None
    if (results / "review" / "claims.csv").is_file() and (record / "claims.csv").is_file():
        read = dict(keep_default_na=False, na_values=[""])
        claims = claim_differences(pd.read_csv(results / "review" / "claims.csv", **read),
                                   pd.read_csv(record / "claims.csv", **read))
    provenance = {}
    for name, path in (("ours", results / "review" / "provenance.json"), ("recorded", record / "provenance.json")):
        provenance[name] = run_facts(json.loads(path.read_text())) if path.is_file() else {}
    return {"sections": section_summary(files, claims), "files": files, "claims": claims,
            "ours": provenance["ours"], "recorded": provenance["recorded"]}
