import pandas as pd
import pytest

from mnist1d_repro.deviations import check_deviation_links, load_deviations
from mnist1d_repro.review import cost_per_section, git_state, hardware

from conftest import ROOT


def test_the_shipped_deviations_are_complete():
    entries = load_deviations(ROOT / "config" / "deviations.yaml")
    assert len(entries) >= 10
    assert any("one hidden layer" in entry["paper"] for entry in entries)  # the double-descent MLP


def test_missing_deviation_fields_are_named(tmp_path):
    path = tmp_path / "deviations.yaml"
    path.write_text("- {topic: a, section: b, paper: c, reference: d, ours: e, why: f, switch: null, moves: []}\n"
                    "- {topic: x}\n")
    with pytest.raises(ValueError, match="deviation 2 needs section, paper, reference, ours, why, switch, moves"):
        load_deviations(path)


def test_deviation_switches_and_claims_must_exist(tmp_path):
    entry = {"topic": "t", "switch": "ssl.info_nce", "moves": ["a"]}
    config = {"ssl": {"info_nce": "one_directional"}, "sensitivity": {"ssl.info_nce": ["symmetric"]}}
    claims, runs = {"ssl": ["a"], "dataset": ["p"]}, {"ssl.info_nce": "ssl"}
    check_deviation_links([entry], config, claims, runs, "d.yaml")
    with pytest.raises(ValueError, match="switch 'ssl.loss' is not a config key"):
        check_deviation_links([{**entry, "switch": "ssl.loss"}], config, claims, runs, "d.yaml")
    with pytest.raises(ValueError, match=r"moves unknown claims \['b'\]"):
        check_deviation_links([{**entry, "moves": ["b"]}], config, claims, runs, "d.yaml")
    with pytest.raises(ValueError, match="sensitivity.ssl.info_nce"):
        check_deviation_links([{**entry, "switch": None}], config, claims, runs, "d.yaml")


def test_a_runnable_switch_moves_only_claims_of_the_section_that_runs_it():
    """The old linear_probe.tol entry listed the dataset section's pixel claim, whose alternative
    no job runs: its sensitivity row read "alternative not run" forever."""
    entry = {"topic": "t", "switch": "linear_probe.tol", "moves": ["pixel_logistic_accuracy", "probe"]}
    config = {"linear_probe": {"tol": 0.01}, "sensitivity": {}}
    claims = {"ssl": ["probe"], "dataset": ["pixel_logistic_accuracy"]}
    with pytest.raises(ValueError, match=r"moves \['pixel_logistic_accuracy'\], but only section 'ssl' runs"):
        check_deviation_links([entry], config, claims, {"linear_probe.tol": "ssl"}, "d.yaml")
    check_deviation_links([{**entry, "moves": ["probe"]}], config, claims, {"linear_probe.tol": "ssl"}, "d.yaml")
    # a switch no section runs (e.g. generator.scale_coeff) may name any claim
    check_deviation_links([entry], config, claims, {}, "d.yaml")


def test_cost_is_summed_per_section(tmp_path):
    header = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    for folder, name, seconds, rss in [("lottery", "a", 60, 300), ("lottery", "b/c", 120, 500),
                                       ("pooling", "d", 30, 200)]:
        path = tmp_path / folder / f"{name}.tsv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header + f"{seconds}\t0:01:00\t{rss}\t0\t0\t0\t0\t0\t100\t{seconds / 2}\n")
    cost = cost_per_section(tmp_path, {"pooling": "5.6 Pooling", "lottery": "5.1 Lottery tickets"}).set_index("section")
    assert list(cost.index) == ["5.6 Pooling", "5.1 Lottery tickets"]  # in the mapping's order
    assert cost.loc["5.1 Lottery tickets", "jobs"] == 2
    assert cost.loc["5.1 Lottery tickets", "job_minutes"] == pytest.approx(3.0)
    assert cost.loc["5.1 Lottery tickets", "cpu_minutes"] == pytest.approx(1.5)
    assert cost.loc["5.1 Lottery tickets", "peak_memory_mb"] == 500
    assert isinstance(cost, pd.DataFrame)


def test_git_state_outside_a_checkout(tmp_path):
    assert git_state(tmp_path)["commit"] == "not a git checkout"


