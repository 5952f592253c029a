"""The README's quick-start times: written from a record of a fresh clone's quick run and tests, and checked."""
import json
import re
import subprocess

import pytest

import readme_quick
from conftest import ROOT
from test_workflow import snakemake_log

JUNIT = ('<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="{errors}" '
         'failures="{failures}" skipped="2" tests="830" time="1043.219" timestamp="2026-12-07T15:01:02.123456" '
         'hostname="h"></testsuite></testsuites>')


@pytest.fixture
def clone(tmp_path):
    """A checkout with a README, a quick run's provenance and Snakemake log, and the tests' summary."""
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    readme = tmp_path / "README.md"
    readme.write_text(f"# t\n\n{readme_quick.BEGIN}\nold\n{readme_quick.END}\n\nkept\n")
    subprocess.run(["git", "add", "README.md"], cwd=tmp_path, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "readme"], cwd=tmp_path,
                   check=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout.strip()
    (tmp_path / "results" / "review").mkdir(parents=True)
    (tmp_path / "results" / "review" / "provenance.json").write_text(json.dumps({
        "config": {"scale": "quick"}, "git": {"commit": commit, "uncommitted_changes": False},
        "hardware": {"cpu": "AMD EPYC (family 25, model 17, stepping 1)", "cpu_cores": 2}}))
    logs = tmp_path / ".snakemake" / "log"
    logs.mkdir(parents=True)
    snakemake_log(logs, "2026-12-07T150000", "2026-12-07 15:00:00", "snakemake --cores 2 --configfile config/quick.yaml",
                  [(1, 296), (296, 296)], ["Mon Dec  7 15:01:00 2026", "Mon Dec  7 15:05:26 2026"],
                  elapsed="0:05:26.4")
    (tmp_path / "test-artifacts").mkdir()
    (tmp_path / "test-artifacts" / "junit.xml").write_text(JUNIT.format(errors=0, failures=0))
    return tmp_path


def arguments(clone):
    return ["--results", str(clone / "results"), "--logs", str(clone / ".snakemake" / "log"),
            "--junit", str(clone / "test-artifacts" / "junit.xml"), "--readme", str(clone / "README.md"),
            "--record", str(clone / "quick-run")]


def test_the_quick_start_times_come_from_the_run_and_the_tests(clone):
    assert readme_quick.main(arguments(clone)) == 0
    text = (clone / "README.md").read_text()
    assert "the quick run (296 jobs, `snakemake --cores 2 --configfile config/quick.yaml`) took **5 min 26 s**" in text
    assert "the tests (828 passed, 2 skipped) **17 min 23 s**" in text  # 1043.2 s
    assert "2-core AMD EPYC (family 25, model 17, stepping 1)" in text and "old" not in text
    assert text.endswith("\n\nkept\n")
    assert readme_quick.main(arguments(clone) + ["--check"]) == 0
    (clone / "README.md").write_text(text.replace("5 min 26 s", "4 min 26 s"))  # a hand edit
    assert readme_quick.main(arguments(clone) + ["--check"]) == 1


def test_failed_tests_another_commit_or_scale_are_refused(clone, capsys):
    junit = clone / "test-artifacts" / "junit.xml"
    junit.write_text(JUNIT.format(errors=0, failures=1))
    assert readme_quick.main(arguments(clone)) == 2
    assert "passing run only" in capsys.readouterr().err
    junit.write_text(JUNIT.format(errors=0, failures=0))
    provenance_path = clone / "results" / "review" / "provenance.json"
    provenance = json.loads(provenance_path.read_text())
    provenance_path.write_text(json.dumps({**provenance, "git": {"commit": "0" * 40}}))
    assert readme_quick.main(arguments(clone)) == 2
    assert "not of the checked-out commit" in capsys.readouterr().err
    provenance_path.write_text(json.dumps({**provenance, "config": {"scale": "paper"}}))
    assert readme_quick.main(arguments(clone)) == 2
    assert "reports the quick run" in capsys.readouterr().err
    assert not (clone / "quick-run").exists()  # nothing recorded from a refused run


def test_the_readme_quick_start_matches_its_record():
    """The README's quick-start times are exactly what readme_quick.py writes from quick-run/quick.json, which
    names a commit of this history."""
    record = ROOT / "quick-run" / readme_quick.RECORD_FILE
    assert record.is_file(), "quick-run/ holds no record: see scripts/readme_quick.py"
    assert readme_quick.main(["--check", "--record", str(record.parent), "--readme", str(ROOT / "README.md")]) == 0
    commit = json.loads(record.read_text())["commit"]
    assert re.fullmatch(r"[0-9a-f]{40}", commit)
    assert subprocess.run(["git", "merge-base", "--is-ancestor", commit, "HEAD"], cwd=ROOT).returncode == 0
