import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn

from mnist1d_repro.models import PoolingCNN, build_model, count_parameters
from mnist1d_repro.ssl import SSLNetwork
from mnist1d_repro.training import (LOSSES, TrainConfig, as_tensors, batch_rows, early_stopping_record,
                                    resolve_device, seed_everything, train)


@pytest.mark.parametrize("name,expected", [("logistic", 410), ("mlp", 15_210), ("cnn", 5_210),
                                           ("gru", 5_134)])
def test_parameter_counts_match_the_paper(name, expected):
    assert count_parameters(build_model(name)) == expected


@pytest.mark.parametrize("name", ["logistic", "mlp", "cnn", "gru"])
def test_models_map_signals_to_class_logits(name):
    assert build_model(name)(torch.zeros(7, 40)).shape == (7, 10)


def test_double_descent_models():
    # two hidden layers of width h without the residual connection: h^2 + 52h + 10 parameters
    assert count_parameters(build_model("mlp", hidden=36, residual=False)) == 36 ** 2 + 52 * 36 + 10
    cnn = build_model("cnn", channels=10)  # Linear(5c, 10) read-out
    assert cnn.linear.in_features == 50


def test_squared_error_is_zero_only_for_exact_one_hot_outputs():
    target = torch.tensor([0, 2])
    exact = torch.nn.functional.one_hot(target, 10).float()
    assert LOSSES["mse"](exact, target).item() == 0
    assert LOSSES["mse"](exact + 0.5, target).item() == 10 * 0.25


def test_unknown_model_is_named():
    with pytest.raises(ValueError, match="transformer"):
        build_model("transformer")


def test_sequential_batches_follow_the_reference_order():
    rows = batch_rows(400, TrainConfig(steps=1, batch_size=100))
    assert [rows(i) for i in (0, 3, 4, 5)] == [slice(0, 100), slice(300, 400), slice(0, 100),
                                               slice(100, 200)]


def test_shuffled_batches_cover_each_epoch_once_and_are_seeded():
    cfg = TrainConfig(steps=1, batch_size=30, batch_order="shuffled", shuffle_seed=3)
    rows = batch_rows(100, cfg)
    epoch = torch.cat([rows(i) for i in range(4)])
    assert sorted(epoch.tolist()) == list(range(100))
    again = batch_rows(100, cfg)
    assert torch.equal(torch.cat([again(i) for i in range(4)]), epoch)
    assert not torch.equal(rows(4), epoch[:30])  # a new order in the next epoch


def tiny_problem():
    rng = np.random.RandomState(0)
    x = rng.normal(size=(200, 40))
    y = (x[:, :5].sum(1) > 0).astype(int)
    return as_tensors(x, y, torch.device("cpu"))


def test_training_learns_and_records_every_evaluation():
    x, y = tiny_problem()
    seed_everything(0)
    model = build_model("mlp")
    cfg = TrainConfig(steps=120, batch_size=50, eval_every=50)
    history = train(model, (x, y), {"train": (x, y)}, cfg)
    assert [r["step"] for r in history] == [0, 50, 100, 120]
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert history[-1]["train_acc"] > 90


def test_training_is_deterministic_on_cpu():
    x, y = tiny_problem()
    results = []
    for _ in range(2):
        seed_everything(1)
        model = build_model("cnn")
        results.append(train(model, (x, y), {"train": (x, y)}, TrainConfig(steps=30, batch_size=50)))
    assert results[0] == results[1]


def test_after_step_hook_runs_every_step():
    x, y = tiny_problem()
    calls = []
    train(build_model("logistic"), (x, y), {}, TrainConfig(steps=7, batch_size=50),
          after_step=lambda: calls.append(1))
    assert len(calls) == 7


def test_early_stopping_takes_the_earliest_best_step():
    history = [{"step": 0, "val_acc": 10}, {"step": 5, "val_acc": 80}, {"step": 10, "val_acc": 80},
               {"step": 15, "val_acc": 70}]
    assert early_stopping_record(history)["step"] == 5


def test_device_selection():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    assert resolve_device("cpu").type == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA"):
            resolve_device("cuda")


@pytest.mark.parametrize("pooling,read_out", [("none", 800), ("stride", 200), ("max", 200), ("avg", 200),
                                              ("l2", 200)])
def test_pooling_cnns_have_the_reference_read_out(pooling, read_out):
    model = build_model("pooling_cnn", pooling=pooling)
    assert model.linear.in_features == read_out
    assert model(torch.randn(3, 40)).shape == (3, 10)


