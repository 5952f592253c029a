import numpy as np
import pytest
import torch

from mnist1d_repro import lottery
from mnist1d_repro.models import build_model
from mnist1d_repro.training import TrainConfig, as_tensors, seed_everything


def toy_data(n=200, seed=0):
    generator = np.random.default_rng(seed)
    x = generator.normal(size=(n, 40)).astype(np.float32)
    y = (x[:, :5].sum(1) > 0).astype(np.int64) + 2 * (x[:, 20:25].sum(1) > 0)
    return as_tensors(x, y, "cpu")


def small_mlp(seed=0, hidden=16):
    seed_everything(seed)
    return build_model("mlp", hidden=hidden)


def test_layer_masks_prune_weight_and_bias_together_per_layer():
    model = small_mlp()
    layers = lottery.prunable_layers(model)
    assert [name for name, _ in layers] == ["linear1", "linear2", "linear3"]
    masks = lottery.layer_masks(lottery.magnitude_scores(model), layers, 0.3)
    for _, names in layers:
        n = sum(masks[name].numel() for name in names)
        removed = sum(int((~masks[name]).sum()) for name in names)
        assert removed == int(0.3 * n)
        # the removed entries are the smallest magnitudes of the layer as a whole
        values = torch.cat([dict(model.named_parameters())[name].detach().abs().flatten() for name in names])
        kept = torch.cat([masks[name].flatten() for name in names])
        assert values[~kept].max() <= values[kept].min()


def test_masked_weights_stay_exactly_zero_through_training():
    model = small_mlp()
    initial = {name: p.detach().clone() for name, p in model.named_parameters()}
    masks = lottery.layer_masks(lottery.random_scores(model, torch.Generator().manual_seed(0)),
                                lottery.prunable_layers(model), 0.8)
    x, y = toy_data()
    cfg = TrainConfig(steps=60, batch_size=50, lr=0.02, eval_every=60)
    lottery.train_masked(model, initial, masks, (x, y), {"train": (x, y)}, cfg)
    for name, p in model.named_parameters():
        assert torch.count_nonzero(p[~masks[name]]) == 0, name
        assert not torch.equal(p[masks[name]], initial[name][masks[name]]), name  # the kept ones trained


def test_rewinding_restores_the_initial_values_under_the_mask():
    model = small_mlp()
    initial = {name: p.detach().clone() for name, p in model.named_parameters()}
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    masks = {name: torch.rand(p.shape) > 0.5 for name, p in model.named_parameters()}
    lottery.rewind(model, initial, masks)
    for name, p in model.named_parameters():
        assert torch.equal(p, initial[name] * masks[name])


@pytest.fixture(scope="module")
def chains():
    x, y = toy_data()
    cfg = TrainConfig(steps=20, batch_size=50, lr=0.02, eval_every=20)
    sparsities = lottery.sparsity_schedule(5, 0.9)
    out = {}
    for method in lottery.METHODS:
        model = small_mlp(seed=3)
        out[method] = lottery.pruning_chain(model, method, sparsities, (x, y), {"test": (x, y)}, cfg, seed=3,
                                            log=lambda message: None, checkpoint_every=15)
    return sparsities, out


def test_chain_follows_the_schedule_and_saves_every_level(chains):
    sparsities, out = chains
    for method, (rows, masks) in out.items():
        assert [r["sparsity"] for r in rows] == pytest.approx(list(sparsities))
        assert masks["linear2.weight"].shape == (5, 16, 16) and masks["linear2.weight"].dtype == bool
        assert masks["linear1.weight"][0].all()  # level 0 is dense
        for level, sparsity in enumerate(sparsities):
            kept = masks["linear2.weight"][level].sum() + masks["linear2.bias"][level].sum()
            assert kept == 16 * 17 - int(sparsity * 16 * 17)


def test_magnitude_masks_are_nested_and_random_ones_are_redrawn(chains):
    _, out = chains
    magnitude = out["magnitude"][1]["linear1.weight"]
    assert all((magnitude[k + 1] <= magnitude[k]).all() for k in range(len(magnitude) - 1))
    random_masks = out["random"][1]["linear1.weight"]
    assert not all((random_masks[k + 1] <= random_masks[k]).all() for k in range(len(random_masks) - 1))


def test_both_chains_start_from_the_same_dense_run(chains):
    _, out = chains
    assert out["magnitude"][0][0] == out["random"][0][0]


