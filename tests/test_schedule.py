"""The run-time model: job records read back from Snakemake's metadata folder, the DAG and its critical path, and the
list schedule that predicts the wall time on N cores, checked on hand-made DAGs."""
from __future__ import annotations

import json
import os
from base64 import urlsafe_b64encode
from pathlib import Path

import pytest

from mnist1d_repro.schedule import (critical_path, invocation_cores, job_dependencies, jobs_upstream_of, list_schedule, logged_threads, run_scale_out,
                                    read_job_records, record_path_to_output, scale_out)

DIAMOND = {"a": set(), "b": {"a"}, "c": {"a"}, "d": {"b", "c"}}
DIAMOND_SECONDS = {"a": 1.0, "b": 5.0, "c": 2.0, "d": 1.0}


def snakemake_record_path(subject: str | Path, key: str, max_len: int = 255) -> str:
    """Where Snakemake 9 (persistence/file.py, FilePersistence._record_path) keeps the record of output ``key``:
    its urlsafe base64 cut into pieces of max_len - 1 characters, all but the last piece a folder named "@" + piece."""
    encoded = urlsafe_b64encode(key.encode()).decode()
    pieces = [encoded[i: i + max_len - 1] for i in range(0, len(encoded), max_len - 1)]
    pieces = ["@" + piece for piece in pieces[:-1]] + [pieces[-1]]
    return os.path.join(subject, *pieces)


def write_record(metadata: Path, output: str, max_len: int = 255, **fields) -> None:
    """A metadata record for ``output`` with Snakemake's keys, ``fields`` overriding the defaults."""
    record = {"rule": "rule", "input": [], "log": [], "shellcmd": None, "params": [], "code": "",
              "record_format_version": 6, "conda_env": None, "container_img_url": None, "software_stack_hash": "",
              "job_hash": 1, "starttime": 0.0, "endtime": 1.0, "incomplete": False, "external_jobid": None,
              "input_checksums": {}}
    record.update(fields)
    path = Path(snakemake_record_path(metadata, output, max_len))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record))


def test_the_encoding_splits_a_long_path_into_folders_and_decodes_back():
    short = "results/table1.csv"
    assert snakemake_record_path("m", short) == os.path.join("m", urlsafe_b64encode(short.encode()).decode())
    long = "results/" + "x" * 400 + "/curves.csv"
    parts = Path(snakemake_record_path("m", long)).relative_to("m").parts
    assert len(parts) == 3 and all(len(part) == 255 and part.startswith("@") for part in parts[:2])
    assert not parts[2].startswith("@")
    assert record_path_to_output(Path(*parts)) == long
    assert record_path_to_output(Path(snakemake_record_path("m", long, max_len=16)).relative_to("m")) == long
    assert record_path_to_output("not base64!") is None


def test_read_job_records_joins_a_jobs_outputs_and_skips_incomplete_records(tmp_path):
    long_output = "results/" + "deep/" * 60 + "curves.csv"
    write_record(tmp_path, "data/x.npz", rule="make", job_hash=7, input="config.yaml", log=["logs/make.log"],
                 starttime=100.0, endtime=103.0)
    write_record(tmp_path, "out/b.csv", rule="train", job_hash=9, input=["data/x.npz", "config.yaml"],
                 log=["logs/train.log"], starttime=103.0, endtime=110.0)
    write_record(tmp_path, long_output, rule="train", job_hash=9, input=["config.yaml", "data/x.npz"],
                 log=["logs/train.log"], starttime=103.01, endtime=111.0)
    write_record(tmp_path, "out/half.csv", rule="train", job_hash=11, starttime=120.0, endtime=None)
    write_record(tmp_path, "out/broken.csv", rule="train", job_hash=12, incomplete=True)
    jobs = read_job_records(tmp_path)
    assert list(jobs["job"]) == [7, 9]
    make, train = jobs.iloc[0], jobs.iloc[1]
    assert (make["rule"], make["outputs"], make["inputs"], make["log"]) == ("make", ("data/x.npz",),
                                                                           ("config.yaml",), "logs/make.log")
    assert train["outputs"] == tuple(sorted(["out/b.csv", long_output]))
    assert train["inputs"] == ("config.yaml", "data/x.npz")
    assert (train["start"], train["end"], train["seconds"]) == (103.0, 111.0, 8.0)
    assert job_dependencies(jobs) == {7: set(), 9: {7}}


