"""A double-descent job's training schedule and the MLP it trains (the curves' and claims'
measurements: test_section_double_descent.py)."""
from mnist1d_repro import double_descent as dd


def test_a_job_trains_on_shuffled_batches_and_evaluates_every_tenth_of_its_epochs():
    import torch

    from mnist1d_repro.models import build_model
    from mnist1d_repro.training import train

    settings = {"epochs": 20, "batch_size": 50, "lr": 0.01, "momentum": 0.9}
    cfg = dd.job_train_config(settings, train_samples=120, seed=3)  # 3 batches an epoch, the last short
    assert (cfg.steps, cfg.eval_every, cfg.batch_order, cfg.shuffle_seed) == (60, 6, "shuffled", 3)
    torch.manual_seed(0)
    x, y = torch.randn(120, 40), torch.randint(0, 10, (120,))
    history = train(build_model("mlp", hidden=4, residual=False), (x, y), {"train": (x, y)}, cfg)
    assert [record["step"] // 3 for record in history] == list(range(0, 21, 2))  # epochs 0, 2, ..., 20


def test_the_one_hidden_layer_mlp_is_input_hidden_classes_and_the_default_keeps_two():
    import torch

    from mnist1d_repro.models import build_model, count_parameters

    for h in (3, 36):
        one = build_model("mlp", hidden=h, residual=False, hidden_layers=1)
        assert count_parameters(one) == 40 * h + h + 10 * h + 10
        assert [name for name, _ in one.named_children() if name.startswith("linear")] == ["linear1", "linear3"]
        two = build_model("mlp", hidden=h, residual=False)
        assert count_parameters(two) == h * h + 52 * h + 10  # the reference's two hidden layers
        torch.manual_seed(0)
        explicit = build_model("mlp", hidden=h, residual=False, hidden_layers=2)
        torch.manual_seed(0)
        default = build_model("mlp", hidden=h, residual=False)
        x = torch.randn(5, 40)
        assert torch.equal(explicit(x), default(x))  # same draws, same function as before the switch
        assert one(x).shape == (5, 10)
    torch.manual_seed(0)
    one = build_model("mlp", hidden=4, residual=False, hidden_layers=1)
    x = torch.randn(3, 40)
    assert torch.allclose(one(x), one.linear3(torch.relu(one.linear1(x))))


def test_a_one_hidden_layer_mlp_has_no_residual_connection():
    import pytest

    from mnist1d_repro.models import build_model

    with pytest.raises(ValueError, match="residual"):
        build_model("mlp", hidden=4, hidden_layers=1)
    with pytest.raises(ValueError, match="hidden_layers"):
        build_model("mlp", hidden=4, residual=False, hidden_layers=3)

