"""Section summaries on small hand-made job outputs: each claim's value, spread and error."""
import numpy as np
import pytest

from mnist1d_repro.claims import binomial_se


def ssl_job(loss, head, seed, accuracies, train_data="train", info_nce="one_directional", tol=0.01):
    return {"loss": loss, "train_data": train_data, "info_nce": info_nce if loss == "info_nce" else None,
            "probe_tol": tol,
            "head_layers": head, "seed": seed, "probe_accuracy": accuracies,
            "layer_features": [40] + [125] * (len(accuracies) - 1)}


def test_ssl_claims_read_the_encoder_output_of_the_chosen_setting():
    from mnist1d_repro.summaries import probe_table, runs_under, ssl_claim_values
    jobs = [ssl_job("info_nce", 2, 0, [33, 75, 81, 82, 76, 75]),
            ssl_job("info_nce", 0, 0, [33, 75, 81, 85]),  # peaks at the last layer: not inside
            ssl_job("info_nce", 2, 0, [33, 70, 71, 72, 60, 50], info_nce="symmetric"),
            ssl_job("vicreg", 2, 0, [33, 60, 61, 62, 50, 40]),
            ssl_job("info_nce", 2, 0, [33, 76, 82, 84, 77, 76], tol=1e-4)]
    probes = probe_table(jobs)
    assert len(probes) == 6 + 4 + 6 + 6 + 6
    configured = runs_under(probes, {"train_data": "train", "info_nce": "one_directional", "tol": 0.01})
    values, spread, errors = ssl_claim_values(configured, test_samples=1000)
    assert values == {"linear_accuracy_before_head": 82.0, "accuracy_peaks_in_the_middle": 0.5}
    assert spread["linear_accuracy_before_head"] is None  # one seed
    assert errors["linear_accuracy_before_head"] == pytest.approx(binomial_se(82.0, 1000))
    symmetric, _, _ = ssl_claim_values(runs_under(probes, {"train_data": "train", "info_nce": "symmetric",
                                                           "tol": 0.01}), 1000)
    assert symmetric["linear_accuracy_before_head"] == 72.0
    tight, _, _ = ssl_claim_values(runs_under(probes, {"train_data": "train", "info_nce": "one_directional",
                                                       "tol": 1e-4}), 1000)
    assert tight["linear_accuracy_before_head"] == 84.0
    two_seeds = probe_table(jobs[:1] + [ssl_job("info_nce", 2, 1, [33, 75, 81, 84, 76, 75])])
    values, spread, errors = ssl_claim_values(two_seeds, 1000)
    assert values["linear_accuracy_before_head"] == 83.0
    assert errors["linear_accuracy_before_head"] == pytest.approx(spread["linear_accuracy_before_head"] / 2 ** 0.5)


def lr_run(kind, start, draw, lrs, losses):
    import pandas as pd
    return pd.DataFrame({"initial_weights": kind, "initial_lr": start, "init_seed": draw,
                         "outer_step": range(1, len(lrs) + 1), "lr": lrs, "meta_loss": losses})


def test_learning_rate_claims_count_a_diverged_run_as_a_failure():
    import numpy as np
    import pandas as pd
    from mnist1d_repro.claims import NOT_REPRODUCED, judge
    from mnist1d_repro.summaries import lr_claim_values, metalearning_lr_finals
    runs = pd.concat([lr_run("reference", 0.15, 0, [0.3, 0.6, 0.62], [2.0, 1.0, 0.9]),
                      lr_run("reference", 1.5, 0, [1.0, 0.7, 0.63], [3.0, 1.0, 0.9]),
                      lr_run("draws", 0.15, 1, [0.3, 0.5, 0.55], [2.0, 1.0, 0.9]),
                      lr_run("draws", 1.5, 1, [1.0, 0.6, 0.57], [3.0, 1.0, 0.9]),
                      lr_run("draws", 0.15, 2, [0.3, 0.6, 0.65], [2.0, 1.0, 0.9]),
                      lr_run("draws", 1.5, 2, [1.0, 0.7, 0.66], [3.0, 1.0, 0.9])])
    finals = metalearning_lr_finals(runs)
    assert not finals["diverged"].any() and list(finals["settled"]) == [3] * 6
    values, spread, gaps, draws = lr_claim_values(finals, "reference", [0.15, 1.5])
    assert values["lr_from_low"] == 0.62 and values["lr_runs_agree"] == pytest.approx(0.01)
    assert draws == {}  # one deterministic run: no standard error
    values, spread, gaps, draws = lr_claim_values(finals, "draws", [0.15, 1.5])
    assert values["lr_from_low"] == pytest.approx(0.6) and spread["lr_from_low"] == pytest.approx(0.0707, abs=1e-4)
    assert draws == {"lr_from_low": 2, "lr_from_high": 2} and values["lr_runs_agree"] == pytest.approx(0.02)
    # a draw whose meta-loss ends above its start diverged: it fails, it is not left out
    blown = pd.concat([runs, lr_run("draws", 1.5, 3, [1.0, 3.0, 9.0], [3.0, 5.0, np.nan]),
                       lr_run("draws", 0.15, 3, [0.3, 0.6, 0.6], [2.0, 1.0, 0.9])])
    values, _, gaps, _ = lr_claim_values(metalearning_lr_finals(blown), "draws", [0.15, 1.5])
    assert values["lr_from_high"] == np.inf and values["lr_runs_agree"] == np.inf
    claim = {"rule": "within", "paper": 0.62, "tolerance": 0.14}
    assert judge(claim, values["lr_from_high"])["verdict"] == NOT_REPRODUCED


