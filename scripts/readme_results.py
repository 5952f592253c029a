"""Write the README's "Results" section from a finished run; never typed by hand.

    python scripts/readme_results.py                 # after `snakemake --cores N` at paper scale
    python scripts/readme_results.py --check         # exit 1 if the README differs from the results
    python scripts/readme_results.py --record paper-run            # also keep what it was written from
    python scripts/readme_results.py --check --record paper-run    # check against that record (no run needed)
    python scripts/readme_results.py --from-record paper-run       # rewrite the section from that record

Reads results/review/claims.csv (every claim with its verdict), results/review/cost.csv,
scale_out.csv and critical_path.csv, and results/review/provenance.json (commit, hardware,
scale), and the Snakemake log of the run:
of the logs in .snakemake/log/ that finished all their steps, the one with the most steps (the
full run, not a later partial rerun), for its date, command, cores and elapsed time. Replaces
the text between the two `readme-results` markers in README.md.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
import yaml

from mnist1d_repro.claims import INCONCLUSIVE, NOT_REPRODUCED, NOT_RUN, REPRODUCED, claims_by_name
from mnist1d_repro.manifest import make_manifest, write_manifest
from mnist1d_repro.registry import CLAIM_SECTIONS, folder_categories
from mnist1d_repro.reporting import (ours_with_error, rejudged_verdicts, to_decide_text,
                                     verdict_counts_by_kind)
from mnist1d_repro.verdict_plot import verdict_plot_rows, verdict_summary
from mnist1d_repro.verify import MANIFEST as VERIFY_MANIFEST

CLAIMS_FILE = Path(__file__).resolve().parents[1] / "config" / "claims.yaml"
PAPER_CONFIG = CLAIMS_FILE.with_name("config.yaml")
BEGIN = "<!-- readme-results:begin (written by `python scripts/readme_results.py`; do not edit) -->"
END = "<!-- readme-results:end -->"
# The paper-scale run's time, said where the README tells how to start it (written from the same run or record)
TIME_BEGIN = "<!-- readme-paper-time:begin (written by `python scripts/readme_results.py`; do not edit) -->"
TIME_END = "<!-- readme-paper-time:end -->"
PLOT = "verdicts.png"  # the verdict plot a record keeps
COUNT_ORDER = [REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE, NOT_RUN]


class ResultsError(RuntimeError):
    pass


DEFAULT_PROFILE = CLAIMS_FILE.parents[1] / "profiles" / "default" / "config.yaml"


@functools.cache
def default_profile_flags() -> frozenset[str]:
    """The switches that the workflow's default profile already turns on for every run (--rerun-incomplete ...)."""
    profile = yaml.safe_load(DEFAULT_PROFILE.read_text()) if DEFAULT_PROFILE.is_file() else {}
    return frozenset(f"--{key}" for key, value in (profile or {}).items() if value is True)


def shown_command(command: str) -> str:
    """The command line with the executable's folder left out, and without the switches the default profile
    turns on anyway (``snakemake --cores 2 --rerun-incomplete`` is the run ``snakemake --cores 2`` resumed)."""
    program, *arguments = command.split()
    implied = default_profile_flags()
    return " ".join([Path(program).name, *(word for word in arguments if word not in implied)])


def clock_seconds(text: str) -> float:
    """Seconds of a Snakemake elapsed time such as 2:18:53.123 (or '1 day, 2:18:53')."""
    days = re.match(r"(\d+) days?, (.*)", text)
    hours, minutes, seconds = (float(part) for part in (days.group(2) if days else text).split(":"))
    return (int(days.group(1)) if days else 0) * 86400 + hours * 3600 + minutes * 60 + seconds


