import pandas as pd
import pytest

from mnist1d_repro.classification import protocol_results


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