def test_l2_pooling_is_the_root_of_the_summed_squares():
    model = build_model("pooling_cnn", pooling="l2")
    h = torch.tensor([[[3.0, 4.0, 1.0, 0.0]]])
    assert torch.allclose(model.pool(h), torch.tensor([[[5.0, 1.0]]]))


def test_batch_loss_replaces_the_supervised_loss_and_fit_loss_is_recorded():
    x, y = tiny_problem()
    calls = []

    def zero_centred_output(model, xb, yb):
        calls.append(len(xb))
        return model(xb).square().mean()

    history = train(build_model("logistic"), (x, y), {}, TrainConfig(steps=20, batch_size=50, eval_every=10),
                    batch_loss=zero_centred_output)
    assert calls == [50] * 20
    assert history[0]["fit_loss"] is None
    assert history[-1]["fit_loss"] < history[1]["fit_loss"]  # the outputs are pushed to zero


@pytest.mark.parametrize("optimizer,momentum,weight_decay",
                         [("adam", 0, 0), ("sgd", 0.9, 0), ("sgd", 0.9, 1e-3), ("sgd", 0, 1e-3)])
def test_optimizer_matches_torchs_per_parameter_loop_bit_for_bit(optimizer, momentum, weight_decay):
    from mnist1d_repro.training import make_optimizer
    cfg = TrainConfig(steps=1, lr=0.02, optimizer=optimizer, momentum=momentum, weight_decay=weight_decay)
    torch.manual_seed(0)
    ours, loop = build_model("mlp", hidden=50), build_model("mlp", hidden=50)
    loop.load_state_dict(ours.state_dict())
    reference = (torch.optim.Adam(loop.parameters(), lr=0.02, weight_decay=weight_decay, foreach=False)
                 if optimizer == "adam" else
                 torch.optim.SGD(loop.parameters(), lr=0.02, momentum=momentum, weight_decay=weight_decay,
                                 foreach=False))
    fast = make_optimizer(ours.parameters(), cfg)
    generator = torch.Generator().manual_seed(1)
    for _ in range(20):
        for a, b in zip(ours.parameters(), loop.parameters()):
            a.grad = torch.randn(a.shape, generator=generator)
            b.grad = a.grad.clone()
        fast.step()
        reference.step()
    for a, b in zip(ours.parameters(), loop.parameters()):
        assert torch.equal(a, b)


MLP_SHAPES = [pytest.param("mlp", {"hidden": 36, "residual": False, "hidden_layers": 1}, id="one hidden layer"),
              pytest.param("mlp", {"hidden": 36, "residual": False}, id="double descent"),
              pytest.param("mlp", {"hidden": 100}, id="Table 1, residual"),
              pytest.param("mlp", {"hidden": 7, "in_channels": 3}, id="channels flattened")]
GRU_SHAPES = [pytest.param("gru", {}, id="Table 1 GRU"),
              pytest.param("gru", {"length": 28, "in_channels": 28}, id="GRU on MNIST rows"),
              pytest.param("gru", {"length": 5, "in_channels": 2, "hidden": 9}, id="GRU, other sizes")]
CNN_SHAPES = [pytest.param("cnn", {}, id="Table 1 CNN"),
              pytest.param("cnn", {"channels": 3}, id="narrow double-descent CNN"),
              pytest.param("cnn", {"length": 28, "in_channels": 28, "channels": 6}, id="CNN on MNIST rows")]
POOLING_SHAPES = [pytest.param("pooling_cnn", {"pooling": "max"}, id="max pooling"),
                  pytest.param("pooling_cnn", {"pooling": "l2", "length": 41}, id="l2 pooling, odd length"),
                  pytest.param("pooling_cnn", {"pooling": "stride"}, id="stride, no pooling")]


def _trained(name, options, cfg, hand_written, monkeypatch=None):
    from mnist1d_repro import models
    calls = []
    if monkeypatch is not None:
        cls = {"mlp": models.MLP, "gru": models.GRU, "cnn": models.CNN, "pooling_cnn": models.PoolingCNN}[name]
        original = cls.cross_entropy_gradients
        monkeypatch.setattr(cls, "cross_entropy_gradients", lambda self, x, y: calls.append(1) or original(self, x, y))
    generator = torch.Generator().manual_seed(3)
    length = options.get("length", 40)
    shape = (300, length, options["in_channels"]) if "in_channels" in options else (300, length)
    x, y = torch.randn(*shape, generator=generator), torch.randint(0, 10, (300,), generator=generator)
    seed_everything(0)
    model = build_model(name, **options)
    history = train(model, (x, y), {"train": (x, y)}, cfg, hand_written_gradients=hand_written)
    return [p.detach().clone() for p in model.parameters()], history, len(calls)


