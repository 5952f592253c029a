"""How long a finished run would take on more cores: its job DAG, rebuilt from the metadata records Snakemake keeps in
``.snakemake/metadata``, with each job's measured duration, its critical path, and a list schedule of the jobs on N
identical cores (or Slurm slots that cost a fixed overhead per submitted job).

Snakemake writes one JSON record per output file. The file name is ``urlsafe_b64encode(path)``; a name longer than
the file system allows (``PC_NAME_MAX``, usually 255) is cut into pieces of ``PC_NAME_MAX - 1`` characters, every
piece but the last becoming a sub-folder named ``"@" + piece``. The records of one job's outputs share its
``job_hash`` (Python's ``hash`` of the Job object, unique among the jobs of one run but not across runs).
"""
from __future__ import annotations

import binascii
import heapq
import json
import os
import re
from base64 import urlsafe_b64decode
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path

import pandas as pd

from .jobs import logged_threads

JOB_COLUMNS = ["job", "job_hash", "rule", "outputs", "inputs", "log", "start", "end", "seconds"]
SAME_JOB_SLACK_SECONDS = 1.0


def record_path_to_output(relative: str | Path) -> str | None:
    """The output path a metadata record's path (relative to the metadata folder) stands for; None when the name is
    not one Snakemake writes."""
    parts = Path(relative).parts
    if not parts or any(not part.startswith("@") for part in parts[:-1]) or parts[-1].startswith("@"):
        return None
    encoded = "".join(part[1:] for part in parts[:-1]) + parts[-1]
    try:
        return urlsafe_b64decode(encoded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None


def _as_paths(value) -> tuple[str, ...]:
    """A record's list of paths as a sorted tuple; None is no paths and a lone string is one path."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(sorted(str(path) for path in value))


def _read_records(metadata_dir: Path) -> list[dict]:
    """Every complete, readable record under ``metadata_dir`` with its output path."""
    records = []
    for folder, _, names in os.walk(metadata_dir):
        for name in names:
            file = Path(folder) / name
            output = record_path_to_output(file.relative_to(metadata_dir))
            if output is None:
                continue
            try:
                record = json.loads(file.read_text())
            except (OSError, UnicodeError, json.JSONDecodeError):
                continue
            if not isinstance(record, dict) or record.get("incomplete"):
                continue
            start, end = record.get("starttime"), record.get("endtime")
            if start is None or end is None or record.get("job_hash") is None:
                continue
            records.append({"output": output, "job_hash": record["job_hash"], "rule": record.get("rule") or "",
                            "inputs": _as_paths(record.get("input")), "logs": _as_paths(record.get("log")),
                            "start": float(start), "end": float(end)})
    return records


def _split_into_jobs(records: list[dict]) -> list[list[dict]]:
    """Records sharing a job hash, split where they cannot be one job: a different rule, inputs or logs, or times
    that do not overlap (a job of another run that happened to get the same hash)."""
    by_key: dict[tuple, list[dict]] = {}
    for record in records:
        by_key.setdefault((record["job_hash"], record["rule"], record["inputs"], record["logs"]), []).append(record)
    jobs = []
    for group in by_key.values():
        group.sort(key=lambda record: (record["start"], record["output"]))
        current, current_end = [group[0]], group[0]["end"]
        for record in group[1:]:
            if record["start"] > current_end + SAME_JOB_SLACK_SECONDS:
                jobs.append(current)
                current, current_end = [], record["end"]
            current.append(record)
            current_end = max(current_end, record["end"])
        jobs.append(current)
    return jobs


def read_job_records(metadata_dir: str | Path) -> pd.DataFrame:
    """One row per finished job recorded in a Snakemake metadata folder (``.snakemake/metadata``), sorted by start.

    ``job`` is the job hash; when records sharing a hash cannot be one job (see ``_split_into_jobs``), each of the
    jobs gets the id ``"<hash>.<n>"`` (n = 1, 2, ... by start time) instead. Incomplete records and records
    without times are skipped."""
    metadata_dir = Path(metadata_dir)
    if not metadata_dir.is_dir():
        raise FileNotFoundError(f"no metadata folder at {metadata_dir}")
    groups = _split_into_jobs(_read_records(metadata_dir))
    per_hash: dict[int, int] = {}
    for group in groups:
        per_hash[group[0]["job_hash"]] = per_hash.get(group[0]["job_hash"], 0) + 1
    groups.sort(key=lambda group: (group[0]["job_hash"], min(record["start"] for record in group)))
    rows, seen = [], {}
    for group in groups:
        job_hash = group[0]["job_hash"]
        job: Hashable = job_hash
        if per_hash[job_hash] > 1:
            seen[job_hash] = seen.get(job_hash, 0) + 1
            job = f"{job_hash}.{seen[job_hash]}"
        start, end = min(record["start"] for record in group), max(record["end"] for record in group)
        rows.append({"job": job, "job_hash": job_hash, "rule": group[0]["rule"],
                     "outputs": tuple(sorted(record["output"] for record in group)), "inputs": group[0]["inputs"],
                     "log": group[0]["logs"][0] if group[0]["logs"] else "", "start": start, "end": end,
                     "seconds": end - start})
    table = pd.DataFrame(rows, columns=JOB_COLUMNS)
    return table.sort_values(["start", "end"], kind="stable").reset_index(drop=True)


def _producers(jobs: pd.DataFrame) -> dict[str, Hashable]:
    """Output path -> the job that wrote it."""
    return {output: job for job, outputs in zip(jobs["job"], jobs["outputs"]) for output in outputs}


def job_dependencies(jobs: pd.DataFrame) -> dict[Hashable, set[Hashable]]:
    """For every job, the jobs that wrote one of its inputs."""
    producer = _producers(jobs)
    return {job: {producer[path] for path in inputs if path in producer}
            for job, inputs in zip(jobs["job"], jobs["inputs"])}


def jobs_upstream_of(jobs: pd.DataFrame, dependencies: Mapping[Hashable, Iterable[Hashable]],
                     files: Iterable[str]) -> set[Hashable]:
    """The jobs that wrote ``files`` and, transitively, every job they needed. Files no job wrote are ignored."""
    producer = _producers(jobs)
    pending = [producer[file] for file in files if file in producer]
    found: set[Hashable] = set()
    while pending:
        job = pending.pop()
        if job not in found:
            found.add(job)
            pending.extend(dependencies.get(job, ()))
    return found


def _id_order(job: Hashable) -> tuple:
    """A sort key for job ids that may mix types (ints and strings)."""
    return type(job).__name__, job


def _checked_graph(durations: Mapping[Hashable, float], dependencies: Mapping[Hashable, Iterable[Hashable]]
                   ) -> tuple[dict[Hashable, int], dict[Hashable, list[Hashable]]]:
    """How many dependencies each job waits for, and each job's dependents. Jobs in ``dependencies`` but not in
    ``durations`` are left out; a job depending on one that is not in ``durations`` is an error."""
    waiting = {job: 0 for job in durations}
    dependents: dict[Hashable, list[Hashable]] = {job: [] for job in durations}
    for job in durations:
        if durations[job] < 0:
            raise ValueError(f"job {job!r} has a negative duration {durations[job]}")
        for needed in set(dependencies.get(job, ())):
            if needed not in durations:
                raise ValueError(f"job {job!r} depends on unknown job {needed!r}")
            waiting[job] += 1
            dependents[needed].append(job)
    return waiting, dependents


def _cycle_error(unfinished: set[Hashable], dependencies: Mapping[Hashable, Iterable[Hashable]]) -> ValueError:
    """The error for jobs that never became ready, naming the jobs of one cycle among them."""
    job = min(unfinished, key=_id_order)
    walked: list[Hashable] = []
    while job not in walked:
        walked.append(job)
        job = min((needed for needed in dependencies.get(job, ()) if needed in unfinished), key=_id_order)
    cycle = walked[walked.index(job):]
    return ValueError(f"dependency cycle through job {job!r}: " + " -> ".join(repr(j) for j in cycle + [job]))


def critical_path(durations: Mapping[Hashable, float], dependencies: Mapping[Hashable, Iterable[Hashable]]
                  ) -> tuple[list[Hashable], float]:
    """The chain of dependent jobs with the largest total duration, first job first, and that total."""
    waiting, dependents = _checked_graph(durations, dependencies)
    ready = sorted((job for job, count in waiting.items() if count == 0), key=_id_order)
    finish: dict[Hashable, float] = {}
    previous: dict[Hashable, Hashable | None] = {}
    while ready:
        job = ready.pop()
        longest = max(set(dependencies.get(job, ())), key=lambda needed: (finish[needed], _id_order(needed)),
                      default=None)
        previous[job] = longest
        finish[job] = (finish[longest] if longest is not None else 0.0) + durations[job]
        for later in dependents[job]:
            waiting[later] -= 1
            if waiting[later] == 0:
                ready.append(later)
    if len(finish) < len(durations):
        raise _cycle_error(set(durations) - set(finish), dependencies)
    if not finish:
        return [], 0.0
    last = max(finish, key=lambda job: (finish[job], _id_order(job)))
    chain = [last]
    while previous[chain[-1]] is not None:
        chain.append(previous[chain[-1]])
    return chain[::-1], finish[last]


def cores_taken(threads: Mapping[Hashable, int] | None, job: Hashable, cores: int) -> int:
    """The cores a job holds: its threads (missing: 1), at most all ``cores``, as Snakemake scales them down."""
    return max(1, min(int((threads or {}).get(job, 1)), cores))


def list_schedule(durations: Mapping[Hashable, float], dependencies: Mapping[Hashable, Iterable[Hashable]],
                  cores: int, priority: Mapping[Hashable, float] | None = None,
                  order: Mapping[Hashable, float] | None = None, overhead: float = 0.0,
                  threads: Mapping[Hashable, int] | None = None) -> dict:
    """Simulate running the jobs on ``cores`` identical cores, each job holding as many cores as its ``threads``
    (missing: 1; at most ``cores``) for its duration plus ``overhead``. Whenever cores are free they start the ready
    jobs that fit, in order of the highest ``priority`` (missing: 0), ties going to the lowest ``order`` (missing:
    0), then the lowest job id; a job that needs more cores than are free lets the next ones start.

    Returns ``{"wall": makespan, "start": {job: start time}, "busy": share of the core-time spent in jobs}``."""
    if cores < 1:
        raise ValueError(f"cores must be at least 1, not {cores}")
    if overhead < 0:
        raise ValueError(f"overhead must not be negative, not {overhead}")
    priority, order = priority or {}, order or {}
    waiting, dependents = _checked_graph(durations, dependencies)
    rank = {job: index for index, job in enumerate(sorted(durations, key=_id_order))}
    need = {job: cores_taken(threads, job, cores) for job in durations}

    def ready_key(job: Hashable) -> tuple:
        return -priority.get(job, 0.0), order.get(job, 0.0), rank[job], job

    ready = [ready_key(job) for job, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    running: list[tuple[float, int, Hashable]] = []
    start: dict[Hashable, float] = {}
    now, free = 0.0, cores
    while ready or running:
        too_wide = []
        while ready and free > 0:
            key = heapq.heappop(ready)
            job = key[-1]
            if need[job] > free:
                too_wide.append(key)
                continue
            start[job], free = now, free - need[job]
            heapq.heappush(running, (now + durations[job] + overhead, rank[job], job))
        for key in too_wide:
            heapq.heappush(ready, key)
        now = running[0][0]
        while running and running[0][0] == now:
            job = heapq.heappop(running)[-1]
            free += need[job]
            for later in dependents[job]:
                waiting[later] -= 1
                if waiting[later] == 0:
                    heapq.heappush(ready, ready_key(later))
    if len(start) < len(durations):
        raise _cycle_error(set(durations) - set(start), dependencies)
    work = sum((durations[job] + overhead) * need[job] for job in durations)
    wall = max((start[job] + durations[job] + overhead for job in start), default=0.0)
    return {"wall": wall, "start": start, "busy": work / (cores * wall) if wall > 0 else 0.0}


def scale_out(durations: Mapping[Hashable, float], dependencies: Mapping[Hashable, Iterable[Hashable]],
              priority: Mapping[Hashable, float] | None, order: Mapping[Hashable, float] | None,
              cores: Iterable[int] = (2, 8, 32, 128), overhead: float = 0.0,
              threads: Mapping[Hashable, int] | None = None) -> pd.DataFrame:
    """The predicted wall time for each number of cores, with the two lower bounds no schedule can beat: the critical
    path and the total work (each job's time times the cores it holds) spread evenly over the cores (both counting
    ``overhead`` per job). A job keeps its measured time on any number of cores, which holds from its ``threads``
    up (the prediction for fewer cores than a job's threads is optimistic)."""
    with_overhead = {job: seconds + overhead for job, seconds in durations.items()}
    _, longest_chain = critical_path(with_overhead, dependencies)
    rows = []
    for count in cores:
        result = list_schedule(durations, dependencies, count, priority, order, overhead, threads)
        work = sum(seconds * cores_taken(threads, job, count) for job, seconds in with_overhead.items())
        rows.append({"cores": count, "wall_seconds": result["wall"], "busy": result["busy"],
                     "critical_path_seconds": longest_chain, "work_per_core_seconds": work / count})
    return pd.DataFrame(rows, columns=["cores", "wall_seconds", "busy", "critical_path_seconds",
                                       "work_per_core_seconds"])


def invocation_cores(log_dir: str | Path) -> int | None:
    """The cores of the newest Snakemake invocation in ``log_dir`` (``.snakemake/log``: a job that asks is part of
    it), from its "Provided cores" line; None if there is none."""
    logs = sorted(Path(log_dir).glob("*.snakemake.log"))
    if not logs:
        return None
    found = re.search(r"^Provided cores: (\d+)", logs[-1].read_text(errors="replace"), re.M)
    return int(found.group(1)) if found else None


def benchmark_seconds(log: str, logs_dir: str, benchmarks_dir: str) -> float | None:
    """The job time in the benchmark file beside a job's log (the same path under ``benchmarks_dir`` with .tsv for
    .log), or None when there is none."""
    if not log.startswith(logs_dir.rstrip("/") + "/"):
        return None
    path = Path(benchmarks_dir) / Path(log).relative_to(logs_dir).with_suffix(".tsv")
    if not path.exists():
        return None
    return float(pd.read_csv(path, sep="\t")["s"].iloc[0])


def run_scale_out(metadata_dir: str | Path, files: Iterable[str], rule_priority: Mapping[str, float],
                  cores: Iterable[int], slurm_overhead: float, logs_dir: str, benchmarks_dir: str) -> dict:
    """The scale-out page of one finished run: the jobs that made ``files`` (read from ``metadata_dir``), their
    critical path, and the predicted wall time on each number of ``cores``, locally and on a Slurm cluster that
    adds ``slurm_overhead`` seconds to every submitted job. A job takes the time in its benchmark file (Snakemake
    writes both metadata times at the end of a job run by a cluster executor), else its metadata's end minus start.
    Each job has its rule's priority and holds the cores of the threads its log says it ran; ties go to the job the
    run started first, so the prediction for the run's own core count replays its order.

    Returns ``{"jobs", "critical_path" (rule, log, seconds), "predicted" (one row per core count), "measured_wall"
    (from the first job's start, its end less its time, to the last job's end)}``."""
    jobs = read_job_records(metadata_dir)
    dependencies = job_dependencies(jobs)
    jobs = jobs[jobs["job"].isin(jobs_upstream_of(jobs, dependencies, files))]
    if jobs.empty:
        raise ValueError(f"no finished job in {metadata_dir} wrote any of the files asked about")
    measured = [benchmark_seconds(log, logs_dir, benchmarks_dir) for log in jobs["log"]]
    jobs = jobs.assign(seconds=[seconds if found is None else found for seconds, found in zip(jobs["seconds"], measured)])
    durations = dict(zip(jobs["job"], jobs["seconds"]))
    priority = {job: float(rule_priority.get(rule, 0)) for job, rule in zip(jobs["job"], jobs["rule"])}
    order = dict(zip(jobs["job"], jobs["start"]))
    threads = {job: logged_threads(log) for job, log in zip(jobs["job"], jobs["log"])}
    chain, _ = critical_path(durations, dependencies)
    by_job = jobs.set_index("job")
    path = pd.DataFrame({"rule": [by_job.at[job, "rule"] for job in chain],
                         "log": [by_job.at[job, "log"] for job in chain],
                         "seconds": [by_job.at[job, "seconds"] for job in chain]})
    local = scale_out(durations, dependencies, priority, order, cores, threads=threads)
    slurm = scale_out(durations, dependencies, priority, order, cores, overhead=slurm_overhead, threads=threads)
    predicted = local.rename(columns={"wall_seconds": "local_wall_seconds", "busy": "local_busy"}).assign(
        slurm_wall_seconds=slurm["wall_seconds"], slurm_critical_path_seconds=slurm["critical_path_seconds"])
    return {"jobs": jobs, "critical_path": path, "predicted": predicted,
            "measured_wall": float(jobs["end"].max() - (jobs["end"] - jobs["seconds"]).min())}
