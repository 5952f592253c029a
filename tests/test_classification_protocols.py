import pandas as pd
import pytest

from mnist1d_repro.classification import protocol_results
from mnist1d_repro.sections import classification as section


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


# --- classification.torch_seeding ------------------------------------------------------------------

NOTEBOOK_LAYERS = {  # the reference's models (notebooks/models.py), built as its constructors build them
    "cnn": lambda nn: [nn.Conv1d(1, 25, 5, stride=2, padding=1), nn.Conv1d(25, 25, 3, stride=2, padding=1),
                       nn.Conv1d(25, 25, 3, stride=2, padding=1), nn.Linear(125, 10)],
    "gru": lambda nn: [nn.GRU(input_size=1, hidden_size=6, batch_first=True, bidirectional=True), nn.Linear(480, 10)],
    "mlp": lambda nn: [nn.Linear(40, 100), nn.Linear(100, 100), nn.Linear(100, 10)],
    "logistic": lambda nn: [nn.Linear(40, 10)],
}


def notebook_initial_weights(seed, steps, batch_size, eval_every, n_train, n_test):
    """A hand-run of the notebook's eight runs on one torch stream: each model's initial weights,
    then, for the GRU, its training loop's forward passes (notebooks/train.py: iterations 0 to
    steps, a batch taken in order, and three evaluations every eval_every), each drawing the
    (2, batch, 6) normals of a zero initial state."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    weights = {}
    for variant in ("original", "shuffled"):
        for model in ("cnn", "gru", "mlp", "logistic"):
            layers = NOTEBOOK_LAYERS[model](nn)
            weights[variant, model] = [p.detach().clone() for layer in layers for p in layer.parameters()]
            if model == "gru":
                for step in range(steps + 1):
                    start = (step * batch_size) % n_train
                    torch.randn(2, len(range(n_train)[start:start + batch_size]), 6)
                    if step % eval_every == 0:
                        torch.randn(2, n_test, 6)
                        torch.randn(2, n_train, 6)
                        torch.randn(2, n_test, 6)
    return weights


def our_initial_weights(setting, seed, variant, model, steps, batch_size, eval_every, n_train, n_test):
    from mnist1d_repro.classification import reference_gru_forward_batches, seed_initial_weights
    from mnist1d_repro.models import build_model

    seed_initial_weights(setting, seed, variant, model, build_model,
                         reference_gru_forward_batches(steps, batch_size, eval_every, n_train, n_test))
    return [p.detach().clone() for p in build_model(model).parameters()]


def test_the_notebook_stream_gives_every_run_the_notebooks_initial_weights():
    """notebook_stream: each of the eight runs starts from the weights of a hand-run of the
    notebook's order (training short enough to be quick, with a partial last batch); per_job
    (every run seeded alone) matches the first run only."""
    import torch

    shape = dict(steps=23, batch_size=100, eval_every=10, n_train=250, n_test=70)
    notebook = notebook_initial_weights(7, **shape)
    for (variant, model), expected in notebook.items():
        ours = our_initial_weights("notebook_stream", 7, variant, model, **shape)
        assert len(ours) == len(expected)
        assert all(torch.equal(a, b) for a, b in zip(ours, expected)), (variant, model)
        per_job = our_initial_weights("per_job", 7, variant, model, **shape)
        same = all(torch.equal(a, b) for a, b in zip(per_job, expected))
        assert same == ((variant, model) == ("original", "cnn")), (variant, model)
        assert section.seeding_reruns(variant, model) == (not same), (variant, model)


def test_runs_outside_the_notebook_are_seeded_per_job_and_bad_settings_are_refused():
    import torch

    shape = dict(steps=5, batch_size=100, eval_every=10, n_train=250, n_test=70)
    mnist = our_initial_weights("notebook_stream", 3, "mnist", "mlp", **shape)
    alone = our_initial_weights("per_job", 3, "mnist", "mlp", **shape)
    assert all(torch.equal(a, b) for a, b in zip(mnist, alone))
    assert not section.seeding_reruns("mnist", "mlp")
    with pytest.raises(ValueError, match="classification.torch_seeding"):
        our_initial_weights("unseeded", 3, "original", "mlp", **shape)


def test_the_reference_loop_makes_a_forward_pass_per_iteration_and_three_per_evaluation():
    from mnist1d_repro.classification import reference_gru_forward_batches

    # 6000 updates as we count them: 6001 iterations, evaluations at 0, 250, ..., 6000
    passes = reference_gru_forward_batches(6000, 100, 250, 4000, 1000)
    assert len(passes) == 6001 + 3 * 25
    assert passes[:5] == [100, 1000, 4000, 1000, 100]
    assert reference_gru_forward_batches(2, 100, 0, 250, 70) == [100, 100, 50]