def clock_text(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def invocation(path: Path) -> dict | None:
    """One Snakemake log's facts, or None when it ran no job (a dry run, a run with nothing to do)."""
    text = path.read_text(errors="replace")
    progress = re.findall(r"^(\d+) of (\d+) steps \(\d+%\) done$", text, re.M)
    start = re.search(r"^\s*Date: (.+)$", text, re.M)
    if not progress or not start:
        return None
    finished, total = (int(n) for n in progress[-1])
    elapsed = re.search(r"^Elapsed time: (.+)$", text, re.M)
    if elapsed:
        seconds = clock_seconds(elapsed.group(1).strip())
    else:  # interrupted: it ran until its last logged event
        stamps = re.findall(r"^\[(\w{3} \w{3} +\d+ [\d:]{8} \d{4})\]$", text, re.M)
        began = datetime.strptime(start.group(1).strip(), "%Y-%m-%d %H:%M:%S")
        seconds = max(0.0, (datetime.strptime(" ".join(stamps[-1].split()), "%a %b %d %H:%M:%S %Y") - began)
                      .total_seconds()) if stamps else 0.0
    command = re.search(r"^\s*Command: (.+)$", text, re.M)
    config = re.search(r"^\s*Config MD5: (\S+)$", text, re.M)
    cores = re.search(r"^Provided cores: (\d+)$", text, re.M)
    return {"log": path.name, "date": start.group(1).strip(), "finished": finished,
            "complete": bool(elapsed) and finished == total, "seconds": seconds,
            "command": shown_command(command.group(1)) if command else "snakemake",
            "config": config.group(1) if config else None, "cores": int(cores.group(1)) if cores else None}


def full_run_log(log_dir: Path) -> dict:
    """Date, command, cores, steps and elapsed time of the largest completed run.

    A run that was interrupted and then resumed with the same command and config is one run: the completed
    invocation and the interrupted ones just before it count together (their jobs and their times summed)."""
    runs, interrupted = [], []
    for path in sorted(log_dir.glob("*.snakemake.log")):
        facts = invocation(path)
        if facts is None:
            continue
        same = [part for part in interrupted if (part["command"], part["config"]) == (facts["command"], facts["config"])]
        if not facts["complete"]:
            interrupted = same + [facts]
            continue
        parts = same + [facts]
        interrupted = []
        runs.append({"log": facts["log"], "steps": sum(part["finished"] for part in parts),
                     "elapsed": clock_text(sum(part["seconds"] for part in parts)), "date": parts[0]["date"],
                     "command": facts["command"], "cores": facts["cores"], "invocations": len(parts)})
    if not runs:
        raise ResultsError(f"no completed Snakemake run in {log_dir} (run `snakemake --cores N` first)")
    return max(runs, key=lambda run: (run["steps"], run["log"]))


def load(results: Path, folder: str = "review"):
    review = results / folder
    paths = {name: review / name for name in ("claims.csv", "cost.csv", "provenance.json", "scale_out.csv",
                                              "critical_path.csv")}
    missing = [str(p) for p in paths.values() if not p.exists()]
    if missing:
        raise ResultsError(f"missing {', '.join(missing)} (run the whole pipeline first)")
    claims = pd.read_csv(paths["claims.csv"], keep_default_na=False, na_values=[""])
    cost = pd.read_csv(paths["cost.csv"])
    provenance = json.loads(paths["provenance.json"].read_text())
    return claims, cost, provenance, pd.read_csv(paths["scale_out.csv"]), pd.read_csv(paths["critical_path.csv"])


def review_and_run(results: Path, log_dir: Path, record: Path | None):
    """load()'s tables and the run's log facts, from a record that write_record kept or from a run."""
    if record is not None:
        return (*load(record, folder=""), json.loads((record / "run.json").read_text()))
    return (*load(results), full_run_log(log_dir))


def minutes_text(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def scale_out_text(scale: pd.DataFrame, path: pd.DataFrame, run: dict) -> str:
    """The predicted wall times, with the prediction for the run's own core count beside its wall time."""
    local = ", ".join(f"{int(r.cores)} cores {minutes_text(r.local_wall_seconds)}" for r in scale.itertuples())
    slurm = ", ".join(f"{int(r.cores)} slots {minutes_text(r.slurm_wall_seconds)}" for r in scale.itertuples())
    own = scale[scale["cores"] == run["cores"]]
    replay = (f" For the {run['cores']} cores of this run it predicts {minutes_text(own['local_wall_seconds'].iloc[0])}, "
              f"against the measured {run['elapsed']}: the difference is Snakemake's own time between jobs and "
              f"whatever else the machine ran."
              if not own.empty else "")
    chain = " → ".join(f"{rule} ({seconds / 60:.1f} min)" for rule, seconds in zip(path["rule"], path["seconds"]))
    return (f"On more cores (a list schedule of these jobs' measured times, the report's *Provenance and cost* page): "
            f"{local}; on a Slurm cluster with the measured cost paid by every job, {slurm} (an upper bound: the Slurm "
            f"profile's groups submit several short jobs at once). No machine can go "
            f"below the critical path, {minutes_text(path['seconds'].sum())}: {chain}.{replay}")


def flat_settings(config: dict, prefix: str = "") -> dict:
    """Every setting of a config by its dotted key ("double_descent.seeds"); a dict's leaves, and the
    sensitivity section's entries whole."""
    settings = {}
    for key, value in config.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value and prefix != "sensitivity.":
            settings.update(flat_settings(value, dotted + "."))
        else:
            settings[dotted] = value
    return settings


def config_changes(recorded: dict, current: dict) -> list[str]:
    """The settings of ``current`` (the config file as written) whose value differs from, or is missing in,
    ``recorded`` (a run's config, which may also hold settings the workflow derives; those are not compared)."""
    ran, now = flat_settings(recorded), flat_settings(current)
    return sorted(key for key, value in now.items() if key not in ran or ran[key] != value)


def config_change_text(provenance: dict) -> str:
    """Whether the paper configuration is still the one the recorded run ran."""
    current = yaml.safe_load(PAPER_CONFIG.read_text())
    changed = config_changes(provenance["config"], current)
    if not changed:
        return "It ran the paper configuration as it is now (`config/config.yaml`)."
    settings = f"{len(changed)} setting" + ("s" if len(changed) > 1 else "")
    return (f"The paper configuration has changed since that run ({settings} of `config/config.yaml`: "
            + ", ".join(f"`{key}`" for key in changed) + "): a run of it now differs from the recorded one in those "
            "settings, and so in its numbers and its time.")


def paper_time_text(results: Path, log_dir: Path, record: Path | None = None) -> str:
    """The recorded run's wall time and jobs, what its jobs' measured times predict on 8 cores, and whether the
    paper configuration has changed since."""
    _, _, provenance, scale_out, critical_path, run = review_and_run(results, log_dir, record)
    eight = scale_out[scale_out["cores"] == 8]
    prediction = (f"; a list schedule of its jobs' measured times predicts {minutes_text(eight['local_wall_seconds'].iloc[0])} "
                  f"on 8 cores and no less than {minutes_text(critical_path['seconds'].sum())} (its critical path) on any "
                  f"number" if not eight.empty else "")
    same_config = (config_change_text(provenance),) if provenance["config"].get("scale") == "paper" else ()
    return " ".join((f"The recorded run of the *Results* below ({run['steps']} jobs) took "
                     f"{minutes_text(clock_seconds(run['elapsed']))} on {run['cores']} cores{prediction}.",
                     *same_config))


def ours_text(row) -> str:
    shown = ours_with_error(row, significant=3)
    if shown is None:
        return "not run"
    return shown + ("%" if row["unit"] == "%" else "" if row["unit"] == "" else f" {row['unit']}")


def markdown_table(frame: pd.DataFrame) -> str:
    def cell(value):
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(frame.columns) + " |", "| " + " | ".join("---" for _ in frame.columns) + " |"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


RECORD_FILES = ("claims.csv", "cost.csv", "provenance.json", "scale_out.csv", "critical_path.csv")
TABLE1 = Path("classification") / "table1.csv"  # from the run's results; kept in the record as table1.csv
FIGURES = "figures"  # the run's figures, kept in the record as figures/<section>/<name>.png


def figure_files(results: Path) -> list[Path]:
    """The run's figures (every section's PNGs; the review's verdict plot is drawn in the record itself)."""
    return sorted(path for path in results.glob("*/*.png") if path.parent.name != "review")


def write_record(results: Path, log_dir: Path, record: Path) -> None:
    """Keep what the README's Results are written from: the run's review files and the facts of its Snakemake log
    (run.json), so that a clone without the run's outputs can check the README against them."""
    record.mkdir(parents=True, exist_ok=True)
    for name in RECORD_FILES:
        (record / name).write_bytes((results / "review" / name).read_bytes())
    (record / "run.json").write_text(json.dumps(full_run_log(log_dir), indent=1) + "\n")
    (record / TABLE1.name).write_bytes((results / TABLE1).read_bytes())
    if (record / FIGURES).exists():
        shutil.rmtree(record / FIGURES)
    for figure in figure_files(results):
        kept = record / FIGURES / figure.relative_to(results)
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_bytes(figure.read_bytes())
    provenance = json.loads((results / "review" / "provenance.json").read_text())
    write_manifest(make_manifest(results, f"the run of commit {provenance['git']['commit']} (scripts/verify_run.py "
                                          f"compares a run with it)", provenance["config"].get("cpu_numerics")),
                   record / VERIFY_MANIFEST)
    draw_record_plot(record)


def claim_specs() -> dict:
    return claims_by_name(CLAIMS_FILE, CLAIM_SECTIONS)


def todays_verdicts(claims: pd.DataFrame) -> pd.Series:
    """The verdicts as recorded, or, for a run recorded before claims declared error kinds, its values
    judged again by today's engine."""
    return claims["verdict"] if "error_kind" in claims else rejudged_verdicts(claims, claim_specs())


def draw_record_plot(record: Path) -> None:
    """The verdict plot of a record's claims (by today's engine where the record predates error kinds), kept
    in the record beside the files it is drawn from."""
    from mnist1d_repro.plotting import verdict_plot

    claims, _, provenance, _, _ = load(record, folder="")
    judged = claims.assign(verdict=todays_verdicts(claims))
    commit = provenance["git"]["commit"][:10]
    title = (f"Verdicts of the recorded run of {commit}" + ("" if "error_kind" in claims else
                                                            " (its values judged by today's engine)")
             + f": {verdict_summary(judged['verdict'])}")
    verdict_plot(verdict_plot_rows(judged, claim_specs()), title, record / PLOT,
                 scale=provenance["config"].get("scale"))


def runtimes_text(provenance: dict) -> str:
    """Where the training results were computed: each CPU with its numerics and how many result files it wrote
    (a run resumed on another machine names both); '' for a record from before the results named their CPU."""
    files: dict[tuple, int] = {}
    for runtime in provenance.get("runtimes", []):
        if "cpu" in runtime:
            where = (runtime["cpu"], runtime.get("cpu_numerics", "native"), runtime.get("device", "cpu"))
            files[where] = files.get(where, 0) + int(runtime.get("files", 0))
    if not files:
        return ""
    parts = [f"{cpu} in {numerics} numerics ({count} files)" + ("" if device == "cpu" else f" with {device}")
             for (cpu, numerics, device), count in files.items()]
    return " Its training results were computed on " + "; and on ".join(parts) + "."


def resumed_text(run: dict) -> str:
    parts = run.get("invocations", 1)
    return (f" (the sum of {parts} invocations of the same command: the run was interrupted and resumed, and the "
            f"jobs that were running when it stopped ran again)" if parts > 1 else "")


def section_text(results: Path, log_dir: Path, allow_quick: bool = False, record: Path | None = None,
                 readme_dir: Path = Path(".")) -> str:
    """The Results section from a run's results and Snakemake logs, or from a record that write_record kept."""
    claims, cost, provenance, scale_out, critical_path, run = review_and_run(results, log_dir, record)
    scale = provenance["config"].get("scale")
    if scale != "paper" and not allow_quick:
        raise ResultsError(f"{record or results} holds a '{scale}' run; the README reports paper scale only")
    hardware, git = provenance["hardware"], provenance["git"]
    commit = git["commit"]
    commit = (commit[:10] if re.fullmatch(r"[0-9a-f]{40}", commit) else commit) + (
        " with uncommitted changes" if git.get("uncommitted_changes") else "")
    counts = claims["verdict"].value_counts()
    gpu = "no GPU" if hardware.get("gpu") in (None, "none") else hardware["gpu"]
    header = (
        f"Full {scale}-scale run of commit `{commit}`, started {run['date']}: `{run['command']}` on "
        f"a machine with {hardware['cpu_cores']} cores of {hardware['cpu']}, {hardware['memory_gb']} GB and {gpu}; "
        f"{run['cores']} cores used. **Wall time {run['elapsed']}**{resumed_text(run)} for {run['steps']} jobs; "
        f"{cost['job_minutes'].sum():.0f} minutes of job time in all (one thread a job); the largest job peaked at "
        f"{cost['peak_memory_mb'].max():.0f} MB resident memory.{runtimes_text(provenance)} "
        f"**{counts.get('reproduced', 0)} of {len(claims)} claims reproduced**, "
        f"{counts.get('not reproduced', 0)} not reproduced, {counts.get('inconclusive', 0)} inconclusive, "
        f"{counts.get('not run', 0)} not run.")
    today = todays_verdicts(claims)
    table = pd.DataFrame({
        "section": claims["report section"], "claim": claims["claim"], "target": claims["target"],
        "ours": claims.apply(ours_text, axis=1), "verdict": claims["verdict"],
        "to decide": claims.apply(to_decide_text, axis=1)})
    if "error_kind" not in claims:
        table.insert(5, "today's verdict", today)
    by_section = pd.crosstab(claims["report section"], today).reindex(columns=COUNT_ORDER, fill_value=0)
    by_section = by_section.loc[list(dict.fromkeys(claims["report section"]))]
    by_section.insert(0, "section", by_section.index)
    by_section["claims"] = by_section[COUNT_ORDER].sum(axis=1)
    per_section = pd.DataFrame({
        "section": cost["section"], "jobs": cost["jobs"], "job minutes": cost["job_minutes"].round(1),
        "longest job (min)": cost["largest_job_minutes"].round(1),
        "largest job's peak memory (MB)": cost["peak_memory_mb"].round().astype(int)})
    plot = []
    if record is not None:
        if not (record / PLOT).is_file():
            raise ResultsError(f"{record / PLOT} is missing: write it with --from-record {record}")
        where = Path(os.path.relpath(record / PLOT, readme_dir)).as_posix()
        plot = [f"![The verdict of every claim, ours with the interval that decided it against the paper's target]"
                f"({where})"]
    kinds = "error_kind" in claims
    table1 = record / TABLE1.name if record is not None else results / TABLE1
    return "\n\n".join([
        header,
        *before_error_kinds_text(claims),
        "Verdicts per section" + ("" if kinds else " (today's engine)") + ":",
        markdown_table(by_section[["section", "claims", *COUNT_ORDER]]),
        *([f"By error kind: {verdict_counts_by_kind(claims)}."] if kinds else []),
        *plot,
        "Ours: value ± standard error, of the kind each claim declares in `config/claims.yaml` (none for an exact "
        "method on the paper's own data; the spread over seeds, judged with Student-t at n − 1 degrees of freedom; "
        "a paired error for two arms scored on the same test samples; the sampling error of a large fresh test "
        "set). A verdict is decided when the value clears its rule, or misses it, by more than that interval, and "
        "is inconclusive otherwise, with what would decide it. The report's *1. Review* section has the reasons "
        "and the rules' history.",
        *(table1_text(pd.read_csv(table1), claims, today, provenance) if table1.is_file() else []),
        *(figures_text(record, readme_dir) if record is not None and (record / FIGURES).is_dir() else []),
        "<details><summary>Every claim: target, ours, verdict and what would decide it</summary>\n\n"
        + markdown_table(table) + "\n\n</details>",
        "<details><summary>Cost per paper section (from every job's benchmark file) and on more cores</summary>\n\n"
        + markdown_table(per_section) + "\n\n" + scale_out_text(scale_out, critical_path, run) + "\n\n</details>",
    ])


def table1_text(table1: pd.DataFrame, claims: pd.DataFrame, verdicts: pd.Series, provenance: dict) -> list[str]:
    """Table 1 in brief: the paper's cells, ours under the protocol the verdicts use, and the verdicts."""
    from mnist1d_repro.sections import classification

    protocol = provenance["config"]["classification"]["protocol"]
    by_claim = dict(zip(claims["claim_id"], verdicts))
    summary = classification.table1_summary(table1, by_claim, protocol, {"original": "MNIST-1D", "mnist": "MNIST"})
    return [f"Table 1, test accuracy (%): ours is the mean ± standard deviation over each cell's seeds, under the "
            f"protocol the verdicts use ({classification.PROTOCOL_LABELS[protocol]}); the paper's ± is the one it "
            f"printed. MNIST's cells train on the subset the report names, not on the paper's 60,000 images, and its "
            f"MLP, CNN and GRU share one claim (all above 99 %).",
            markdown_table(summary)]


def figures_text(record: Path, readme_dir: Path) -> list[str]:
    """Links to the figures the record keeps, by section in report order, with their size on disk."""
    categories = folder_categories()
    order = list(categories)
    figures = sorted((record / FIGURES).glob("*/*.png"),
                     key=lambda path: (order.index(path.parent.name) if path.parent.name in order else len(order),
                                       path.name))
    size = sum(path.stat().st_size for path in figures) / 1e6
    by_section: dict[str, list[str]] = {}
    for path in figures:
        where = Path(os.path.relpath(path, readme_dir)).as_posix()
        by_section.setdefault(categories.get(path.parent.name, path.parent.name), []).append(f"[{path.stem}]({where})")
    return [f"The run's figures ({len(figures)} PNGs, {size:.1f} MB, kept in the record): "
            + "; ".join(f"{section}: {', '.join(links)}" for section, links in by_section.items()) + "."]


def before_error_kinds_text(claims: pd.DataFrame) -> list[str]:
    """For a run recorded before claims declared error kinds: the same values judged by today's
    engine (config/claims.yaml), so that the counts above are not read as today's verdicts."""
    if "error_kind" in claims:
        return []
    counts = todays_verdicts(claims).value_counts()
    return [f"This run's verdicts were judged before each claim declared its error kind (a fixed two standard "
            f"errors, and one run's binomial error standing in for a spread over seeds). The same values judged by "
            f"today's engine (exact, seeds with Student-t, paired; `config/claims.yaml`): "
            f"**{counts.get('reproduced', 0)} reproduced**, {counts.get('not reproduced', 0)} not reproduced, "
            f"{counts.get('inconclusive', 0)} inconclusive, {counts.get('not run', 0)} not run; most of the "
            f"inconclusive ones are claims over seeds that ran one or two seeds."]


def replace_section(readme: str, text: str, readme_path, begin: str = BEGIN, end: str = END) -> str:
    if readme.count(begin) != 1 or readme.count(end) != 1 or readme.index(begin) > readme.index(end):
        raise ResultsError(f"{readme_path} needs exactly one pair of markers:\n{begin}\n{end}")
    head, rest = readme.split(begin)
    _, tail = rest.split(end)
    return f"{head}{begin}\n{text}\n{end}{tail}"


def checked(readme: str, updated: str, stale: str) -> int:
    """--check's exit status: 0 when the README already says what would be written, else 1 with ``stale``."""
    if updated != readme:
        print(stale, file=sys.stderr)
        return 1
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", type=Path, default=Path("results"))
    parser.add_argument("--logs", type=Path, default=Path(".snakemake/log"), help="Snakemake's log folder")
    parser.add_argument("--readme", type=Path, default=Path("README.md"))
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if the README is stale")
    parser.add_argument("--allow-quick", action="store_true", help="accept a quick-scale run (tests)")
    parser.add_argument("--from-record", type=Path,
                        help="rewrite the Results section from a record kept earlier (no run needed)")
    parser.add_argument("--record", type=Path,
                        help="when writing, also keep the run's review files and log facts in this folder; with "
                             "--check, compare against such a folder instead of --results and --logs")
    args = parser.parse_args(argv)
    try:
        readme = args.readme.read_text()
        source = args.record if args.check else args.from_record
        if args.record is not None and not args.check and args.from_record is None:
            section_text(args.results, args.logs, args.allow_quick)  # refuses a run the README does not report
            write_record(args.results, args.logs, args.record)
            source = args.record
        elif args.from_record is not None:
            draw_record_plot(args.from_record)
        text = section_text(args.results, args.logs, args.allow_quick, source, args.readme.resolve().parent)
        updated = replace_section(readme, text, args.readme)
        if TIME_BEGIN in readme:
            updated = replace_section(updated, paper_time_text(args.results, args.logs, source), args.readme,
                                      TIME_BEGIN, TIME_END)
    except (ResultsError, OSError) as error:
        print(f"readme_results: {error}", file=sys.stderr)
        return 2
    if args.check:
        return checked(readme, updated, f"{args.readme} is out of date with {args.record or args.results}")
    args.readme.write_text(updated)
    print(f"{args.readme}: Results section written from {args.from_record or args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