@pytest.mark.parametrize("name,options", MLP_SHAPES + GRU_SHAPES + CNN_SHAPES + POOLING_SHAPES)
@pytest.mark.parametrize("optimizer,order", [("adam", "sequential"), ("sgd", "shuffled")])
def test_hand_written_gradients_train_to_autograds_bits(name, options, optimizer, order, monkeypatch):
    """An MLP, a GRU or a (pooling) CNN trained on the cross-entropy gets its hand-written gradients, and they
    give exactly autograd's parameters and history (the same kernels on the same operands)."""
    cfg = TrainConfig(steps=12, batch_size=50, lr=0.02, optimizer=optimizer, momentum=0.9 if optimizer == "sgd" else 0,
                      weight_decay=1e-3, eval_every=4, batch_order=order)
    by_hand, history, calls = _trained(name, options, cfg, True, monkeypatch)
    by_autograd, autograd_history, _ = _trained(name, options, cfg, False)
    assert calls == cfg.steps  # the hand-written path really ran
    assert all(torch.equal(a, b) for a, b in zip(by_hand, by_autograd))
    assert history == autograd_history


def _assert_autograds_bits(model, x, y):
    """``model.cross_entropy_gradients`` gives autograd's loss and gradients bit for bit."""
    loss, grads = model.cross_entropy_gradients(x, y)
    reference = torch.nn.functional.cross_entropy(model(x), y)
    reference.backward()
    assert torch.equal(loss, reference.detach())
    assert all(torch.equal(g, p.grad) for g, p in zip(grads, model.parameters()))


@pytest.mark.parametrize("batch,length,channels,hidden", [(3, 4, 1, 6), (1, 1, 1, 6), (7, 5, 2, 9), (100, 40, 1, 6)])
@pytest.mark.parametrize("seed", [0, 1])
def test_hand_written_gru_gradients_equal_autograds_for_one_batch(batch, length, channels, hidden, seed):
    """Bit for bit at odd sizes too (one sample and one step; a batch of 3; 9 hidden units), which
    leave vectorised kernels a remainder of elements."""
    torch.manual_seed(seed)
    model = build_model("gru", length=length, in_channels=channels, hidden=hidden)
    x = torch.randn(batch, length, channels) if channels > 1 else torch.randn(batch, length)
    y = torch.randint(0, 10, (batch,))
    _assert_autograds_bits(model, x, y)


def test_hand_written_gru_gradients_reuse_their_buffers_safely():
    """The buffers kept from one call to the next (per batch shape) change no result: batches
    of changing size and content each get autograd's bits, and gradients already returned are
    not overwritten by the next call."""
    torch.manual_seed(3)
    model = build_model("gru")
    batches = [(torch.randn(batch, 40), torch.randint(0, 10, (batch,))) for batch in (100, 100, 7, 100, 1)]
    first_loss, first_grads = model.cross_entropy_gradients(*batches[0])
    kept = [g.clone() for g in first_grads]
    for x, y in batches[1:]:
        model.zero_grad()
        _assert_autograds_bits(model, x, y)
    assert all(torch.equal(g, k) for g, k in zip(first_grads, kept))
    model.zero_grad()
    _assert_autograds_bits(model, *batches[0])


@pytest.mark.parametrize("batch,length,channels,width", [(1, 40, 1, 25), (3, 40, 1, 2), (7, 28, 28, 25),
                                                           (50, 40, 1, 70), (5, 17, 3, 9)])
@pytest.mark.parametrize("seed", [0, 1])
def test_hand_written_cnn_gradients_equal_autograds_for_one_batch(batch, length, channels, width, seed):
    """Bit for bit from the narrowest to the widest double-descent CNN, on MNIST's rows, and at
    an odd length (the last window of a layer then ends inside the padding)."""
    torch.manual_seed(seed)
    model = build_model("cnn", length=length, in_channels=channels, channels=width)
    x = torch.randn(batch, length, channels) if channels > 1 else torch.randn(batch, length)
    _assert_autograds_bits(model, x, torch.randint(0, 10, (batch,)))