def test_records_sharing_a_hash_but_not_a_job_become_separate_jobs(tmp_path):
    write_record(tmp_path, "old.csv", rule="train", job_hash=5, starttime=0.0, endtime=10.0)
    write_record(tmp_path, "new.csv", rule="train", job_hash=5, starttime=500.0, endtime=520.0)
    write_record(tmp_path, "other.csv", rule="plot", job_hash=5, starttime=600.0, endtime=601.0)
    jobs = read_job_records(tmp_path)
    assert list(jobs["job"]) == ["5.1", "5.2", "5.3"]
    assert list(jobs["outputs"]) == [("old.csv",), ("new.csv",), ("other.csv",)]
    assert list(jobs["seconds"]) == [10.0, 20.0, 1.0]


def test_jobs_upstream_of_the_targets_leave_out_a_stale_job(tmp_path):
    write_record(tmp_path, "data.npz", rule="make", job_hash=1, starttime=10.0, endtime=11.0)
    write_record(tmp_path, "model.pt", rule="train", job_hash=2, input=["data.npz"], starttime=11.0, endtime=20.0)
    write_record(tmp_path, "table.csv", rule="table", job_hash=3, input=["model.pt"], starttime=20.0, endtime=21.0)
    write_record(tmp_path, "old_figure.png", rule="figure", job_hash=4, input=["data.npz"], starttime=0.0,
                 endtime=5.0)
    jobs = read_job_records(tmp_path)
    dependencies = job_dependencies(jobs)
    assert dependencies == {1: set(), 2: {1}, 3: {2}, 4: {1}}
    assert jobs_upstream_of(jobs, dependencies, ["table.csv", "never_made.csv"]) == {1, 2, 3}


def test_one_core_takes_the_sum_of_the_durations():
    result = list_schedule(DIAMOND_SECONDS, DIAMOND, cores=1)
    assert result["wall"] == sum(DIAMOND_SECONDS.values())
    assert result["busy"] == 1.0


def test_unlimited_cores_take_the_critical_path():
    chain, length = critical_path(DIAMOND_SECONDS, DIAMOND)
    assert (chain, length) == (["a", "b", "d"], 7.0)
    assert list_schedule(DIAMOND_SECONDS, DIAMOND, cores=len(DIAMOND))["wall"] == length


def test_a_diamond_on_two_cores_runs_its_middle_jobs_side_by_side():
    result = list_schedule(DIAMOND_SECONDS, DIAMOND, cores=2)
    assert result["start"] == {"a": 0.0, "b": 1.0, "c": 1.0, "d": 6.0}
    assert result["wall"] == 7.0
    assert result["busy"] == pytest.approx(9.0 / 14.0)


def test_critical_path_follows_the_longest_chain_not_the_most_jobs():
    seconds = {"x": 1.0, "y": 1.0, "z": 1.0, "long": 10.0, "end": 2.0}
    dependencies = {"y": {"x"}, "z": {"y"}, "end": {"z", "long"}}
    assert critical_path(seconds, dependencies) == (["long", "end"], 12.0)
    assert critical_path({}, {}) == ([], 0.0)


def test_a_long_job_started_first_by_priority_shortens_the_schedule():
    seconds = {"short1": 1.0, "short2": 1.0, "short3": 1.0, "short4": 1.0, "long": 4.0}
    order = {"short1": 0, "short2": 1, "short3": 2, "short4": 3, "long": 4}
    without = list_schedule(seconds, {}, cores=2, order=order)
    assert without["start"]["long"] == 2.0 and without["wall"] == 6.0
    ranked = list_schedule(seconds, {}, cores=2, priority={"long": 50}, order=order)
    assert ranked["start"]["long"] == 0.0 and ranked["wall"] == 4.0


def test_ties_follow_order_then_the_job_id():
    seconds = {"a": 1.0, "b": 1.0, "c": 1.0}
    assert list_schedule(seconds, {}, cores=1)["start"] == {"a": 0.0, "b": 1.0, "c": 2.0}
    by_order = list_schedule(seconds, {}, cores=1, order={"a": 30.0, "b": 20.0, "c": 10.0})
    assert by_order["start"] == {"c": 0.0, "b": 1.0, "a": 2.0}
    by_priority = list_schedule(seconds, {}, cores=1, priority={"a": 1}, order={"a": 30.0, "b": 20.0, "c": 10.0})
    assert by_priority["start"] == {"a": 0.0, "c": 1.0, "b": 2.0}