def test_activation_gaps_carry_the_sampling_error_of_two_accuracies():
    import numpy as np
    import pandas as pd
    from mnist1d_repro.summaries import activation_claim_values, activation_comparison
    learned = pd.DataFrame({"outer_step": [1, 2, 3, 4], "test_acc": [50.0, 60.0, 64.0, 66.0],
                            "meta_loss": [1.0, 0.8, 0.7, 0.6]})
    reference_seeding = pd.DataFrame({"activation": ["relu"], "outer_step": [0], "test_acc": [57.0], "meta_loss": [0.9]})
    table, spread, last = activation_comparison(learned, reference_seeding, ["relu"], final_outer_steps=2)
    assert last == 3 and table.set_index("activation").loc["relu", "learned minus this (mean)"] == 8.0
    values, _, errors = activation_claim_values(table, spread, extrema=2, beaten=("relu", "elu"), test_samples=500)
    assert values == {"activation_beats_relu": 8.0, "activation_beats_elu": None, "activation_two_extrema": 2}
    expected = np.hypot(100 * np.sqrt(0.65 * 0.35 / 500), 100 * np.sqrt(0.57 * 0.43 / 500))
    assert errors == {"activation_beats_relu": pytest.approx(expected)}  # one baseline run: sampling only
    fresh = pd.DataFrame({"activation": "relu", "outer_step": [1, 2, 3, 4], "test_acc": [50.0, 55.0, 58.0, 56.0],
                          "meta_loss": 0.9})
    table, spread, _ = activation_comparison(learned, fresh, ["relu"], final_outer_steps=2)
    values, _, errors = activation_claim_values(table, spread, extrema=2, beaten=("relu",), test_samples=500)
    assert values["activation_beats_relu"] == 8.0  # pairs (64 - 58, 66 - 56)
    assert errors["activation_beats_relu"] > expected  # the paired runs' spread adds to the sampling error


def test_lottery_claims_from_chains_asymptotic_runs_and_adjacency():
    import pandas as pd
    from mnist1d_repro.summaries import lottery_claim_values
    sparsity = [0.0, 0.5, 0.9, 0.96, 1.0]
    chains = pd.DataFrame([{"method": method, "seed": seed, "level": level, "sparsity": s,
                            "test_acc": acc}
                           for method, seed, accs in [("magnitude", 42, [60, 64, 66, 62, 10]),
                                                      ("magnitude", 43, [62, 64, 68, 66, 10]),
                                                      ("random", 42, [60, 58, 50, 30, 10]),
                                                      ("random", 43, [62, 60, 52, 32, 10])]
                           for level, (s, acc) in enumerate(zip(sparsity, accs))])
    runs = pd.DataFrame([{"variant": v, "init": init, "network": net, "seed": seed, "asymptotic_test_acc": acc}
                         for v, init, net, seed, acc in [
                             ("original", "original", "lottery", 42, 70.0), ("original", "original", "lottery", 43, 72.0),
                             ("shuffled", "original", "lottery", 42, 60.0), ("shuffled", "original", "lottery", 43, 61.0),
                             ("shuffled", "original", "dense", 42, 62.0), ("shuffled", "original", "dense", 43, 61.0)]])
    adjacency = pd.DataFrame([{"network": net, "seed": seed, "run_length": 2, "mean_fraction": frac,
                               "chance_fraction": 0.01}
                              for net, seed, frac in [("lottery", 42, 0.04), ("lottery", 43, 0.02),
                                                      ("random", 42, 0.01), ("random", 43, 0.01)]])
    panels = {"original": "original", "flipped": None, "shuffled": "shuffled"}
    values, spread, seeds = lottery_claim_values(chains, runs, adjacency, panels)
    # levels 1-3 (sparsity 0.5 to 0.96): ticket minus random 6, 16, 32 and 4, 16, 34 points
    assert values["tickets_beat_random"] == pytest.approx((18 + 18) / 2)
    # the first level above 95 % (0.96) against dense: 62 - 60 and 66 - 62
    assert values["tickets_beat_dense_above_95"] == 3.0 and spread["tickets_beat_dense_above_95"] == pytest.approx(1.414, abs=1e-3)
    assert values["ticket_asymptotic_accuracy"] == 71.0 and values["ticket_flipped_accuracy"] is None
    assert values["ticket_shuffled_vs_dense"] == -1.0  # per seed -2 and 0
    assert values["ticket_shuffling_costs"] == 10.5  # original minus shuffled: 10 and 11
    assert spread["ticket_shuffling_costs"] == pytest.approx(0.7071, abs=1e-4)
    assert values["ticket_new_init_vs_dense"] is None  # no run from new initialisations
    assert values["ticket_more_adjacent"] == 3.0  # (4 + 2) / 2 over (1 + 1) / 2
    assert seeds["ticket_shuffled_vs_dense"] == 2 and "ticket_flipped_accuracy" not in seeds


def test_pixel_claims_carry_binomial_errors_and_the_knn_contrast_combines_them():
    from mnist1d_repro.claims import binomial_se
    from mnist1d_repro.summaries import pixel_claim_values

    values, se = pixel_claim_values({"mnist1d_knn": 60.0, "mnist1d_logistic": 33.0, "mnist_knn": 92.0},
                                    {"mnist1d_knn": 1000, "mnist1d_logistic": 1000, "mnist_knn": 500})
    assert values == {"pixel_knn_accuracy": 60.0, "pixel_logistic_accuracy": 33.0, "knn_mnist_beats_mnist1d": 32.0}
    assert se["pixel_knn_accuracy"] == pytest.approx(binomial_se(60.0, 1000))
    assert se["knn_mnist_beats_mnist1d"] == pytest.approx(np.hypot(binomial_se(92.0, 500), binomial_se(60.0, 1000)))