@pytest.mark.parametrize("pooling", ["none", "stride", "max", "avg", "l2"])
@pytest.mark.parametrize("batch,length", [(100, 40), (3, 41), (1, 7)])
def test_hand_written_pooling_cnn_gradients_equal_autograds_for_one_batch(pooling, batch, length):
    """Bit for bit for every pooling, at an odd length too (the last position then has no pair);
    ReLU's zeros make ties for max pooling and zero divisors in l2 pooling's backward."""
    torch.manual_seed(length)
    model = build_model("pooling_cnn", length=length, pooling=pooling)
    x = torch.randn(batch, length)
    _assert_autograds_bits(model, x, torch.randint(0, 10, (batch,)))


def test_hand_written_gradients_equal_autograds_for_one_batch():
    torch.manual_seed(0)
    model = build_model("mlp", hidden=20)
    x, y = torch.randn(16, 40), torch.randint(0, 10, (16,))
    _assert_autograds_bits(model, x, y)


def test_hand_written_gradients_only_where_they_are_autograds():
    from mnist1d_repro.models import MLP
    assert MLP(hidden=8).has_hand_written_gradients()
    assert not MLP(hidden=8, activation=nn.Tanh()).has_hand_written_gradients()
    frozen = MLP(hidden=8)
    frozen.linear1.weight.requires_grad_(False)
    assert not frozen.has_hand_written_gradients()
    hooked = MLP(hidden=8)
    hooked.linear2.register_forward_hook(lambda *args: None)
    assert not hooked.has_hand_written_gradients()
    gru = build_model("gru")
    assert gru.has_hand_written_gradients()
    gru.gru.weight_hh_l0_reverse.requires_grad_(False)
    assert not gru.has_hand_written_gradients()
    hooked_gru = build_model("gru")
    hooked_gru.gru.register_forward_pre_hook(lambda *args: None)
    assert not hooked_gru.has_hand_written_gradients()
    cnn = build_model("cnn")
    assert cnn.has_hand_written_gradients()
    cnn.conv2.bias.requires_grad_(False)
    assert not cnn.has_hand_written_gradients()
    pooling_cnn = build_model("pooling_cnn")
    assert pooling_cnn.has_hand_written_gradients()
    pooling_cnn.linear.register_full_backward_hook(lambda *args: None)
    assert not pooling_cnn.has_hand_written_gradients()


def test_other_losses_and_models_train_through_autograd(monkeypatch):
    from mnist1d_repro import models
    monkeypatch.setattr(models.MLP, "cross_entropy_gradients", lambda *args: pytest.fail("used for another loss"))
    x, y = torch.randn(100, 40), torch.randint(0, 10, (100,))
    train(build_model("mlp", hidden=8), (x, y), {}, TrainConfig(steps=2, batch_size=50), loss_fn=LOSSES["mse"])
    train(build_model("mlp", hidden=8), (x, y), {}, TrainConfig(steps=2, batch_size=50),
          batch_loss=lambda model, xb, yb: model(xb).square().mean())


