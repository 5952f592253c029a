import numpy as np
import pytest
import torch
from torch.nn import functional as F

from mnist1d_repro import metalearning as meta
from mnist1d_repro.models import build_model

DOUBLE = torch.float64


def toy_problem(n=60, features=8, seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, features, generator=generator, dtype=DOUBLE)
    y = ((x[:, :3].sum(1) > 0).long() + 2 * (x[:, 3:6].sum(1) > 0).long())
    return x, y


def double(params, requires_grad=False):
    return [p.to(DOUBLE).requires_grad_(requires_grad) for p in params]


def activation_net(hidden, seed=1):
    return double(meta.linear_layers([1, *hidden, 1], torch.Generator().manual_seed(seed)), requires_grad=True)


def autograd_unroll(params, x, y, act, steps, batch_size, lr=None, rms=None, noise=None):
    """The reference's way: the inner gradient from autograd with create_graph=True."""
    squares = [torch.ones_like(p) for p in params]
    losses = []
    for step in range(steps):
        xb, yb = meta.batch(x, y, step, batch_size)
        w1, b1, w2, b2 = params
        a = act(xb @ w1 + b1)
        if noise is not None:
            a = a + noise[step]
        loss = F.cross_entropy(a @ w2 + b2, yb)
        grads = torch.autograd.grad(loss, params, create_graph=True)
        if rms is None:
            params = [p - lr * g for p, g in zip(params, grads)]
        else:
            squares = [rms.decay * v + (1 - rms.decay) * g * g for v, g in zip(squares, grads)]
            params = [p - rms.lr * g / (v.sqrt() + rms.eps) for p, g, v in zip(params, grads, squares)]
        losses.append(loss)
    return torch.stack(losses)


def learned_value(layers, elu_weight=0.2):
    """f(z) = ELU(z) + w g(z) written with autograd-friendly ops only."""
    def f(z):
        h = z.reshape(-1, 1)
        for i in range(0, len(layers), 2):
            h = h @ layers[i] + layers[i + 1]
            if i < len(layers) - 2:
                h = torch.tanh(h)
        return F.elu(z) + elu_weight * h.reshape(z.shape)
    return f


def inner_init(features=8, hidden=6, seed=2):
    return double(meta.linear_layers([features, hidden, 10], torch.Generator().manual_seed(seed)))


RMS = meta.RMSConfig(steps=8, batch_size=20, lr=0.05, decay=0.4, eps=1e-8)


def test_learning_rate_meta_gradient_matches_finite_differences():
    x, y = toy_problem()
    params = inner_init()

    def meta_loss(lr):
        return meta.unrolled_sgd(params, lr, x, y, steps=10, batch_size=20)[0].mean()

    lr = torch.tensor(0.7, dtype=DOUBLE, requires_grad=True)
    (grad,) = torch.autograd.grad(meta_loss(lr), lr)
    h = 1e-6
    with torch.no_grad():
        numeric = (meta_loss(lr + h) - meta_loss(lr - h)) / (2 * h)
    assert abs(grad.item()) > 1e-3
    assert grad.item() == pytest.approx(numeric.item(), rel=1e-6)


@pytest.mark.parametrize("hidden", [[7], [5, 4]])
def test_activation_meta_gradient_matches_finite_differences(hidden):
    x, y = toy_problem()
    params = inner_init()
    noise = (torch.rand(RMS.steps, RMS.batch_size, 6, generator=torch.Generator().manual_seed(3), dtype=DOUBLE)
             - 0.5) * 0.2
    layers = activation_net(hidden)

    def meta_loss(layers):
        losses, _ = meta.unrolled_rms(params, x, y, RMS, meta.learned_activation(layers, 0.2), noise)
        return losses[-5:].mean()

    grads = torch.autograd.grad(meta_loss(layers), layers)
    direction = [torch.randn(p.shape, generator=torch.Generator().manual_seed(4), dtype=DOUBLE) for p in layers]
    h = 1e-6
    with torch.no_grad():
        plus = meta_loss([p + h * d for p, d in zip(layers, direction)])
        minus = meta_loss([p - h * d for p, d in zip(layers, direction)])
    analytic = sum((g * d).sum() for g, d in zip(grads, direction)).item()
    assert abs(analytic) > 1e-4
    assert analytic == pytest.approx(((plus - minus) / (2 * h)).item(), rel=1e-5)


