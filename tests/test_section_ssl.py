"""Section 5.5's measurements on hand-made probe results: the probe table, the rows of one
combination of settings, each claim's number and error, Figure 8's table and the sensitivity."""
import math

import numpy as np
import pytest

from mnist1d_repro.sections import ssl
from mnist1d_repro.sections.spec import ClaimValues, Measurement


def ssl_job(loss, head, seed, accuracies, train_data="train", info_nce="one_directional", tol=0.01):
    """A job's metrics.json as train_ssl.py writes it (the fields the figure reads)."""
    return {"loss": loss, "train_data": train_data, "info_nce": info_nce if loss == "info_nce" else None,
            "probe_tol": tol, "head_layers": head, "seed": seed, "probe_accuracy": accuracies,
            "layer_features": [40] + [125] * (len(accuracies) - 1)}


JOBS = [ssl_job("info_nce", 2, 0, [33, 75, 81, 82, 76, 75]),
        ssl_job("info_nce", 0, 0, [33, 75, 81, 85]),  # best at its last layer: not inside
        ssl_job("info_nce", 2, 0, [33, 70, 71, 72, 60, 50], info_nce="symmetric"),
        ssl_job("vicreg", 2, 0, [33, 60, 61, 62, 50, 40]),
        ssl_job("info_nce", 2, 0, [33, 76, 82, 84, 77, 76], tol=1e-4),
        ssl_job("info_nce", 2, 0, [33, 77, 83, 86, 78, 77], train_data="train_and_test")]
SWITCHES = {"ssl.train_data": ["train", "train_and_test"], "ssl.info_nce": ["one_directional", "symmetric"],
            "linear_probe.tol": [0.01, 1e-4], "ssl.seeds": [[0], [1]]}
CONFIGURED = {"train_data": "train", "info_nce": "one_directional", "tol": 0.01, "seeds": [0]}


def test_the_probe_table_names_the_probe_tolerance_after_its_switch():
    probes = ssl.probe_table(JOBS[:1] + JOBS[3:4])
    assert list(probes.columns) == ["loss", "train_data", "info_nce", "tol", "head_layers", "seed", "layer",
                                    "features", "accuracy"]
    assert len(probes) == 6 + 6  # a row per job and layer
    assert probes["tol"].tolist() == [0.01] * 12  # metrics.json's "probe_tol"
    assert probes["info_nce"].tolist() == ["one_directional"] * 6 + [""] * 6  # VICReg has no form
    assert probes["features"].tolist()[:2] == [40, 125] and probes["accuracy"].tolist()[3] == 82


def test_the_configured_settings_are_each_switchs_first():
    assert ssl.configured_settings(SWITCHES) == CONFIGURED


def test_runs_under_keeps_the_jobs_of_one_combination_and_every_vicreg_job():
    probes = ssl.probe_table(JOBS)
    kept = ssl.runs_under(probes, CONFIGURED)
    at_layer_3 = kept[kept["layer"] == 3]
    assert list(zip(at_layer_3["loss"], at_layer_3["head_layers"], at_layer_3["accuracy"])) == [
        ("info_nce", 2, 82), ("info_nce", 0, 85), ("vicreg", 2, 62)]  # JOBS 0, 1 and 3
    symmetric = ssl.runs_under(probes, {**CONFIGURED, "info_nce": "symmetric"})
    assert sorted(symmetric.loc[symmetric["layer"] == 3, "accuracy"]) == [62, 72]  # VICReg's and the symmetric job's
    tight = ssl.runs_under(probes, {**CONFIGURED, "tol": 1e-4})
    assert tight.loc[(tight["layer"] == 3) & (tight["loss"] == "info_nce"), "accuracy"].tolist() == [84]


def test_linear_accuracy_before_head():
    one_seed = ssl.runs_under(ssl.probe_table(JOBS), CONFIGURED)
    # one run of 82 % at layer 3 on 1000 test samples: 100 * sqrt(0.82 * 0.18 / 1000)
    assert ssl.linear_accuracy_before_head(one_seed, 1000) == Measurement(82.0, se=pytest.approx(1.21491, abs=1e-5))
    two_seeds = ssl.probe_table(JOBS[:1] + [ssl_job("info_nce", 2, 1, [33, 75, 81, 86, 76, 75])])
    # 82 and 86: mean 84, std 2 * sqrt(2), standard error 2 * sqrt(2) / sqrt(2) = 2
    assert ssl.linear_accuracy_before_head(two_seeds, 1000) == Measurement(
        84.0, spread=pytest.approx(2 * math.sqrt(2)), se=pytest.approx(2.0), n=2)
    vicreg_only = ssl.probe_table(JOBS[3:4])  # the claim reads InfoNCE's encoder only
    assert ssl.linear_accuracy_before_head(vicreg_only, 1000) == Measurement(None)
    no_two_layer_head = ssl.probe_table(JOBS[1:2])
    assert ssl.linear_accuracy_before_head(no_two_layer_head, 1000) == Measurement(None)