KEEP_FREED_MEMORY_RUN = """
import sys, hashlib, torch
sys.path.insert(0, {scripts!r})
from mnist1d_repro.jobs import keep_freed_memory
from mnist1d_repro.models import build_model
from mnist1d_repro.training import TrainConfig, seed_everything, train
applied = keep_freed_memory() if sys.argv[1] == "keep" else None
torch.set_num_threads(1)
generator = torch.Generator().manual_seed(0)
x, y = torch.randn(400, 40, generator=generator), torch.randint(0, 10, (400,), generator=generator)
seed_everything(0)
model = build_model("cnn", channels=100)
train(model, (x, y), {{}}, TrainConfig(steps=20, batch_size=100, optimizer="sgd", lr=0.01, momentum=0.9))
digest = hashlib.sha256(b"".join(p.detach().numpy().tobytes() for p in model.parameters())).hexdigest()
print(applied, digest)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_keeping_freed_memory_applies_and_leaves_training_bit_identical():
    from conftest import ROOT

    script = KEEP_FREED_MEMORY_RUN.format(scripts=str(ROOT / "scripts"))
    outputs = [subprocess.run([sys.executable, "-c", script, mode], capture_output=True, text=True, check=True)
               .stdout.split() for mode in ("keep", "default")]
    assert outputs[0][0] == "True"
    assert outputs[0][1] == outputs[1][1]


@pytest.mark.parametrize("channels,length,in_channels", [(2, 40, 1), (25, 40, 1), (100, 40, 1), (8, 28, 28)])
def test_cnn_convolutions_equal_torchs_conv1d(channels, length, in_channels):
    torch.manual_seed(0)
    model = build_model("cnn", channels=channels, length=length, in_channels=in_channels).double()
    x = torch.randn(7, length, in_channels, dtype=torch.float64).squeeze(2).requires_grad_()
    y = torch.randint(0, 10, (7,))
    inputs = [x, *model.parameters()]
    ours = model(x)
    reference = model.reference_forward(x)
    torch.testing.assert_close(ours, reference, rtol=0, atol=1e-12)
    for a, b in zip(torch.autograd.grad(nn.functional.cross_entropy(ours, y), inputs),
                    torch.autograd.grad(nn.functional.cross_entropy(reference, y), inputs)):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)


def assert_same_function_and_gradients(ours, reference, inputs, y):
    torch.testing.assert_close(ours, reference, rtol=0, atol=1e-12)
    for a, b in zip(torch.autograd.grad(nn.functional.cross_entropy(ours, y), inputs),
                    torch.autograd.grad(nn.functional.cross_entropy(reference, y), inputs)):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)


@pytest.mark.parametrize("pooling", PoolingCNN.POOLINGS)
@pytest.mark.parametrize("length", [40, 39])
def test_pooling_cnn_equals_torchs_conv1d_and_pooling(pooling, length):
    torch.manual_seed(0)
    model = build_model("pooling_cnn", pooling=pooling, length=length).double()
    x = torch.randn(7, length, dtype=torch.float64).requires_grad_()
    y = torch.randint(0, 10, (7,))
    assert_same_function_and_gradients(model(x), model.reference_forward(x), [x, *model.parameters()], y)


def test_max_pooling_sends_a_tie_s_gradient_to_one_position_as_max_pool1d():
    model = build_model("pooling_cnn", pooling="max").double()
    pairs = torch.tensor([[[2.0], [2.0], [1.0], [3.0]]], dtype=torch.float64, requires_grad=True)  # channels-last
    model.pool_pairs(pairs).sum().backward()
    reference = pairs.detach().transpose(1, 2).clone().requires_grad_()
    nn.functional.max_pool1d(reference, 2).sum().backward()
    assert torch.equal(pairs.grad.transpose(1, 2), reference.grad)
    assert pairs.grad.flatten().tolist() == [1.0, 0.0, 0.0, 1.0]


@pytest.mark.parametrize("head", [0, 2, 4])
def test_ssl_encoder_equals_torchs_conv1d(head):
    torch.manual_seed(0)
    model = SSLNetwork(head).double()
    x = torch.randn(7, 40, dtype=torch.float64).requires_grad_()
    y = torch.randint(0, 10, (7,))
    ours, reference = model.layer_outputs(x), model.layer_outputs(x, reference=True)
    for a, b in zip(ours, reference):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)
    assert torch.equal(model(x), ours[-1])
    assert_same_function_and_gradients(model(x)[:, :10], reference[-1][:, :10], [x, *model.parameters()], y)


def test_cuda_determinism_is_set_in_one_place(monkeypatch):
    """The CUDA branch through a mock: no GPU is needed to check which switches it sets."""
    import os

    import torch

    from mnist1d_repro.jobs import CUBLAS_WORKSPACE, configure_cuda

    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    saved = (torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic,
             torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32,
             torch.are_deterministic_algorithms_enabled())
    try:
        monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
        configure_cuda(True)  # the CPU: only the environment variable, which CUDA would read later
        assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == CUBLAS_WORKSPACE
        assert not torch.are_deterministic_algorithms_enabled()
        monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
        configure_cuda(True)
        assert torch.are_deterministic_algorithms_enabled() and torch.backends.cudnn.deterministic
        assert not torch.backends.cudnn.benchmark
        assert not torch.backends.cuda.matmul.allow_tf32 and not torch.backends.cudnn.allow_tf32
        configure_cuda(False)  # speed: torch's fast defaults
        assert not torch.are_deterministic_algorithms_enabled() and torch.backends.cudnn.benchmark
        assert torch.backends.cuda.matmul.allow_tf32 and torch.backends.cudnn.allow_tf32
    finally:
        (torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic,
         torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32) = saved[:4]
        torch.use_deterministic_algorithms(saved[4])


def test_a_cuda_run_records_its_gpu_and_mode(monkeypatch):
    import torch

    from mnist1d_repro.jobs import runtime_record

    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "Fake GPU 80GB")
    record = runtime_record(torch.device("cuda"))  # building the record creates no CUDA context
    assert record["device"] == "cuda" and record["device_name"] == "Fake GPU 80GB"
    assert record["deterministic"] == torch.are_deterministic_algorithms_enabled()
    assert runtime_record("cpu")["deterministic"] is None