def test_unknown_pruning_method_is_named():
    with pytest.raises(ValueError, match="unknown pruning method 'largest'"):
        lottery.pruning_chain(small_mlp(), "largest", [0.0], toy_data(), {}, TrainConfig(steps=1), seed=0)
    with pytest.raises(ValueError, match="unknown score_weights 'best'"):
        lottery.pruning_chain(small_mlp(), "magnitude", [0.0], toy_data(), {}, TrainConfig(steps=1), seed=0,
                              score_weights="best")


def test_last_checkpoint_holds_one_update_more_than_its_loop_index():
    # the reference's loop checkpoints at index i after update i + 1: before this release we
    # scored from 1000 updates, not 1001
    assert lottery.last_checkpoint_updates(1501, 1000) == 1001  # the reference's retrain
    assert lottery.last_checkpoint_updates(30, 20) == 21
    assert lottery.last_checkpoint_updates(40, 20) == 40  # index 40 would be past the last update
    assert lottery.last_checkpoint_updates(5, 20) == 1  # index 0: after the first update
    with pytest.raises(ValueError, match="checkpoint_every"):
        lottery.last_checkpoint_updates(10, 0)
    with pytest.raises(ValueError, match="at least one step"):
        lottery.last_checkpoint_updates(0, 10)


@pytest.fixture(scope="module")
def dense_retrain():
    """Level 0 of a chain done by hand: the weights after update 16 (the last checkpoint when one
    is kept every 15 steps), after update 20 (the last) and after update 1 (the checkpoint when
    the interval is longer than the run), and the masks at 60 % sparsity each gives."""
    x, y = toy_data()
    cfg = TrainConfig(steps=20, batch_size=50, lr=0.02, eval_every=20)
    model = small_mlp(seed=3)
    layers = lottery.prunable_layers(model)
    initial = {name: p.detach().clone() for name, p in model.named_parameters()}
    dense = {name: torch.ones_like(p, dtype=torch.bool) for name, p in initial.items()}
    checkpoint, first = lottery.Snapshot(model, 16), lottery.Snapshot(model, 1)
    history = lottery.train_masked(model, initial, dense, (x, y), {"test": (x, y)}, cfg,
                                   after_step=lottery._in_turn(checkpoint, first))
    masks = {"last_checkpoint": lottery.layer_masks(lottery.magnitude_scores(checkpoint.weights), layers, 0.6),
             "final": lottery.layer_masks(lottery.magnitude_scores(model), layers, 0.6),
             "first_update": lottery.layer_masks(lottery.magnitude_scores(first.weights), layers, 0.6),
             "start": lottery.layer_masks(lottery.magnitude_scores(initial), layers, 0.6)}
    # the premise: the checkpoint ranks the weights differently from the final ones
    assert any(not torch.equal(masks["last_checkpoint"][n], masks["final"][n]) for n in initial)
    return (x, y), cfg, history, masks


def chain_masks(data, cfg, score_weights, checkpoint_every=15):
    rows, masks = lottery.pruning_chain(small_mlp(seed=3), "magnitude", [0.0, 0.6], data, {"test": data}, cfg,
                                        seed=3, log=lambda message: None, score_weights=score_weights,
                                        checkpoint_every=checkpoint_every)
    return rows, masks


@pytest.mark.parametrize("score_weights", ["last_checkpoint", "final"])
def test_next_level_is_scored_from_the_configured_weights(dense_retrain, score_weights):
    data, cfg, history, expected = dense_retrain
    rows, masks = chain_masks(data, cfg, score_weights)
    for name, mask in expected[score_weights].items():
        assert np.array_equal(masks[name][1], mask.numpy()), name
    # the level's reported accuracy is its last evaluation, whichever weights score the next level
    assert rows[0]["test_acc"] == history[-1]["test_acc"] and rows[0]["test_loss"] == history[-1]["test_loss"]


def test_a_checkpoint_interval_longer_than_the_retrain_scores_after_its_first_update(dense_retrain):
    data, cfg, _, expected = dense_retrain
    _, masks = chain_masks(data, cfg, "last_checkpoint", checkpoint_every=50)
    for name, mask in expected["first_update"].items():
        assert np.array_equal(masks[name][1], mask.numpy()), name
    # the premise: one update already re-ranks some weights
    assert any(not torch.equal(expected["first_update"][n], expected["start"][n]) for n in expected["start"])