def test_sensitivity_matrix_flags_verdicts_that_depend_on_a_switch():
    import pandas as pd

    from mnist1d_repro.review import DEPENDS, HOLDS, NOT_RUN_ALTERNATIVE, sensitivity_matrix

    runs = pd.DataFrame([
        {"claim_id": "a", "switch": "x.s", "setting": "ref", "default": True, "ours": 0.62, "se": None,
         "verdict": "reproduced"},
        {"claim_id": "a", "switch": "x.s", "setting": "alt", "default": False, "ours": 0.50, "se": 0.02,
         "verdict": "not reproduced"},
        {"claim_id": "b", "switch": "x.s", "setting": "ref", "default": True, "ours": 1.0, "se": None,
         "verdict": "reproduced"},
        {"claim_id": "b", "switch": "x.s", "setting": "alt", "default": False, "ours": 1.1, "se": None,
         "verdict": "reproduced"},
        {"claim_id": "e", "switch": "x.s", "setting": "ref", "default": True, "ours": 1.0, "se": 0.1,
         "verdict": "reproduced"},
        {"claim_id": "e", "switch": "x.s", "setting": "alt", "default": False, "ours": 0.1, "se": 0.1,
         "verdict": "inconclusive"},
    ])
    not_run = [{"claim_id": "d", "switch": "x.s", "setting": setting, "default": setting == "ref", "ours": None,
                "se": None, "verdict": "not run"} for setting in ("ref", "alt")]
    runs = pd.concat([runs, pd.DataFrame(not_run)], ignore_index=True)
    deviations = [{"topic": "T", "switch": "x.s", "moves": ["a", "b"]},
                  {"topic": "U", "switch": None, "moves": ["c"]}]
    matrix = sensitivity_matrix(runs, deviations, {"c": "reproduced"}).set_index("claim_id")
    assert matrix.loc["a", "verdict"] == DEPENDS
    assert matrix.loc["b", "verdict"] == HOLDS
    assert matrix.loc["c", "verdict"] == NOT_RUN_ALTERNATIVE and "reproduced" in matrix.loc["c", "default setting"]
    assert "alt: 0.5 ± 0.02 → not reproduced" in matrix.loc["a", "other settings"]  # ± the standard error
    assert matrix.loc["d", "verdict"] == "claim not run"  # not "same verdict"
    # a verdict the noise leaves open under one setting is not a dependence on the choice
    assert matrix.loc["e", "verdict"] == "inconclusive under a setting"


def test_a_training_result_records_where_it_ran_and_the_provenance_gathers_them(tmp_path):
    import json

    import pandas as pd
    import torch

    from mnist1d_repro.jobs import runtime_record, with_runtime_columns
    from mnist1d_repro.review import runtime_records

    record = runtime_record("cpu")
    assert record["device"] == "cpu" and record["device_name"] is None
    assert record["torch"] == torch.__version__ and record["threads"] == torch.get_num_threads()
    assert record["cuda"] == torch.version.cuda
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "metrics.json").write_text(json.dumps({"runtime": record, "test_acc": 50.0}))
    (tmp_path / "a" / "other.json").write_text(json.dumps({"runtime": {**record, "threads": 4}}))
    (tmp_path / "a" / "no_record.json").write_text(json.dumps({"test_acc": 1.0}))
    (tmp_path / "a" / "broken.json").write_text("{")
    with_runtime_columns(pd.DataFrame({"level": [0, 1]}), "cpu").to_csv(tmp_path / "a" / "levels.csv", index=False)
    pd.DataFrame({"x": [1]}).to_csv(tmp_path / "a" / "plain.csv", index=False)
    found = runtime_records(tmp_path)
    assert list(found["threads"]) == sorted([str(record["threads"]), "4"])
    assert found["files"].sum() == 3 and set(found["device"]) == {"cpu"}
    one = found[found["threads"] == str(record["threads"])].iloc[0]
    assert one["files"] == 2 and one["torch"] == torch.__version__  # the JSON and the CSV agree
    assert runtime_records(tmp_path / "nothing").empty


def test_the_provenance_names_the_cpu_with_its_family_and_model():
    from mnist1d_repro.numerics import cpu_model

    # a virtual machine's "model name" can be a bare "AMD EPYC"; family and model tell Zen 3 from Zen 4
    assert hardware()["cpu"] == cpu_model()
    assert "family" in hardware()["cpu"] or not open("/proc/cpuinfo").read().count("cpu family")
