import numpy as np
import pandas as pd
import pytest

from mnist1d_repro.classification import closest_protocol, protocol_results, sweep_summary


def hand_made_curves():
    """Evaluations at steps 0, 250, 500, 750. The held-out run's validation accuracy peaks at 250
    (tied again at 750: the earlier step wins); the whole-set run's test accuracy peaks at 500."""
    steps = [0, 250, 500, 750]
    full = pd.DataFrame({"run": "last_step", "step": steps, "test_acc": [10.0, 60.0, 70.0, 65.0]})
    held = pd.DataFrame({"run": "early_stopping", "step": steps, "val_acc": [9.0, 80.0, 75.0, 80.0],
                         "test_acc": [11.0, 55.0, 58.0, 57.0]})
    return pd.concat([full, held], ignore_index=True)


def test_protocols_pick_the_right_steps_on_a_hand_made_curve():
    result = protocol_results(hand_made_curves())
    assert result["last_step"] == {"step": 750, "test_acc": 65.0}
    # the held-out split picks step 250; the accuracy is the whole-training-set run's there,
    # not the held-out run's own 55 (which trained on fewer samples)
    assert result["early_stopping"] == {"step": 250, "test_acc": 60.0}
    assert result["early_stopping_subset"] == {"step": 250, "test_acc": 55.0}
    assert result["best_test_step"] == {"step": 500, "test_acc": 70.0}


def test_curves_out_of_order_give_the_same_protocols():
    shuffled = hand_made_curves().sample(frac=1.0, random_state=0)
    assert protocol_results(shuffled) == protocol_results(hand_made_curves())


def test_early_stopping_needs_the_full_run_evaluated_at_the_chosen_step():
    curves = hand_made_curves()
    curves = curves[~((curves["run"] == "last_step") & (curves["step"] == 250))]
    with pytest.raises(ValueError, match="step 250"):
        protocol_results(curves)


def test_closest_protocol_is_the_smallest_mean_distance_to_the_paper():
    means = pd.DataFrame({"last_step": [65.0, 92.0], "best_test_step": [67.0, 93.0]}, index=["mlp", "cnn"])
    best, distance = closest_protocol(means, {"mlp": 68, "cnn": 94, "gru": 91})
    assert best == "best_test_step"
    assert distance["last_step"] == pytest.approx(2.5)


def test_sweep_summary_reaches_the_band_on_the_mean():
    runs = pd.DataFrame({"setting": ["a"] * 3 + ["b"] * 3, "protocol": "last_step",
                         "test_acc": [66.0, 67.0, 65.5, 64.0, 65.0, 66.5]})
    summary = sweep_summary(runs, target=68, band=2).set_index("setting")
    assert bool(summary.loc["a", "reaches"]) and not bool(summary.loc["b", "reaches"])
    assert summary.loc["a", "seeds"] == 3 and np.isfinite(summary.loc["a", "std"])


def test_table1_claim_values_per_protocol_cells():
    from mnist1d_repro.classification import table1_claim_values

    means = {("original", "cnn"): 92.0, ("shuffled", "cnn"): 56.0, ("original", "gru"): 90.0,
             ("shuffled", "gru"): 58.0, ("original", "mlp"): 65.0, ("shuffled", "mlp"): 66.0}
    values = table1_claim_values(means)
    assert values["shuffle_drop_spatial"] == pytest.approx(34.0)
    assert values["shuffle_drop_nonspatial"] == pytest.approx(-1.0)  # logistic did not run
    assert values["table1_original_mlp"] == 65.0 and values["table1_mnist_deep"] is None


def test_shuffle_drop_error_combines_the_cells():
    from mnist1d_repro.classification import table1_claim_errors
    errors = {("original", "cnn"): 0.3, ("shuffled", "cnn"): 0.4, ("original", "gru"): 1.2, ("shuffled", "gru"): 0.5}
    values = table1_claim_errors(errors)
    assert values["table1_original_cnn"] == 0.3
    assert values["shuffle_drop_spatial"] == pytest.approx(np.sqrt(0.3**2 + 0.4**2 + 1.2**2 + 0.5**2) / 2)
    assert "shuffle_drop_nonspatial" not in values and "table1_mnist_deep" not in values
    mnist = {("mnist", "mlp"): 0.2, ("mnist", "cnn"): 0.1, ("mnist", "gru"): 0.4}
    lowest = table1_claim_errors(mnist, {("mnist", "mlp"): 98.1, ("mnist", "cnn"): 99.2, ("mnist", "gru"): 98.9})
    assert lowest["table1_mnist_deep"] == 0.2  # the MLP's, the lowest of the three means


def test_error_share_counts_errors_by_true_class():
    from mnist1d_repro.classification import error_share
    # rows: true class; two runs: class 0 has 1 + 3 errors, class 1 has 2 + 0, class 2 none
    a = np.array([[9, 1, 0], [2, 8, 0], [0, 0, 10]])
    b = np.array([[7, 0, 3], [0, 10, 0], [0, 0, 10]])
    share, se = error_share([a, b], [0])
    assert share == pytest.approx(4 / 6) and se == pytest.approx(np.sqrt(4 / 6 * 2 / 6 / 6))
    assert error_share([a, b], [2])[0] == 0.0
    assert error_share([np.eye(3) * 5], [0]) is None  # no errors at all
