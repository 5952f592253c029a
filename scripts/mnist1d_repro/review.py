"""The reviewer's summary: deviations from the paper, provenance and cost of a run."""
from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
from pathlib import Path

import pandas as pd

from .claims import INCONCLUSIVE, NOT_REPRODUCED, NOT_RUN, REPRODUCED

PACKAGES = ("snakemake", "torch", "numpy", "scipy", "pandas", "matplotlib", "seaborn", "scikit-learn",
            "threadpoolctl", "pyyaml", "snakemake-executor-plugin-slurm")


def git_state(folder) -> dict:
    """Commit of the workflow's checkout and whether it had uncommitted changes."""
    def git(*args):
        proc = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {"commit": commit or "not a git checkout", "uncommitted_changes": bool(status)}


def package_versions() -> dict:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def hardware() -> dict:
    from .numerics import cpu_model

    cpu = cpu_model()  # with family, model and stepping: a virtual machine's bare "AMD EPYC" hides the generation
    memory_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
                      if line.startswith("MemTotal")), None)
    facts = {"machine": platform.machine(), "system": platform.platform(), "cpu": cpu,
             "cpu_cores": os.cpu_count(), "memory_gb": round(memory_kb / 2 ** 20, 1) if memory_kb else None}
    import torch

    facts["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return facts


RUNTIME_KEYS = ("device", "device_name", "torch", "cuda", "cudnn", "threads", "deterministic", "cpu_numerics", "cpu",
                "cpu_vector_width", "cpu_capability")


def runtime_records(results) -> pd.DataFrame:
    """Where the training results under ``results`` were computed: one row per distinct runtime
    record (see jobs.runtime_record; "none" where a version is absent), with the number of result
    files that hold it. A record is read from a JSON file's "runtime" entry or from a CSV's
    runtime_<key> columns (first row); a table that gathers several jobs' rows counts once."""
    import json

    from .jobs import RUNTIME_COLUMNS_PREFIX

    records = []
    for path in sorted(Path(results).rglob("*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and isinstance(data.get("runtime"), dict):
            records.append({key: data["runtime"].get(key) for key in RUNTIME_KEYS})
    for path in sorted(Path(results).rglob("*.csv")):
        with open(path) as f:
            if RUNTIME_COLUMNS_PREFIX + "device" not in f.readline():
                continue
        row = pd.read_csv(path, nrows=1).iloc[0]
        records.append({key: None if pd.isna(row.get(RUNTIME_COLUMNS_PREFIX + key))
                        else row[RUNTIME_COLUMNS_PREFIX + key] for key in RUNTIME_KEYS})
    if not records:
        return pd.DataFrame(columns=[*RUNTIME_KEYS, "files"])
    frame = pd.DataFrame(records).map(lambda value: "none" if value is None else str(value))
    return frame.groupby(list(RUNTIME_KEYS), sort=True).size().rename("files").reset_index()


def _read(path) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def cost_per_section(benchmarks, sections: dict) -> pd.DataFrame:
    """Jobs, summed job time, CPU time and the largest peak memory per section, from the
    benchmark file every job writes (results/benchmarks/<folder>/...)."""
    rows = []
    for path in sorted(Path(benchmarks).rglob("*.tsv")):
        frame = pd.read_csv(path, sep="\t")
        folder = path.relative_to(benchmarks).parts[0]
        rows.append({"section": sections.get(folder, folder), "seconds": float(frame["s"].iloc[-1]),
                     "cpu_seconds": float(frame["cpu_time"].iloc[-1]),
                     "max_rss_mb": float(frame["max_rss"].iloc[-1])})
    jobs = pd.DataFrame(rows, columns=["section", "seconds", "cpu_seconds", "max_rss_mb"])
    order = {name: i for i, name in enumerate(sections.values())}
    cost = (jobs.groupby("section")
            .agg(jobs=("seconds", "size"), job_minutes=("seconds", "sum"), cpu_minutes=("cpu_seconds", "sum"),
                 largest_job_minutes=("seconds", "max"), peak_memory_mb=("max_rss_mb", "max"))
            .reset_index())
    for column in ("job_minutes", "cpu_minutes", "largest_job_minutes"):
        cost[column] = cost[column] / 60
    return cost.sort_values("section", key=lambda s: s.map(lambda name: order.get(name, len(order))))


DEPENDS, HOLDS, NOT_RUN_ALTERNATIVE = "depends on the choice", "same verdict", "alternative not run"
NOT_RUN_CLAIM, UNDECIDED = "claim not run", "inconclusive under a setting"


def dependence(verdicts: set) -> str:
    """Whether a claim's verdicts under a switch's settings depend on the choice: only decided
    verdicts that disagree do; an inconclusive one among them leaves it open."""
    if verdicts == {NOT_RUN}:
        return NOT_RUN_CLAIM
    if {REPRODUCED, NOT_REPRODUCED} <= verdicts:
        return DEPENDS
    if INCONCLUSIVE in verdicts:
        return UNDECIDED
    return DEPENDS if len(verdicts) > 1 else HOLDS


def _value_text(row) -> str:
    if row["ours"] is None or pd.isna(row["ours"]):
        return f"{row['setting']}: not run"
    error = "" if pd.isna(row.get("se")) else f" ± {row['se']:.2g}"
    return f"{row['setting']}: {row['ours']:.4g}{error} → {row['verdict']}"


def sensitivity_matrix(runs: pd.DataFrame, deviations: list[dict], default_verdicts: dict) -> pd.DataFrame:
    """One row per claim and deviation that can move it: the verdict under the default setting
    and under every alternative that ran (``runs``: the rows of the sections' sensitivity
    tables), and whether the verdict depends on the choice. Claims a deviation lists in
    ``moves`` without an alternative run keep their default verdict (``default_verdicts``, from
    the review's claims table) and are marked as not run."""
    topic_of = {entry["switch"]: entry["topic"] for entry in deviations if entry["switch"]}
    pairs = {(name, entry["switch"] or "", entry["topic"]) for entry in deviations for name in entry["moves"]}
    pairs |= {(row.claim_id, row.switch, topic_of.get(row.switch, row.switch)) for row in runs.itertuples()}
    rows = []
    for claim, switch, topic in sorted(pairs, key=lambda p: (p[2], p[0])):
        ran = runs[(runs["claim_id"] == claim) & (runs["switch"] == switch)]
        default = ran[ran["default"].astype(bool)]
        others = ran[~ran["default"].astype(bool)]
        if default.empty or others.empty:
            rows.append({"claim_id": claim, "deviation": topic, "switch": switch or "none",
                         "default setting": _value_text(default.iloc[0]) if len(default) else
                         f"default: {default_verdicts.get(claim, 'not run')}",
                         "other settings": "", "verdict": NOT_RUN_ALTERNATIVE})
            continue
        verdicts = set(ran["verdict"])
        rows.append({"claim_id": claim, "deviation": topic, "switch": switch,
                     "default setting": _value_text(default.iloc[0]),
                     "other settings": "; ".join(_value_text(row) for _, row in others.iterrows()),
                     "verdict": dependence(verdicts)})
    return pd.DataFrame(rows, columns=["claim_id", "deviation", "switch", "default setting", "other settings",
                                       "verdict"])
