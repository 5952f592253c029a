"""Section 5.1 (lottery tickets): the measurements behind figure4.py, on tiny hand-made tables
whose expected numbers are worked out by hand in the comments."""
import math

import numpy as np
import pandas as pd
import pytest

from mnist1d_repro.sections import lottery as section
from mnist1d_repro.sections.spec import Measurement

SQRT2 = math.sqrt(2)
PANELS = {"original": "original", "flipped": "flipped", "shuffled": "shuffled"}
SPARSITY = [0.0, 0.5, 0.9, 0.96, 0.98, 1.0]


def paper_chains(sparsity=SPARSITY, accuracies=None):
    """The paper schedule's chains: test accuracy per method, seed and level."""
    accuracies = accuracies or [("magnitude", 42, [60, 64, 66, 62, 50, 10]),
                                ("magnitude", 43, [62, 64, 68, 69, 40, 10]),
                                ("random", 42, [60, 58, 50, 30, 20, 10]),
                                ("random", 43, [62, 60, 52, 32, 22, 10])]
    return pd.DataFrame([{"level": level, "sparsity": s, "test_acc": acc, "test_loss": 1.0 + level / 10,
                          "method": method, "seed": seed}
                         for method, seed, accs in accuracies for level, (s, acc) in enumerate(zip(sparsity, accs))])


# (variant, init, network, seed, asymptotic test accuracy); dense rows list seed 43 first on purpose
RUNS = [("original", "original", "lottery", 42, 70.0), ("original", "original", "lottery", 43, 73.0),
        ("original", "original", "dense", 43, 69.0), ("original", "original", "dense", 42, 66.0),
        ("flipped", "original", "lottery", 42, 68.0), ("flipped", "original", "lottery", 43, 66.0),
        ("flipped", "original", "dense", 42, 90.0), ("flipped", "original", "dense", 43, 90.0),
        ("shuffled", "original", "lottery", 42, 60.0), ("shuffled", "original", "lottery", 43, 61.0),
        ("shuffled", "original", "dense", 43, 65.0), ("shuffled", "original", "dense", 42, 62.0),
        ("original", "new", "lottery", 42, 72.0), ("original", "new", "lottery", 43, 71.0),
        ("original", "new", "dense", 43, 70.0), ("original", "new", "dense", 42, 69.0)]


def asymptotic_runs(rows=RUNS):
    return pd.DataFrame([{"variant": v, "init": init, "network": net, "seed": seed, "asymptotic_test_acc": acc}
                         for v, init, net, seed, acc in rows])


def adjacency():
    """Pairs relative to chance: lottery 0.04 / 0.01 = 4 (seed 42) and 0.03 / 0.015 = 2 (seed 43);
    random 0.01 / 0.01 = 1 and 0.02 / 0.01 = 2. Triples are far off, to catch a wrong run length."""
    rows = [("lottery", 42, 2, 0.04, 0.01), ("lottery", 43, 2, 0.03, 0.015),
            ("random", 43, 2, 0.02, 0.01), ("random", 42, 2, 0.01, 0.01),
            ("lottery", 42, 3, 0.5, 0.001), ("random", 42, 3, 0.001, 0.5)]
    return pd.DataFrame([{"network": net, "seed": seed, "run_length": run, "mean_fraction": frac,
                          "chance_fraction": chance} for net, seed, run, frac, chance in rows])


def assert_measurement(measurement, value, spread, n):
    assert measurement.value == pytest.approx(value)
    assert measurement.spread == pytest.approx(spread)
    assert measurement.n == n and measurement.se is None


# --- the claims ---------------------------------------------------------------------------------


def test_tickets_beat_random_averages_the_levels_from_50_up_to_100_percent():
    # levels 1-4 (sparsity 0.5, 0.9, 0.96, 0.98), ticket minus random:
    # seed 42: 6, 16, 32, 30 -> 84 / 4 = 21; seed 43: 4, 16, 37, 18 -> 75 / 4 = 18.75
    # mean (21 + 18.75) / 2 = 19.875; spread |21 - 18.75| / sqrt(2) = 2.25 / sqrt(2)
    assert_measurement(section.tickets_beat_random(paper_chains()), 19.875, 2.25 / SQRT2, 2)