def test_accuracy_peaks_in_the_middle():
    # InfoNCE heads 2 (best at layer 3 of 0..5: inside) and 0 (best at 3 of 0..3: the last): 1 of 2, one seed
    probes = ssl.runs_under(ssl.probe_table(JOBS), CONFIGURED)
    assert ssl.accuracy_peaks_in_the_middle(probes) == Measurement(0.5, n=1)
    # per seed: seed 0's best is the last layer (95): share 0; seed 1's is layer 1 (the first of a tie): 1;
    # mean 0.5, std of (0, 1) = 0.7071, se 0.7071 / sqrt(2) = 0.5
    two_seeds = ssl.probe_table([ssl_job("info_nce", 0, 0, [33, 70, 70, 95]),
                                 ssl_job("info_nce", 0, 1, [33, 90, 90, 60])])
    assert ssl.accuracy_peaks_in_the_middle(two_seeds) == Measurement(
        0.5, spread=pytest.approx(0.70711, abs=1e-5), se=pytest.approx(0.5), n=2)
    at_input = ssl.probe_table([ssl_job("info_nce", 4, 0, [90, 80, 70, 60, 50, 40, 30, 20])])
    assert ssl.accuracy_peaks_in_the_middle(at_input) == Measurement(0.0, n=1)  # best at the input: not inside
    assert ssl.accuracy_peaks_in_the_middle(ssl.probe_table(JOBS[3:4])) == Measurement(None)  # no InfoNCE job


def test_best_layer_is_the_first_highest():
    import pandas as pd

    curve = pd.DataFrame({"layer": [0, 1, 2, 3], "mean": [10.0, 30.0, 30.0, 20.0]})
    assert ssl.best_layer(curve, "mean") == 1


def test_claim_measurements_gather_both_claims():
    values = ssl.claim_measurements(ssl.runs_under(ssl.probe_table(JOBS), CONFIGURED), 1000)
    assert values.measured == {"linear_accuracy_before_head": 82.0, "accuracy_peaks_in_the_middle": 0.5}
    assert set(values.se) == {"linear_accuracy_before_head"} and values.spread == {}
    assert values.n == {"accuracy_peaks_in_the_middle": 1}


def test_each_switch_moves_one_setting_at_a_time():
    by_switch = ssl.switch_sensitivity(ssl.probe_table(JOBS), SWITCHES, 1000)
    assert list(by_switch) == list(SWITCHES)
    before_head = {key: {setting: values.measured["linear_accuracy_before_head"] for setting, values in by.items()}
                   for key, by in by_switch.items()}
    assert before_head == {"ssl.train_data": {"train": 82.0, "train_and_test": 86.0},
                           "ssl.info_nce": {"one_directional": 82.0, "symmetric": 72.0},
                           "linear_probe.tol": {0.01: 82.0, 1e-4: 84.0},
                           "ssl.seeds": {"0": 82.0, "1": None}}  # no job ran seed 1


def test_another_seed_set_judges_the_claims_over_its_own_seeds():
    """ssl.seeds: a setting is a list of seeds, whose jobs sit beside the configured ones; each
    setting's claims read its seeds' jobs only (a seed in both sets counts in both)."""
    at_layer_3 = {42: 82, 43: 84, 44: 86, 0: 70, 1: 74}
    jobs = [ssl_job("info_nce", 2, seed, [33, 75, 81, accuracy, 76, 75]) for seed, accuracy in at_layer_3.items()]
    switches = {**SWITCHES, "ssl.seeds": [[42, 43, 44], [0, 1, 42]]}
    by_setting = ssl.switch_sensitivity(ssl.probe_table(jobs), switches, 1000)["ssl.seeds"]
    assert list(by_setting) == ["42, 43, 44", "0, 1, 42"]
    assert by_setting["42, 43, 44"].measured["linear_accuracy_before_head"] == 84.0
    assert by_setting["42, 43, 44"].n["linear_accuracy_before_head"] == 3
    assert by_setting["0, 1, 42"].measured["linear_accuracy_before_head"] == pytest.approx((70 + 74 + 82) / 3)
    configured = ssl.runs_under(ssl.probe_table(jobs), ssl.configured_settings(switches))
    assert sorted(configured["seed"].unique()) == [42, 43, 44]  # the other set's jobs stay out of the claims


