"""The reviewer's comparison of a run with a record (scripts/verify_run.py), on hand-made results."""
import json
import shutil

import pandas as pd
import pytest

import verify_run
from mnist1d_repro.manifest import check_against, confirm, make_manifest, read_manifest, write_manifest
from mnist1d_repro.numerics import cpu_model
from mnist1d_repro.verify import MANIFEST, claims_before_after, verify

CLAIMS = pd.DataFrame({
    "report section": ["4. Classification", "5.1 Lottery tickets"],
    "figure": ["results/classification/table1.html", "results/lottery/figure4.png"],
    "claim_id": ["table1_original_cnn", "ticket_asymptotic_accuracy"],
    "ours": [93.5, 71.0], "verdict": ["reproduced", "reproduced"]})


def make_run(folder):
    (folder / "review").mkdir(parents=True)
    (folder / "classification" / "original" / "cnn" / "seed42").mkdir(parents=True)
    (folder / "lottery").mkdir()
    (folder / "classification" / "original" / "cnn" / "seed42" / "metrics.json").write_text(
        json.dumps({"test_accuracy": 93.5, "runtime": {"cpu": "this one"}}))
    pd.DataFrame({"level": [0, 1], "accuracy": [70.0, 71.0]}).to_csv(folder / "lottery" / "levels.csv", index=False)
    CLAIMS.to_csv(folder / "review" / "claims.csv", index=False)
    (folder / "review" / "provenance.json").write_text(json.dumps(
        {"git": {"commit": "abc"}, "hardware": {"cpu": "Some CPU"}, "config": {"cpu_numerics": "portable"}}))
    return folder


@pytest.fixture
def run_and_record(tmp_path):
    run = make_run(tmp_path / "run" / "results")
    record = tmp_path / "record"
    record.mkdir()
    write_manifest(make_manifest(run, "test", "portable"), record / MANIFEST)
    for name in ("claims.csv", "provenance.json"):
        shutil.copy(run / "review" / name, record / name)
    return run, record


def test_a_copy_of_the_recorded_run_is_identical(run_and_record, tmp_path, capsys):
    run, record = run_and_record
    copy = tmp_path / "copy"
    shutil.copytree(run, copy)
    assert verify_run.main(["--results", str(copy), "--record", str(record)]) == 0
    out = capsys.readouterr().out
    assert "identical to the record" in out and "NOT" not in out and "Some CPU" in out


def test_a_changed_number_is_named_with_its_section_and_the_claims_that_moved(run_and_record, capsys):
    run, record = run_and_record
    pd.DataFrame({"level": [0, 1], "accuracy": [70.0, 65.5]}).to_csv(run / "lottery" / "levels.csv", index=False)
    CLAIMS.assign(ours=[93.5, 65.5], verdict=["reproduced", "inconclusive"]).to_csv(
        run / "review" / "claims.csv", index=False)
    outcome = verify(run, record)
    sections = outcome["sections"].set_index("section")
    assert sections.loc["lottery", "outcome"] == "numerically different"
    assert sections.loc["lottery", "largest claim difference"] == pytest.approx(5.5)
    assert sections.loc["lottery", "verdicts changed"] == "ticket_asymptotic_accuracy"
    assert sections.loc["classification", "outcome"] == "identical"
    assert verify_run.main(["--results", str(run), "--record", str(record)]) == 1
    assert "differing: lottery/levels.csv" in capsys.readouterr().out


def test_only_the_runtime_record_differs_counts_as_identical(run_and_record):
    run, record = run_and_record
    metrics = run / "classification" / "original" / "cnn" / "seed42" / "metrics.json"
    metrics.write_text(json.dumps({"test_accuracy": 93.5, "runtime": {"cpu": "another one"}}))
    assert (verify(run, record)["files"]["status"] == "identical").all()


def test_a_missing_file_and_a_record_without_digests(run_and_record, capsys):
    run, record = run_and_record
    (run / "lottery" / "levels.csv").unlink()
    sections = verify(run, record)["sections"].set_index("section")
    assert sections.loc["lottery", "outcome"] == "missing files"
    (record / MANIFEST).unlink()
    assert verify_run.main(["--results", str(run), "--record", str(record)]) == 2
    assert f"{record / MANIFEST} is missing" in capsys.readouterr().err


def test_confirm_lists_a_cpu_once_and_only_for_an_identical_run(run_and_record, tmp_path):
    run, record = run_and_record
    manifest = read_manifest(record / MANIFEST)
    other_cpu = {**manifest, "cpu": "Another CPU", "identical_on": ["Another CPU"]}
    confirmed = confirm(other_cpu, check_against(run, other_cpu))
    assert confirmed["identical_on"] == ["Another CPU", cpu_model()]
    assert confirm(confirmed, check_against(run, confirmed))["identical_on"] == confirmed["identical_on"]

    (run / "lottery" / "levels.csv").write_text("level,accuracy\n0,70.0\n1,71.5\n")
    with pytest.raises(ValueError, match="levels.csv"):
        confirm(other_cpu, check_against(run, other_cpu))
    newer = {**other_cpu, "versions": {**other_cpu["versions"], "torch": "0.0.1"}}
    with pytest.raises(ValueError, match="version of torch"):
        confirm(newer, check_against(make_run(tmp_path / "again" / "results"), newer))


def test_claims_before_after_pairs_every_claim_and_marks_the_verdicts_that_moved():
    before = pd.DataFrame({"claim_id": ["a", "b", "gone"], "ours": [59.6, 64.0, 1.0], "se": [1.55, 0.64, None],
                           "verdict": ["inconclusive", "inconclusive", "reproduced"]})  # before error kinds
    after = pd.DataFrame({"claim_id": ["new", "b", "a"], "ours": [3.0, 64.5, 59.6], "se": [0.5, 0.7, None],
                          "error_kind": ["seeds", "seeds", "exact"],
                          "verdict": ["reproduced", "inconclusive", "reproduced"]})
    table = claims_before_after(after, before)
    assert list(table["claim_id"]) == ["new", "b", "a", "gone"]
    row = table.set_index("claim_id").loc["a"]
    assert (row["before"], row["before kind"], row["after"], row["after kind"]) == ("59.6 ± 1.6", "", "59.6", "exact")
    assert list(table["moved"]) == [True, False, True, True]
    assert table.set_index("claim_id").loc["gone", "after verdict"] == ""


def test_verify_run_prints_the_claims_before_and_after_without_digests(run_and_record, capsys):
    run, record = run_and_record
    (record / MANIFEST).unlink()  # a record from before digests still compares its claims
    claims = CLAIMS.assign(ours=[90.0, 71.0], verdict=["not reproduced", "reproduced"])
    claims.to_csv(run / "review" / "claims.csv", index=False)
    assert verify_run.main(["--results", str(run), "--record", str(record), "--claims"]) == 0
    out = capsys.readouterr().out
    assert "| table1_original_cnn | 93.5 |  | reproduced | 90 |  | not reproduced | **yes** |" in out
    assert "2 claims; 1 verdicts moved" in out
