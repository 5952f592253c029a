import numpy as np
import pytest

from mnist1d_repro.claims import NOT_REPRODUCED, NOT_RUN, REPRODUCED, load_claims, verdict
from mnist1d_repro.io import atomic_path, load_dataset, save_dataset
from mnist1d_repro.generator import GeneratorArgs, make_dataset

from conftest import ROOT


def test_dataset_round_trip_without_pickle(tmp_path):
    data = make_dataset(GeneratorArgs(num_samples=100))
    path = tmp_path / "d.npz"
    save_dataset(path, data, {"dataset": "tiny"})
    with np.load(path, allow_pickle=False) as archive:  # loads without pickle
        assert archive["x"].dtype == np.float64
    loaded = load_dataset(path)
    assert loaded["spec"] == {"dataset": "tiny"}
    for key in ("x", "y", "x_test", "y_test", "t"):
        np.testing.assert_array_equal(loaded[key], data[key])


def test_missing_or_foreign_dataset_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        load_dataset(tmp_path / "nope.npz")
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="other.npz.*missing"):
        load_dataset(tmp_path / "other.npz")


def test_failed_write_leaves_nothing_behind(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_verdict_rules():
    within = {"rule": "within", "paper": 59.6, "tolerance": 1.0}
    assert verdict(within, 59.0) == REPRODUCED
    assert verdict(within, 58.5) == NOT_REPRODUCED
    assert verdict(within, None) == NOT_RUN
    below = {"rule": "below", "threshold": 0.25}
    assert verdict(below, 0.1) == REPRODUCED and verdict(below, 0.3) == NOT_REPRODUCED


def test_shipped_claims_file_is_complete():
    claims = load_claims(ROOT / "config" / "claims.yaml", "dataset")
    assert {"pixel_knn_accuracy", "pixel_logistic_accuracy", "tsne_no_clusters"} <= set(claims)


def test_claims_file_with_missing_tolerance_is_rejected(tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text("dataset:\n  x: {rule: within, paper: 1, claim: c, why: w}\n")
    with pytest.raises(ValueError, match="dataset.x needs 'tolerance'"):
        load_claims(path, "dataset")


def test_html_table_colours_verdicts_in_any_cell(tmp_path):
    import pandas as pd

    from mnist1d_repro.reporting import write_html_table

    frame = pd.DataFrame([{"result": "verdict", "CNN": REPRODUCED, "MLP": NOT_REPRODUCED, "x": 1.5}])
    write_html_table(frame, tmp_path / "t.html", "T", note="n")
    page = (tmp_path / "t.html").read_text()
    assert '<td class="reproduced">reproduced</td>' in page
    assert '<td class="not-reproduced">not reproduced</td>' in page
    assert '<td class="num">1.5</td>' in page


def test_claims_table_keeps_the_spread_and_shows_mean_and_spread():
    from mnist1d_repro.reporting import claims_table, mean_and_spread

    claims = {"a": {"rule": "within", "paper": 60, "tolerance": 2, "claim": "c", "why": "w", "unit": "%"},
              "b": {"rule": "within", "paper": 60, "tolerance": 2, "claim": "c", "why": "w", "unit": "%"},
              "c": {"rule": "within", "paper": 60, "tolerance": 2, "claim": "c", "why": "w", "unit": "%"}}
    table = claims_table(claims, {"a": 59.4321, "b": 65.0}, spread={"a": 1.234}).set_index("claim_id")
    assert mean_and_spread(table.loc["a"]) == "59.43 ± 1.2"
    assert mean_and_spread(table.loc["a"], significant=3) == "59.4 ± 1.2"
    assert mean_and_spread(table.loc["b"]) == "65"  # one run: no spread
    assert mean_and_spread(table.loc["c"]) is None  # not run
    assert list(table["verdict"]) == [REPRODUCED, NOT_REPRODUCED, NOT_RUN]


def test_a_claim_names_a_figure_of_the_report(tmp_path):
    from mnist1d_repro.config_checks import ConfigError, check_claim_figures

    path = tmp_path / "claims.yaml"
    path.write_text("dataset:\n  x: {rule: below, threshold: 1, claim: c, why: w, section: s}\n")
    with pytest.raises(ValueError, match="dataset.x needs 'figure'"):
        load_claims(path, "dataset")
    check_claim_figures({"x": "results/a.png"}, ["results/a.png", "results/b.html"], path)
    with pytest.raises(ConfigError, match=r"x.figure is 'results/nope.png', which is not a figure or table"):
        check_claim_figures({"x": "results/nope.png"}, ["results/a.png"], path)