def test_tickets_beat_dense_above_95_reads_the_first_level_past_95_percent():
    # level 3 (0.96) minus level 0: 62 - 60 = 2 and 69 - 62 = 7 -> mean 4.5, spread 5 / sqrt(2)
    assert_measurement(section.tickets_beat_dense_above_95(paper_chains()), 4.5, 5 / SQRT2, 2)
    no_level_past_95 = paper_chains(sparsity=[0.0, 0.5, 0.9, 0.95, 0.95, 1.0])
    assert section.tickets_beat_dense_above_95(no_level_past_95) == Measurement(None)


def test_ticket_asymptotic_accuracy_is_the_tickets_mean_on_the_original_variant():
    # original variant, original init, tickets: 70 and 73 -> 71.5, spread 3 / sqrt(2)
    assert_measurement(section.ticket_accuracy(asymptotic_runs(), "original"), 71.5, 3 / SQRT2, 2)


def test_ticket_flipped_accuracy_is_the_tickets_mean_on_the_flipped_variant():
    # flipped, tickets only (the dense runs at 90 must not count): 68 and 66 -> 67, spread 2 / sqrt(2)
    assert_measurement(section.ticket_accuracy(asymptotic_runs(), "flipped"), 67.0, 2 / SQRT2, 2)
    assert section.ticket_accuracy(asymptotic_runs(), None) == Measurement(None)  # the panel did not run


def test_ticket_shuffled_vs_dense_pairs_tickets_and_dense_networks_by_seed():
    # shuffled, original init: seed 42 60 - 62 = -2, seed 43 61 - 65 = -4 -> -3, spread 2 / sqrt(2)
    assert_measurement(section.ticket_vs_dense(asymptotic_runs(), "shuffled", "original"), -3.0, 2 / SQRT2, 2)


def test_ticket_shuffling_costs_is_original_minus_shuffled():
    # tickets, original init: 70 - 60 = 10 and 73 - 61 = 12 -> 11, spread 2 / sqrt(2)
    assert_measurement(section.ticket_shuffling_costs(asymptotic_runs(), "original", "shuffled"), 11.0, 2 / SQRT2, 2)
    assert section.ticket_shuffling_costs(asymptotic_runs(), "original", None) == Measurement(None)


def test_ticket_new_init_vs_dense_compares_runs_from_the_new_initial_weights():
    # original variant, new init: 72 - 69 = 3 and 71 - 70 = 1 -> 2, spread 2 / sqrt(2)
    # (from the original init it would be 70 - 66 = 4 and 73 - 69 = 4)
    assert_measurement(section.ticket_vs_dense(asymptotic_runs(), "original", "new"), 2.0, 2 / SQRT2, 2)
    # without seed 42's dense run only seed 43's difference (1) is left: n 1, no spread
    one_pair = asymptotic_runs([row for row in RUNS if row != ("original", "new", "dense", 42, 69.0)])
    assert section.ticket_vs_dense(one_pair, "original", "new") == Measurement(1.0, None, n=1)


def test_ticket_more_adjacent_is_a_ratio_of_means_with_the_spread_of_per_seed_ratios():
    # tickets (4 + 2) / 2 = 3 over random (1 + 2) / 2 = 1.5 -> 2 (the mean of per-seed ratios would be 2.5);
    # per-seed ratios 4 / 1 = 4 and 2 / 2 = 1: spread 3 / sqrt(2)
    assert_measurement(section.ticket_more_adjacent(adjacency()), 2.0, 3 / SQRT2, 2)