@pytest.mark.parametrize("hidden", [[7], [5, 4]])
def test_meta_gradients_equal_differentiating_autograd_inner_gradients(hidden):
    """Same math as the reference's create_graph=True loop, for both the fast one-hidden-layer
    activation path and the generic one."""
    x, y = toy_problem()
    params = [p.requires_grad_() for p in inner_init()]  # autograd.grad needs them to require grad
    layers = activation_net(hidden)
    noise = torch.zeros(RMS.steps, RMS.batch_size, 6, dtype=DOUBLE)
    ours, _ = meta.unrolled_rms(params, x, y, RMS, meta.learned_activation(layers, 0.2), noise)
    reference = autograd_unroll(params, x, y, learned_value(layers), RMS.steps, RMS.batch_size, rms=RMS,
                                noise=noise)
    torch.testing.assert_close(ours, reference, rtol=1e-12, atol=1e-12)
    for a, b in zip(torch.autograd.grad(ours[-5:].mean(), layers), torch.autograd.grad(reference[-5:].mean(), layers)):
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-14)

    lr = torch.tensor(0.4, dtype=DOUBLE, requires_grad=True)
    sgd, _ = meta.unrolled_sgd(params, lr, x, y, steps=6, batch_size=20)
    reference = autograd_unroll(params, x, y, torch.tanh, 6, 20, lr=lr)
    torch.testing.assert_close(torch.autograd.grad(sgd.mean(), lr)[0], torch.autograd.grad(reference.mean(), lr)[0],
                               rtol=1e-12, atol=0)


def test_fast_activation_path_equals_generic_path_across_chunks():
    layers = activation_net([9])
    z = torch.randn(3 * meta._OneHiddenLayerNet.CHUNK + 17, dtype=DOUBLE, requires_grad=True)
    fast = meta._OneHiddenLayerNet.apply(z, *layers)
    generic = meta.activation_net_value_and_slope(z, *layers)
    for a, b in zip(fast, generic):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    weights = [torch.randn_like(z), torch.randn_like(z)]
    grads_fast = torch.autograd.grad(sum((o * w).sum() for o, w in zip(fast, weights)), [z, *layers])
    grads_generic = torch.autograd.grad(sum((o * w).sum() for o, w in zip(generic, weights)), [z, *layers])
    for a, b in zip(grads_fast, grads_generic):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", sorted(meta.BASELINE_ACTIVATIONS))
def test_activation_slopes_are_derivatives(name):
    z = torch.linspace(-3, 3, 101, dtype=DOUBLE).requires_grad_()
    value, slope = meta.BASELINE_ACTIVATIONS[name](z)
    (autograd_slope,) = torch.autograd.grad(value.sum(), z)
    torch.testing.assert_close(slope, autograd_slope)
    module = meta.activation_module(name)
    torch.testing.assert_close(module(z), value)


def test_learned_activation_module_matches_the_metalearning_function():
    layers = activation_net([7])
    z = torch.linspace(-4, 4, 50, dtype=DOUBLE)
    module = meta.activation_module("learned", layers, 0.2)
    torch.testing.assert_close(module(z), meta.learned_activation(layers, 0.2)(z)[0])
    arrays = {f"layer{i // 2}_{'weight' if i % 2 == 0 else 'bias'}": p.detach().numpy() for i, p in enumerate(layers)}
    for a, b in zip(meta.network_from_arrays(arrays), layers):
        torch.testing.assert_close(a, b.detach())


def test_mlp_with_default_activation_is_unchanged():
    torch.manual_seed(0)
    default = build_model("mlp")
    torch.manual_seed(0)
    explicit = build_model("mlp", activation=torch.nn.ReLU())
    x = torch.randn(5, 40)
    torch.testing.assert_close(default(x), explicit(x))
    assert [n for n, _ in default.named_parameters()] == [n for n, _ in explicit.named_parameters()]


def test_local_extrema_counts_slope_sign_changes():
    grid = np.linspace(0, 2 * np.pi, 400)
    assert meta.local_extrema(np.sin(grid)) == 2
    assert meta.local_extrema(grid ** 3) == 0
    assert meta.local_extrema(np.maximum(grid - 3, 0)) == 0  # a flat stretch is not an extremum
    assert meta.local_extrema(np.abs(grid - 3)) == 1


def test_learning_rate_metalearning_is_seeded_and_moves_towards_lower_meta_loss():
    x, y = toy_problem()
    x, y = x.float(), y
    settings = dict(hidden=6, inner_steps=10, batch_size=20, outer_steps=5, outer_lr=0.3, init_seed=0)
    first = meta.metalearn_learning_rate(x, y, initial_lr=0.05, **settings)
    second = meta.metalearn_learning_rate(x, y, initial_lr=0.05, **settings)
    assert first == second
    assert first[-1]["lr"] > first[0]["lr"]  # too small a learning rate grows
    assert first[-1]["meta_loss"] < first[0]["meta_loss"]


def test_baselines_share_the_metalearning_runs_initial_weights_and_noise():
    settings = dict(hidden=6, activation_hidden=[5], elu_weight=0.2, noise=0.1, inner_steps=4, batch_size=10,
                    inner_lr=0.01, rms_decay=0.4, rms_eps=1e-8, meta_loss_last_steps=2, outer_steps=3,
                    outer_lr=0.3, grad_clip=0.1, seed=7)
    experiment = meta.experiment_from_settings(settings)
    params_a, noise_a = experiment.inner_run(2, 8)
    params_b, noise_b = experiment.inner_run(2, 8)
    params_c, _ = experiment.inner_run(1, 8)
    for a, b in zip(params_a + [noise_a], params_b + [noise_b]):
        assert torch.equal(a, b)
    assert not torch.equal(params_a[0], params_c[0])
    assert noise_a.abs().max() <= 0.1 and noise_a.shape == (4, 10, 6)
