"""Write the README's quick-start times (the quick run's, the tests') from a record; never typed by hand.

    python scripts/readme_quick.py --record quick-run     # in a fresh clone, after the quick run and `python -m pytest`
    python scripts/readme_quick.py --check                # exit 1 if the README differs from quick-run/

Recording reads the quick run's Snakemake log (.snakemake/log/), its results/review/provenance.json (commit,
CPU) and the summary the tests write (test-artifacts/junit.xml), refuses anything but a quick-scale run of the
checked-out commit whose tests all passed, keeps the facts in <record>/quick.json and rewrites the text between
the two `readme-quick` markers in README.md. The tests check the README against that file.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from readme_results import ResultsError, checked, clock_seconds, full_run_log, replace_section

BEGIN = "<!-- readme-quick:begin (written by `python scripts/readme_quick.py`; do not edit) -->"
END = "<!-- readme-quick:end -->"
RECORD_FILE = "quick.json"


def test_summary(junit: Path) -> dict:
    """Counts and time of a pytest run from its JUnit XML; refuses a run with failures or errors."""
    if not junit.is_file():
        raise ResultsError(f"{junit} is missing: run `python -m pytest` first (it writes that file)")
    root = ElementTree.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    counts = {key: sum(int(suite.get(key, 0)) for suite in suites) for key in ("tests", "skipped", "failures", "errors")}
    if counts["failures"] or counts["errors"]:
        raise ResultsError(f"{junit}: {counts['failures']} failed and {counts['errors']} errors; the README reports "
                           f"a passing run only")
    return {"passed": counts["tests"] - counts["skipped"], "skipped": counts["skipped"],
            "seconds": round(sum(float(suite.get("time", 0)) for suite in suites), 1),
            "date": suites[0].get("timestamp", "")[:19].replace("T", " ")}


def checked_out_commit(folder: Path) -> str | None:
    found = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True)
    return found.stdout.strip() if found.returncode == 0 else None


def quick_facts(results: Path, log_dir: Path, junit: Path, checkout: Path) -> dict:
    """What the README says of the quick run and the tests, from the files they wrote."""
    provenance_path = results / "review" / "provenance.json"
    if not provenance_path.is_file():
        raise ResultsError(f"{provenance_path} is missing: run the quick pipeline first")
    provenance = json.loads(provenance_path.read_text())
    scale = provenance["config"].get("scale")
    if scale != "quick":
        raise ResultsError(f"{results} holds a '{scale}' run; the quick start reports the quick run")
    commit = provenance["git"]["commit"]
    if provenance["git"].get("uncommitted_changes") or commit != checked_out_commit(checkout):
        raise ResultsError(f"the quick run in {results} is not of the checked-out commit without changes: record in "
                           f"the fresh clone that ran it, right after it and the tests")
    run = full_run_log(log_dir)
    hardware = provenance["hardware"]
    return {"commit": commit, "cpu": hardware["cpu"], "cpu_cores": hardware["cpu_cores"],
            "quick_run": {key: run[key] for key in ("steps", "elapsed", "cores", "date", "command")},
            "tests": test_summary(junit)}


def duration_text(seconds: float) -> str:
    whole = round(seconds)
    hours, minutes, rest = whole // 3600, whole // 60 % 60, whole % 60
    return (f"{hours} h {minutes} min" if hours else f"{minutes} min {rest} s" if minutes else f"{rest} s")


def quick_text(facts: dict) -> str:
    run, tests = facts["quick_run"], facts["tests"]
    skipped = f", {tests['skipped']} skipped" if tests["skipped"] else ""
    return (f"Measured in a fresh clone of commit `{facts['commit'][:7]}` on a {facts['cpu_cores']}-core "
            f"{facts['cpu']}: the quick run ({run['steps']} jobs, `{run['command']}`) took "
            f"**{duration_text(clock_seconds(run['elapsed']))}** before its report, and the tests "
            f"({tests['passed']} passed{skipped}) **{duration_text(tests['seconds'])}**.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", type=Path, default=Path("quick-run"))
    parser.add_argument("--results", type=Path, default=Path("results"))
    parser.add_argument("--logs", type=Path, default=Path(".snakemake/log"), help="Snakemake's log folder")
    parser.add_argument("--junit", type=Path, default=Path("test-artifacts/junit.xml"))
    parser.add_argument("--readme", type=Path, default=Path("README.md"))
    parser.add_argument("--check", action="store_true", help="only compare the README with the record")
    args = parser.parse_args(argv)
    try:
        readme = args.readme.read_text()
        if args.check:
            facts = json.loads((args.record / RECORD_FILE).read_text())
        else:
            facts = quick_facts(args.results, args.logs, args.junit, args.readme.resolve().parent)
        updated = replace_section(readme, quick_text(facts), args.readme, BEGIN, END)
    except (ResultsError, OSError, KeyError) as error:
        print(f"readme_quick: {error}", file=sys.stderr)
        return 2
    if args.check:
        return checked(readme, updated, f"{args.readme}'s quick-start times differ from {args.record / RECORD_FILE}")
    args.record.mkdir(parents=True, exist_ok=True)
    (args.record / RECORD_FILE).write_text(json.dumps(facts, indent=1) + "\n")
    args.readme.write_text(updated)
    print(f"{args.readme}: quick-start times written from {args.results} and {args.junit}; kept in {args.record}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