def test_claim_values_collect_every_claim_and_leave_the_ones_not_run_without_spread_or_n():
    values = section.lottery_claim_values(paper_chains(), asymptotic_runs(), adjacency(), PANELS)
    assert values.measured == pytest.approx({
        "tickets_beat_random": 19.875, "tickets_beat_dense_above_95": 4.5, "ticket_asymptotic_accuracy": 71.5,
        "ticket_flipped_accuracy": 67.0, "ticket_shuffled_vs_dense": -3.0, "ticket_shuffling_costs": 11.0,
        "ticket_new_init_vs_dense": 2.0, "ticket_more_adjacent": 2.0})
    assert values.n == dict.fromkeys(values.measured, 2) and values.se == {}
    assert values.spread["ticket_more_adjacent"] == pytest.approx(3 / SQRT2)
    only_original = section.lottery_claim_values(paper_chains(), asymptotic_runs(RUNS[:4]), adjacency(),
                                                 {"original": "original", "flipped": None, "shuffled": None})
    for claim in ("ticket_flipped_accuracy", "ticket_shuffled_vs_dense", "ticket_shuffling_costs",
                  "ticket_new_init_vs_dense"):
        assert only_original.measured[claim] is None
        assert claim not in only_original.spread and claim not in only_original.n


def test_seed_spread_ignores_missing_seeds_and_needs_two():
    # std of 1 and 3 with ddof 1: sqrt(((1 - 2)^2 + (3 - 2)^2) / 1) = sqrt(2)
    assert section.seed_spread([1.0, 3.0, float("nan")]) == pytest.approx(SQRT2)
    assert section.seed_spread([5.0]) is None


# --- the first-layer adjacency ------------------------------------------------------------------


def test_adjacency_counts_windows_of_kept_neighbours():
    mask = np.array([[1, 1, 1, 0, 1, 1, 0, 0],
                     [1, 0, 1, 0, 1, 0, 1, 0]], dtype=bool)
    # row 0: pairs (0,1), (1,2), (4,5) of 7 windows; triples: (0,1,2) of 6; row 1 has no kept neighbours
    np.testing.assert_allclose(section.adjacency_fractions(mask, 2), [3 / 7, 0.0])
    np.testing.assert_allclose(section.adjacency_fractions(mask, 3), [1 / 6, 0.0])
    generator = np.random.default_rng(0)
    random_mask = generator.random((4000, 40)) < 0.3
    assert section.adjacency_fractions(random_mask, 2).mean() == pytest.approx(0.09, abs=0.005)


def first_layer_masks(second_seed=False):
    masks = {("magnitude", 1): np.array([[1, 1, 0, 1], [1, 1, 1, 0]], dtype=bool),
             ("random", 1): np.array([[1, 1, 0, 0], [0, 0, 0, 1]], dtype=bool)}
    if second_seed:
        masks[("magnitude", 2)] = np.array([[1, 1, 1, 1], [1, 1, 1, 1]], dtype=bool)
    return masks


def test_adjacency_table_rows_and_pooled_fraction():
    table, unit_fractions = section.adjacency_table(first_layer_masks(), [2])
    # magnitude: pairs per unit 1/3 (of (1,1), (1,0), (0,1)) and 2/3; density 6/8, chance 0.75^2
    # random: pairs per unit 1/3 and 0; density 3/8, chance 9/64
    assert table.to_dict("records") == [
        {"network": "lottery", "seed": 1, "run_length": 2, "mean_fraction": pytest.approx(0.5), "units": 2,
         "weight_density": 0.75, "chance_fraction": 0.5625},
        {"network": "random", "seed": 1, "run_length": 2, "mean_fraction": pytest.approx(1 / 6), "units": 2,
         "weight_density": 0.375, "chance_fraction": 0.140625}]
    np.testing.assert_allclose(unit_fractions[("magnitude", 1, 2)], [1 / 3, 2 / 3])
    # pooled over units 1/3 and 2/3: mean 1/2; std (ddof 1) sqrt(2 / 36), over sqrt(2) -> 1/6
    mean, se = section.pooled_fraction(unit_fractions, "magnitude", 2)
    assert mean == pytest.approx(0.5) and se == pytest.approx(1 / 6)
    assert section.mean_weight_density(table, "lottery") == 0.75
    assert section.mean_chance_fraction(table, "random", 2) == 0.140625
    table, unit_fractions = section.adjacency_table(first_layer_masks(second_seed=True), [2, 3])
    # magnitude seed 1 triples: (1,1,0), (1,0,1) and (1,1,1), (1,1,0) -> 0 and 1/2; chance 0.75^3
    assert table.loc[1].to_dict() == {"network": "lottery", "seed": 1, "run_length": 3, "mean_fraction": 0.25,
                                      "units": 2, "weight_density": 0.75, "chance_fraction": 0.421875}
    # seed 2 keeps everything: density (0.75 + 1) / 2; triples chance (0.421875 + 1) / 2
    assert section.mean_weight_density(table, "lottery") == 0.875
    assert section.mean_chance_fraction(table, "lottery", 3) == pytest.approx(0.7109375)
    # pairs over the units of both seeds: 1/3, 2/3, 1, 1 -> mean 0.75
    assert section.pooled_fraction(unit_fractions, "magnitude", 2)[0] == pytest.approx(0.75)