def test_every_switch_but_the_seed_set_compares_on_the_ablation_seeds():
    """The configured InfoNCE jobs run more seeds than the alternatives: each alternative is compared
    with the configured setting on the alternatives' seeds, the claims read every configured seed, and
    another seed set stands against every configured seed."""
    at_layer_3 = {42: 82, 43: 84, 44: 86, 45: 70}
    jobs = [ssl_job("info_nce", 2, seed, [33, 75, 81, accuracy, 76, 75]) for seed, accuracy in at_layer_3.items()]
    jobs += [ssl_job("info_nce", 2, seed, [33, 75, 81, 90, 76, 75], info_nce="symmetric") for seed in (42, 43)]
    jobs += [ssl_job("info_nce", 2, 0, [33, 75, 81, 60, 76, 75])]
    switches = {**SWITCHES, "ssl.seeds": [[42, 43, 44, 45], [0]]}
    by_switch = ssl.switch_sensitivity(ssl.probe_table(jobs), switches, 1000, ablation_seeds=[42, 43])
    symmetric = by_switch["ssl.info_nce"]
    assert symmetric["one_directional"].measured["linear_accuracy_before_head"] == 83.0  # (82 + 84) / 2
    assert symmetric["one_directional"].n["linear_accuracy_before_head"] == 2
    assert symmetric["symmetric"].measured["linear_accuracy_before_head"] == 90.0
    assert by_switch["ssl.seeds"]["42, 43, 44, 45"].measured["linear_accuracy_before_head"] == 80.5  # all four
    assert by_switch["ssl.seeds"]["0"].measured["linear_accuracy_before_head"] == 60.0
    everything = ssl.switch_sensitivity(ssl.probe_table(jobs), switches, 1000)["ssl.info_nce"]
    assert everything["one_directional"].measured["linear_accuracy_before_head"] == 80.5  # old: all seeds


def test_the_table_note_counts_each_losss_seeds():
    probes = ssl.probe_table([ssl_job("info_nce", 2, seed, [33, 70]) for seed in (42, 43, 44)]
                             + [ssl_job("vicreg", 2, 42, [33, 60])])
    assert ssl.seeds_by_loss(probes) == "3 seeds (info_nce), 1 (vicreg)"
    assert ssl.seeds_by_loss(probes[probes["seed"] == 42]) == "1 seed"


def test_layer_accuracy_is_the_mean_and_std_over_seeds():
    probes = ssl.probe_table([ssl_job("info_nce", 0, 0, [30, 70, 80, 90]), ssl_job("info_nce", 0, 1, [34, 72, 80, 93]),
                              ssl_job("info_nce", 0, 2, [29, 71, 80, 81])])
    layers = ssl.layer_accuracy(probes)
    assert layers["mean"].tolist() == [31.0, 71.0, 80.0, 88.0]  # the medians would be 30, 71, 80, 90
    # squared deviations over 3 - 1: (1 + 9 + 4) / 2, (1 + 1 + 0) / 2, 0, (4 + 25 + 49) / 2
    assert layers["std"].tolist() == pytest.approx([math.sqrt(7), 1.0, 0.0, math.sqrt(39)])


def test_the_accuracy_table_rounds_each_layer_and_ends_with_the_reference():
    probes = ssl.probe_table([ssl_job("info_nce", 0, 0, [30.04, 70.06, 80, 90]),
                              ssl_job("vicreg", 2, 0, [30, 60, 61, 62, 50, 40])])
    table = ssl.accuracy_table(ssl.layer_accuracy(probes))
    assert list(table.columns) == ["loss", "head_layers"] + [f"layer {i}" for i in range(6)]
    assert table.iloc[0].tolist() == ["info_nce", 0, 30.0, 70.1, 80.0, 90.0, "", ""]  # no layers 4 and 5
    assert table.iloc[1].tolist() == ["vicreg", 2, 30.0, 60.0, 61.0, 62.0, 50.0, 40.0]
    assert table.iloc[2].tolist() == ["reference (InfoNCE)", 2, 32.8, 75.1, 80.9, 82.1, 76.1, 75.0]


def test_the_encoder_output_is_the_last_convolution():
    assert ssl.ENCODER_OUTPUT == 3  # layers 1-3 are the convolutions; the head starts after
    assert np.array_equal(ssl.REFERENCE_2_LAYER, [32.8, 75.1, 80.9, 82.1, 76.1, 75.0])
