"""The reviewer's summary: deviations from the paper, provenance and cost of a run."""
from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
from pathlib import Path

import pandas as pd
import yaml

DEVIATION_KEYS = ("topic", "section", "paper", "reference", "ours", "why")
PACKAGES = ("snakemake", "torch", "numpy", "scipy", "pandas", "matplotlib", "seaborn", "scikit-learn",
            "threadpoolctl", "pyyaml", "snakemake-executor-plugin-slurm")


def load_deviations(path) -> list[dict]:
    """The list in ``deviations.yaml``; every entry needs every key of DEVIATION_KEYS."""
    path = Path(path)
    entries = yaml.safe_load(path.read_text()) if path.is_file() else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: expected a non-empty list of deviations")
    for number, entry in enumerate(entries, 1):
        missing = [key for key in DEVIATION_KEYS if not str((entry or {}).get(key, "")).strip()]
        if missing:
            raise ValueError(f"{path}: deviation {number} needs {', '.join(missing)}")
    return entries


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
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    memory_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
                      if line.startswith("MemTotal")), None)
    facts = {"machine": platform.machine(), "system": platform.platform(), "cpu": cpu,
             "cpu_cores": os.cpu_count(), "memory_gb": round(memory_kb / 2 ** 20, 1) if memory_kb else None}
    import torch

    facts["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return facts


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