def test_relative_to_chance_per_seed_and_mean():
    # lottery pairs: 4 (seed 42) and 2 (seed 43), in seed order; mean 3
    assert section.relative_to_chance(adjacency(), "lottery", 2, per_seed=True).to_dict() == {42: 4.0, 43: 2.0}
    assert section.relative_to_chance(adjacency(), "random", 2) == pytest.approx(1.5)
    # random rows come seed 43 first; per seed they are in seed order: 1, then 2
    assert section.relative_to_chance(adjacency(), "random", 2, per_seed=True).tolist() == [1.0, 2.0]


# --- tables -------------------------------------------------------------------------------------


def test_all_chains_put_the_chain_keys_first():
    levels = pd.DataFrame({"level": [0, 1], "sparsity": [0.0, 0.5], "test_acc": [60.0, 61.0]})
    chains = section.all_chains({("paper", "magnitude", 42): levels, ("fast", "random", 43): levels})
    assert list(chains.columns) == ["schedule", "method", "seed", "level", "sparsity", "test_acc"]
    assert chains["schedule"].tolist() == ["paper", "paper", "fast", "fast"]


def test_paper_chains_label_each_chain_with_its_method_and_seed():
    levels = pd.DataFrame({"level": [0, 1], "test_acc": [60.0, 61.0]})
    chains = section.paper_chains({("magnitude", 42): levels, ("random", 43): levels})
    assert list(chains.columns) == ["level", "test_acc", "method", "seed"]
    assert list(zip(chains["method"], chains["seed"])) == [("magnitude", 42)] * 2 + [("random", 43)] * 2


def test_level_means_average_over_seeds():
    by_method = section.levels_by_method(paper_chains())
    assert sorted(by_method) == ["magnitude", "random"]
    lottery = by_method["magnitude"]
    # level 5: 10 at both seeds -> mean 10, std 0
    assert lottery.loc[5, "test_acc"] == 10.0 and lottery.loc[5, "test_acc_std"] == 0.0
    # level 3: (62 + 69) / 2 = 65.5, std 7 / sqrt(2); loss 1.3 at both seeds
    assert lottery.loc[3, "test_acc"] == 65.5 and lottery.loc[3, "test_acc_std"] == pytest.approx(7 / SQRT2)
    assert lottery.loc[3, "sparsity"] == 0.96 and lottery.loc[3, "test_loss"] == pytest.approx(1.3)
    grouped = section.level_means(paper_chains(), ["method", "level"])
    assert grouped.loc[("random", 1), "test_acc"] == 59.0  # (58 + 60) / 2


def test_asymptotic_runs_stats_and_table():
    specs = [{"variant": "original", "network": net, "init": "original", "seed": seed, "path": "x.json"}
             for net in ("lottery", "dense") for seed in (42, 43)]
    accuracies = [70.0, 72.0, 66.0, 66.0]
    metrics = [{"final_test_acc": acc - 1, "asymptotic_test_acc": acc, "final_train_acc": 99.0, "kept_fraction": 0.1,
                "curve": []} for acc in accuracies]
    runs = section.asymptotic_runs(specs, metrics)
    assert list(runs.columns) == ["variant", "network", "init", "seed", "final_test_acc", "asymptotic_test_acc",
                                  "final_train_acc", "kept_fraction"]
    stats = section.asymptotic_stats(runs)
    # tickets: mean 71, std sqrt(2); dense: 66, std 0
    assert stats.loc[("original", "original", "lottery"), "mean"] == 71.0
    assert stats.loc[("original", "original", "lottery"), "std"] == pytest.approx(SQRT2)
    table = section.asymptotic_table(runs, stats, ["dense", "lottery"])
    assert table.to_dict("records") == [{"data variant": "original", "initialisation": "original",
                                         "dense": "66.0 ± 0.0", "lottery": "71.0 ± 1.4"}]
    one_seed = section.asymptotic_runs(specs[:1], metrics[:1])
    assert section.asymptotic_table(one_seed, section.asymptotic_stats(one_seed), ["lottery"])["lottery"][0] == "70.0"