def test_a_job_of_several_threads_holds_that_many_cores():
    seconds = {"wide": 4.0, "a": 1.0, "b": 1.0}
    as_one_core = list_schedule(seconds, {}, cores=2, priority={"wide": 50})
    assert as_one_core["start"] == {"wide": 0.0, "a": 0.0, "b": 1.0} and as_one_core["wall"] == 4.0
    wide = list_schedule(seconds, {}, cores=2, priority={"wide": 50}, threads={"wide": 2})
    assert wide["start"] == {"wide": 0.0, "a": 4.0, "b": 4.0} and wide["wall"] == 5.0
    assert wide["busy"] == pytest.approx(10.0 / 10.0)
    # on one core it holds the one there is (Snakemake scales its threads down)
    assert list_schedule(seconds, {}, cores=1, threads={"wide": 2})["wall"] == 6.0


def test_a_job_that_does_not_fit_the_free_cores_lets_narrower_ones_start():
    seconds = {"a": 3.0, "wide": 2.0, "b": 1.0}
    result = list_schedule(seconds, {}, cores=2, priority={"a": 10, "wide": 5}, threads={"wide": 2})
    assert result["start"] == {"a": 0.0, "b": 0.0, "wide": 3.0} and result["wall"] == 5.0
    table = scale_out(seconds, {}, {"a": 10, "wide": 5}, None, cores=(1, 2, 4), threads={"wide": 2})
    assert table["work_per_core_seconds"].tolist() == [6.0, 4.0, 2.0]  # the wide job's 2 s count twice from 2 cores


def test_a_job_log_tells_its_threads(tmp_path):
    log = tmp_path / "job.log"
    log.write_text("[10:00:00 +    0.0s] rule metalearn_activation, threads 2, wildcards {'setting': ''}\n")
    assert logged_threads(str(log)) == 2
    log.write_text("Traceback (most recent call last):\n")
    assert logged_threads(str(log)) == 1
    assert logged_threads(str(tmp_path / "missing.log")) == 1 and logged_threads("") == 1


def test_overhead_is_paid_by_every_job():
    result = list_schedule(DIAMOND_SECONDS, DIAMOND, cores=1, overhead=2.0)
    assert result["wall"] == sum(DIAMOND_SECONDS.values()) + 2.0 * len(DIAMOND_SECONDS)
    assert list_schedule(DIAMOND_SECONDS, DIAMOND, cores=4, overhead=2.0)["wall"] == 7.0 + 3 * 2.0


def test_a_cycle_or_an_unknown_dependency_is_refused_naming_the_job():
    seconds = {"a": 1.0, "b": 1.0, "c": 1.0}
    with pytest.raises(ValueError, match="cycle.*'b'"):
        list_schedule(seconds, {"b": {"c"}, "c": {"b"}, "a": set()}, cores=2)
    with pytest.raises(ValueError, match="cycle"):
        critical_path(seconds, {"a": {"c"}, "b": {"a"}, "c": {"b"}})
    with pytest.raises(ValueError, match="'a' depends on unknown job 'ghost'"):
        list_schedule(seconds, {"a": {"ghost"}}, cores=2)
    with pytest.raises(ValueError, match="'a' depends on unknown job 'ghost'"):
        critical_path(seconds, {"a": {"ghost"}})


