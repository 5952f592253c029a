"""Section 5.6's measurements on hand-made runs: the pooling gaps behind each claim, Figure 9's
table and curves, and the training-set sensitivity."""
import math

import numpy as np
import pandas as pd
import pytest

from mnist1d_repro.sections import pooling
from mnist1d_repro.sections.spec import ClaimValues, Measurement, sensitivity_arguments

# final test accuracy by size, pooling: one value per seed (seeds 0 and 1); sizes out of order on purpose
ACCURACY = {
    600: {"none": [96, 95], "stride": [90, 90], "max": [98, 99], "avg": [97, 99], "l2": [96, 99]},
    100: {"none": [60, 62], "stride": [58, 65], "max": [78, 80], "avg": [77, 80], "l2": [76, 80]},
    300: {"none": [70, 70], "stride": [70, 70], "max": [90, 90], "avg": [90, 90], "l2": [90, 90]},
}


def runs_of(accuracy: dict, train_sets="per_size") -> pd.DataFrame:
    return pd.DataFrame([{"pooling": name, "train_size": size, "seed": seed, "test_acc": float(acc),
                          "train_sets": train_sets}
                         for size, by_pooling in accuracy.items() for name, accs in by_pooling.items()
                         for seed, acc in enumerate(accs)])


def test_pooling_helps_small_data():
    # at 100 samples (the smallest), per seed: (78 + 77 + 76) / 3 - 60 = 17 and (80 + 80 + 80) / 3 - 62 = 18
    measurement = pooling.pooling_helps_small_data(runs_of(ACCURACY))
    assert measurement == Measurement(pytest.approx(17.5), spread=pytest.approx(1 / math.sqrt(2)), n=2)


def test_pooling_no_help_large_data():
    # at 600 samples (the largest), per seed: (98 + 97 + 96) / 3 - 96 = 1 and (99 + 99 + 99) / 3 - 95 = 4;
    # std of 1 and 4: deviations 1.5, over 2 - 1: 3 / sqrt(2)
    measurement = pooling.pooling_no_help_large_data(runs_of(ACCURACY))
    assert measurement == Measurement(pytest.approx(2.5), spread=pytest.approx(3 / math.sqrt(2)), n=2)


def test_a_pooled_cnn_far_worse_with_a_lot_of_data_fails_the_little_difference_claim():
    """The signed rule (gap below 3) passed a pooled CNN 20 points worse than no pooling."""
    from mnist1d_repro.claims import NOT_REPRODUCED, judge, load_claims

    from conftest import ROOT

    worse = {**ACCURACY, 600: {**ACCURACY[600], "max": [76, 75], "avg": [76, 75], "l2": [76, 75]}}
    # per seed: 76 - 96 = -20 and 75 - 95 = -20: the gap's size is 20, its spread 0
    measurement = pooling.pooling_no_help_large_data(runs_of(worse))
    assert measurement == Measurement(pytest.approx(20.0), spread=pytest.approx(0.0), n=2)
    claim = load_claims(ROOT / "config" / "claims.yaml", "pooling")["pooling_no_help_large_data"]
    se = measurement.spread / math.sqrt(measurement.n)
    assert judge(claim, measurement.value, se, measurement.n)["verdict"] == NOT_REPRODUCED
    assert judge(claim, -20.0, se, measurement.n)["verdict"] != NOT_REPRODUCED  # what the signed gap gave


def test_striding_does_not_help():
    # at 100 samples, per seed: 58 - 60 = -2 and 65 - 62 = 3; std: deviations 2.5, 5 / sqrt(2)
    measurement = pooling.striding_does_not_help(runs_of(ACCURACY))
    assert measurement == Measurement(pytest.approx(0.5), spread=pytest.approx(5 / math.sqrt(2)), n=2)


def test_a_gap_is_the_mean_over_seeds_not_the_median():
    three_seeds = {100: {"none": [60, 62, 60], "max": [77, 80, 82]}, 600: {"none": [90, 90, 90], "max": [90, 90, 90]}}
    # gaps 17, 18, 22: mean 19 (median 18); deviations -2, -1, 3: std sqrt(14 / 2)
    measurement = pooling.pooling_helps_small_data(runs_of(three_seeds))
    assert measurement == Measurement(pytest.approx(19.0), spread=pytest.approx(math.sqrt(7)), n=3)


def test_one_seed_has_no_spread():
    one_seed = {size: {name: accs[:1] for name, accs in by_pooling.items()} for size, by_pooling in ACCURACY.items()}
    assert pooling.striding_does_not_help(runs_of(one_seed)) == Measurement(-2.0, n=1)  # 58 - 60


def test_a_missing_variant_leaves_its_claim_unmeasured():
    no_stride = {size: {k: v for k, v in by_pooling.items() if k != "stride"} for size, by_pooling in ACCURACY.items()}
    values = pooling.claim_measurements(runs_of(no_stride))
    assert values.measured["striding_does_not_help"] is None and values.n["striding_does_not_help"] == 2
    assert "striding_does_not_help" not in values.spread
    assert values.measured["pooling_helps_small_data"] == pytest.approx(17.5)
    unpooled_missing = {size: {k: v for k, v in by_pooling.items() if k != "none"}
                        for size, by_pooling in ACCURACY.items()}
    assert set(pooling.claim_measurements(runs_of(unpooled_missing)).measured.values()) == {None}


