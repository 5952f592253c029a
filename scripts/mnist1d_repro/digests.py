"""Digests of result files that compare what a run computed, not where or how long it ran.

A training result records its runtime (torch's version, the CPU's model name, threads): the
same numbers computed on two CPUs differ in those bytes only. A digest leaves the record out
(the "runtime" entry of a JSON file, the runtime_<key> columns of a CSV) and hashes the rest;
an .npz is hashed array by array, so that its zip timestamps do not count. Two runs whose
digests agree computed the same bytes.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

from .jobs import RUNTIME_COLUMNS_PREFIX

DATA_SUFFIXES = (".csv", ".json", ".npz")
# Files under results/ that record the run rather than what it computed: logs and benchmarks,
# the cost and schedule tables and Table 1's cost comparison (timings: each job's measured seconds),
# and the provenance record (the machine, the commit); and the deviations table, a rendering of
# config/deviations.yaml's wording that a text edit changes without any number moving.
RUN_RECORD_FOLDERS = ("logs", "benchmarks")
RUN_RECORD_FILES = ("review/cost.csv", "review/scale_out.csv", "review/critical_path.csv",
                    "review/provenance.json", "classification/cost_mnist_vs_mnist1d.csv",
                    "review/deviations.csv")


def _without_runtime(value):
    if isinstance(value, dict):
        return {key: _without_runtime(item) for key, item in value.items() if key != "runtime"}
    if isinstance(value, list):
        return [_without_runtime(item) for item in value]
    return value


def content_digest(path) -> str:
    """sha256 of a result file's content without its runtime record (see the module's docstring)."""
    path = Path(path)
    sha = hashlib.sha256()
    if path.suffix == ".json":
        data = json.loads(path.read_text())
        sha.update(json.dumps(_without_runtime(data), sort_keys=True, allow_nan=False).encode())
    elif path.suffix == ".csv":
        rows = list(csv.reader(io.StringIO(path.read_text(), newline="")))
        keep = [i for i, name in enumerate(rows[0] if rows else [])
                if name != "runtime" and not name.startswith(RUNTIME_COLUMNS_PREFIX)]  # the record, whole or split
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([[row[i] for i in keep if i < len(row)] for row in rows])
        sha.update(out.getvalue().encode())
    elif path.suffix == ".npz":
        import numpy as np

        with np.load(path, allow_pickle=False) as archive:
            for name in sorted(archive.files):
                array = np.ascontiguousarray(archive[name])
                sha.update(f"{name} {array.dtype.str} {array.shape}\n".encode())
                sha.update(array.tobytes())
    else:
        sha.update(path.read_bytes())
    return sha.hexdigest()


def is_computed_result(relative: Path) -> bool:
    """Whether a file under results/ holds computed numbers (not a log, a timing or the machine)."""
    return (relative.suffix in DATA_SUFFIXES and relative.parts[0] not in RUN_RECORD_FOLDERS
            and relative.as_posix() not in RUN_RECORD_FILES)


def result_digests(results, names=None) -> dict[str, str]:
    """{path relative to ``results``: content digest} for every computed result under ``results``,
    or for the relative paths in ``names`` only (a missing one raises FileNotFoundError)."""
    results = Path(results)
    if names is None:
        names = sorted(p.relative_to(results).as_posix() for p in results.rglob("*")
                       if p.is_file() and is_computed_result(p.relative_to(results)))
    return {name: content_digest(results / name) for name in names}


def compare_digests(ours: dict, recorded: dict) -> dict:
    """How ``ours`` stands against ``recorded`` (both {path: digest}): the paths whose digests
    differ, those only recorded (missing here) and those only here (not recorded), each sorted."""
    return {"differing": sorted(name for name in ours.keys() & recorded.keys() if ours[name] != recorded[name]),
            "missing": sorted(recorded.keys() - ours.keys()),
            "unrecorded": sorted(ours.keys() - recorded.keys())}