def test_mean_test_curve_averages_the_seeds_of_one_run_kind():
    specs = [{"variant": "original", "init": "original", "network": "lottery"},
             {"variant": "original", "init": "original", "network": "lottery"},
             {"variant": "original", "init": "original", "network": "dense"}]
    metrics = [{"curve": [{"step": 10, "test_acc": 50.0}, {"step": 20, "test_acc": 60.0}]},
               {"curve": [{"step": 10, "test_acc": 54.0}, {"step": 20, "test_acc": 64.0}]},
               {"curve": [{"step": 10, "test_acc": 99.0}, {"step": 20, "test_acc": 99.0}]}]
    curve = section.mean_test_curve(specs, metrics, "original", "original", "lottery")
    assert curve.to_dict() == {10: 52.0, 20: 62.0}


def test_short_verdict_and_summary_table():
    row = {"ours": 3.214, "unit": "points", "verdict": "reproduced"}
    assert section.short_verdict(row) == "3.21 points, reproduced"
    assert section.short_verdict({"ours": 70.12, "unit": "%", "verdict": "reproduced"}) == "70.1%, reproduced"
    assert section.short_verdict({"ours": None, "unit": "%", "verdict": "not run"}) == "not run"
    claims = pd.DataFrame({"claim_id": ["a", "b"], "ours": [1.0, 2.0], "verdict": ["reproduced", "failed"],
                           "why": ["x", "y"]})
    sensitivity = pd.DataFrame({"claim_id": ["a", "b", "a"], "setting": ["last", "last", "final"],
                                "ours": [1.0, 2.0, 5.0], "verdict": ["reproduced", "failed", "failed"]})
    summary = section.summary_table(claims, sensitivity, "lottery.score_weights", ["final"])
    assert list(summary.columns) == ["claim_id", "ours", "verdict", "ours, lottery.score_weights: final",
                                     "verdict, lottery.score_weights: final", "why"]
    assert summary["ours, lottery.score_weights: final"].tolist()[0] == 5.0
    assert summary["verdict, lottery.score_weights: final"].isna().tolist() == [False, True]


def test_measure_setting_gives_the_figures_their_levels_and_the_above_95_gap():
    chains = paper_chains()
    specs = [{"variant": v, "init": init, "network": net, "seed": seed} for v, init, net, seed, _ in RUNS]
    metrics = [{"final_test_acc": acc, "asymptotic_test_acc": acc, "final_train_acc": acc, "kept_fraction": 1.0}
               for *_, acc in RUNS]
    first_layer = {(method, seed): mask for (method, _), mask in first_layer_masks().items() for seed in (42, 43)}
    shown = section.measure_setting(chains, specs, metrics, first_layer, 3, [2, 3], PANELS)
    assert shown.ticket_sparsity == 0.96 and shown.dense["test_acc"] == 61.0  # (60 + 62) / 2
    assert shown.random.loc[3, "test_acc"] == 31.0  # (30 + 32) / 2
    # levels 3 and 4: (65.5 + 45) / 2 = 55.25, minus dense 61
    assert shown.tickets_minus_dense_above_95() == pytest.approx(-5.75)
    assert len(shown.adjacency) == 8 and shown.claims.measured["ticket_asymptotic_accuracy"] == 71.5
    # pairs relative to chance, the same at both seeds: tickets 0.5 / 0.5625, random (1/6) / (9/64) = 64/54
    assert shown.claims.measured["ticket_more_adjacent"] == pytest.approx((0.5 / 0.5625) / (64 / 54))