def test_claim_measurements_gather_the_three_claims():
    values = pooling.claim_measurements(runs_of(ACCURACY))
    assert values.measured == pytest.approx({"pooling_helps_small_data": 17.5, "pooling_no_help_large_data": 2.5,
                                             "striding_does_not_help": 0.5})
    assert values.n == dict.fromkeys(values.measured, 2) and values.se == {}


def test_final_accuracy_is_the_mean_std_and_count_over_seeds():
    final = pooling.final_accuracy(runs_of({100: {"none": [60, 62, 67], "max": [80]}}))
    assert final["pooling"].tolist() == ["none", "max"]  # in the runs' order
    assert final["mean"].tolist() == [63.0, 80.0] and final["count"].tolist() == [3, 1]
    # deviations -3, -1, 4: std sqrt(26 / 2)
    assert final["std"].iloc[0] == pytest.approx(math.sqrt(13)) and np.isnan(final["std"].iloc[1])


def test_the_accuracy_table_shows_each_size_beside_the_reference():
    final = pooling.final_accuracy(runs_of({50000: {"none": [96.0, 97.0], "max": [98.0]},
                                            1000: {"none": [60.0, 62.0], "max": [78.0]}}))
    table = pooling.accuracy_table(final)
    assert list(table.columns) == ["training samples", "none", "none (reference)", "max", "max (reference)"]
    assert table["training samples"].tolist() == [1000, 50000]
    assert table["none"].tolist() == ["61.0 ± 1.4", "96.5 ± 0.7"]  # std sqrt(2) and sqrt(0.5)
    assert table["max"].tolist() == ["78.0", "98.0"]  # one seed: no spread
    assert table["none (reference)"].tolist() == [59.2, 96.3]
    other = pooling.accuracy_table(pooling.final_accuracy(runs_of({300: {"none": [60.0]}})))
    assert other["none (reference)"].tolist() == [""]  # the reference printed no such size


def test_mean_curves_average_each_step_over_seeds():
    metrics = [{"pooling": "max", "train_size": 100, "seed": seed, "curve": [{"step": 0, "test_acc": 10.0 + seed},
                                                                           {"step": 50, "test_acc": 40.0 + 3 * seed}]}
               for seed in (0, 1)]
    curves = pooling.mean_curves(metrics)
    assert curves["step"].tolist() == [0, 50]
    assert curves["test_acc"].tolist() == [10.5, 41.5]  # (10 + 11) / 2, (40 + 43) / 2


def test_runs_with_train_sets_keeps_one_settings_runs():
    runs = pd.concat([runs_of({100: {"none": [60]}}, "nested"), runs_of({100: {"none": [70]}}, "per_size")])
    assert pooling.runs_with_train_sets(runs, "nested")["test_acc"].tolist() == [60.0]


def test_sensitivity_arguments_give_each_field_by_setting():
    first, second = ClaimValues(), ClaimValues()
    first.add("a", Measurement(1.0, spread=0.5, n=2))
    second.add("a", Measurement(2.0, n=1))
    assert sensitivity_arguments({"per_size": first, "nested": second}) == {
        "measured": {"per_size": {"a": 1.0}, "nested": {"a": 2.0}},
        "spread": {"per_size": {"a": 0.5}, "nested": {}},
        "se": {"per_size": {}, "nested": {}},
        "n": {"per_size": {"a": 2}, "nested": {"a": 1}}}


def test_sensitivity_rows_give_each_pooling_claim_under_both_training_sets():
    from conftest import ROOT
    from mnist1d_repro.claims import load_claims
    from mnist1d_repro.reporting import SENSITIVITY_COLUMNS, sensitivity_table

    nested = {**ACCURACY, 100: {"none": [62, 62], "stride": [66, 66], "max": [70, 70], "avg": [70, 70], "l2": [70, 70]}}
    by_setting = {"per_size": pooling.claim_measurements(runs_of(ACCURACY)),
                  "nested": pooling.claim_measurements(runs_of(nested))}
    claims = load_claims(ROOT / "config" / "claims.yaml", "pooling")
    table = sensitivity_table(claims, "pooling.train_sets", "per_size", digits=2,
                              **sensitivity_arguments(by_setting))
    assert list(table.columns) == SENSITIVITY_COLUMNS
    ids = ["pooling_helps_small_data", "pooling_no_help_large_data", "striding_does_not_help"]
    assert list(table["claim_id"]) == ids * 2
    assert list(table["default"]) == [True] * 3 + [False] * 3
    rows = table.set_index(["setting", "claim_id"])
    assert rows.loc[("per_size", "pooling_helps_small_data"), "ours"] == 17.5
    assert rows.loc[("per_size", "pooling_helps_small_data"), "spread"] == pytest.approx(0.7071, abs=1e-4)
    assert rows.loc[("per_size", "pooling_helps_small_data"), "se"] == pytest.approx(0.5, abs=1e-4)  # 0.7071 / sqrt 2
    assert rows.loc[("nested", "striding_does_not_help"), "ours"] == 4.0  # 66 - 62
    assert rows.loc[("nested", "striding_does_not_help"), "verdict"] == "not reproduced"