def test_the_predicted_wall_time_never_beats_the_lower_bounds():
    seconds = {f"j{i}": float((7 * i) % 11 + 1) for i in range(40)}
    dependencies = {f"j{i}": {f"j{k}" for k in (i // 2, i // 3, i - 5) if 0 <= k < i} for i in range(40)}
    priority = {f"j{i}": i % 3 for i in range(40)}
    table = scale_out(seconds, dependencies, priority, None, cores=(1, 2, 3, 8, 64), overhead=0.5)
    assert list(table.columns) == ["cores", "wall_seconds", "busy", "critical_path_seconds", "work_per_core_seconds"]
    assert list(table["cores"]) == [1, 2, 3, 8, 64]
    bound = table[["critical_path_seconds", "work_per_core_seconds"]].max(axis=1)
    assert (table["wall_seconds"] >= bound - 1e-9).all()
    assert table["wall_seconds"].iloc[0] == pytest.approx(sum(seconds.values()) + 0.5 * 40)
    assert table["wall_seconds"].iloc[-1] == pytest.approx(table["critical_path_seconds"].iloc[-1])
    assert ((table["busy"] > 0) & (table["busy"] <= 1 + 1e-12)).all()


def test_run_scale_out_takes_job_times_from_benchmark_files_and_replays_the_run(tmp_path):
    """Three jobs: data (2 s) feeds a long and a short training job. Cluster executors write both metadata times at a
    job's end, so the times come from the benchmark files beside the logs; a job without one keeps its metadata time.
    A stale record of another run is left out."""
    metadata, logs, benchmarks = tmp_path / "metadata", "results/logs", tmp_path / "benchmarks"
    for name, seconds in (("data", 2.0), ("long", 30.0)):
        (benchmarks / f"{name}.tsv").parent.mkdir(parents=True, exist_ok=True)
        (benchmarks / f"{name}.tsv").write_text(f"s\th:m:s\tmax_rss\n{seconds}\t0:00:00\t100\n")
    write_record(metadata, "data.npz", rule="data", job_hash=1, log=[f"{logs}/data.log"], starttime=2.0, endtime=2.0)
    write_record(metadata, "long.json", rule="train", job_hash=2, input=["data.npz"], log=[f"{logs}/long.log"],
                 starttime=32.0, endtime=32.0)
    write_record(metadata, "short.json", rule="train", job_hash=3, input=["data.npz"], log=["elsewhere/short.log"],
                 starttime=2.0, endtime=7.0)
    write_record(metadata, "stale.json", rule="old", job_hash=4, starttime=0.0, endtime=500.0)
    result = run_scale_out(metadata, ["long.json", "short.json"], {"train": 5}, [1, 2], slurm_overhead=10.0,
                           logs_dir=logs, benchmarks_dir=str(benchmarks))
    assert len(result["jobs"]) == 3
    assert result["critical_path"]["seconds"].tolist() == [2.0, 30.0]
    assert result["critical_path"]["rule"].tolist() == ["data", "train"]
    predicted = result["predicted"].set_index("cores")
    assert predicted.loc[1, "local_wall_seconds"] == pytest.approx(37.0)
    assert predicted.loc[2, "local_wall_seconds"] == pytest.approx(32.0)
    assert predicted.loc[2, "slurm_wall_seconds"] == pytest.approx(52.0)  # 2 + 10, then 30 + 10 beside 5 + 10
    assert result["measured_wall"] == pytest.approx(32.0)


def test_run_scale_out_gives_a_job_the_cores_of_the_threads_it_logged(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the records name logs relative to the working directory
    metadata, logs, benchmarks = tmp_path / "metadata", "results/logs", tmp_path / "benchmarks"
    for name, seconds in (("data", 2.0), ("wide", 30.0), ("short", 5.0)):
        (benchmarks / f"{name}.tsv").parent.mkdir(parents=True, exist_ok=True)
        (benchmarks / f"{name}.tsv").write_text(f"s\th:m:s\tmax_rss\n{seconds}\t0:00:00\t100\n")
    Path(logs).mkdir(parents=True)
    Path(logs, "wide.log").write_text("[10:00:00 +    0.0s] rule train, threads 2, wildcards {}\n")
    write_record(metadata, "data.npz", rule="data", job_hash=1, log=[f"{logs}/data.log"], starttime=0.0, endtime=2.0)
    write_record(metadata, "wide.json", rule="train", job_hash=2, input=["data.npz"], log=[f"{logs}/wide.log"],
                 starttime=2.0, endtime=32.0)
    write_record(metadata, "short.json", rule="train", job_hash=3, input=["data.npz"], log=[f"{logs}/short.log"],
                 starttime=32.0, endtime=37.0)
    result = run_scale_out(metadata, ["wide.json", "short.json"], {}, [2, 3], slurm_overhead=0.0,
                           logs_dir=logs, benchmarks_dir=str(benchmarks))
    predicted = result["predicted"].set_index("cores")
    assert predicted.loc[2, "local_wall_seconds"] == pytest.approx(37.0)  # the short job waits for both cores
    assert predicted.loc[3, "local_wall_seconds"] == pytest.approx(32.0)


def test_invocation_cores_reads_the_newest_snakemake_log(tmp_path):
    assert invocation_cores(tmp_path) is None
    (tmp_path / "2026-01-01T100000.000000.snakemake.log").write_text("Provided cores: 8\nRules claiming ...\n")
    (tmp_path / "2026-01-02T100000.000000.snakemake.log").write_text("Building DAG of jobs...\nProvided cores: 2\n")
    assert invocation_cores(tmp_path) == 2
