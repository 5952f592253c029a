import threading

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from mnist1d_repro.metalearning import engine
from mnist1d_repro.metalearning.activation import (FreshTest, activation_module, baseline_run_count, baseline_runs,
                                                   experiment_from_settings, metalearn_activation,
                                                   network_from_arrays)
from mnist1d_repro.metalearning.engine import (BASELINE_ACTIVATIONS, RMSConfig, RunNoise, _OneHiddenLayerNet,
                                               activation_net_value_and_slope, batch, frozen_activation_net,
                                               learned_activation, linear_layers,
                                               seeded_generator, unrolled_rms, unrolled_sgd)
from mnist1d_repro.metalearning.learning_rate import learning_rate_initial_weights, metalearn_learning_rate
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
    return double(linear_layers([1, *hidden, 1], torch.Generator().manual_seed(seed)), requires_grad=True)


def autograd_unroll(params, x, y, act, steps, batch_size, lr=None, rms=None, noise=None):
    """The reference's way: the inner gradient from autograd with create_graph=True. ``noise``: a
    RunNoise; its part for the activation network goes to ``act`` as a second argument."""
    squares = [torch.ones_like(p) for p in params]
    losses = []
    for step in range(steps):
        xb, yb = batch(x, y, step, batch_size)
        w1, b1, w2, b2 = params
        if noise is None:
            a = act(xb @ w1 + b1)
        else:
            hidden, in_g = noise.at(step)
            a = (act(xb @ w1 + b1) if in_g is None else act(xb @ w1 + b1, in_g)) + hidden
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
    """f(z) = ELU(z) + w g(z) written with autograd-friendly ops only; ``noise`` (one (1, width)
    tensor per hidden layer of g) is added after g's hidden tanh layers."""
    def f(z, noise=None):
        h = z.reshape(-1, 1)
        for i in range(0, len(layers), 2):
            h = h @ layers[i] + layers[i + 1]
            if i < len(layers) - 2:
                h = torch.tanh(h)
                if noise is not None:
                    h = h + noise[i // 2]
        return F.elu(z) + elu_weight * h.reshape(z.shape)
    return f


def inner_init(features=8, hidden=6, seed=2):
    return double(linear_layers([features, hidden, 10], torch.Generator().manual_seed(seed)))


RMS = RMSConfig(steps=8, batch_size=20, lr=0.05, decay=0.4, eps=1e-8)


def toy_noise(hidden, activation_hidden=(), shared=True, seed=3, scale=0.1):
    """A RunNoise in double precision: per sample, or shared by the batch with noise for g too."""
    generator = torch.Generator().manual_seed(seed)

    def draw(*shape):
        return scale * (2 * torch.rand(*shape, generator=generator, dtype=DOUBLE) - 1)

    if not shared:
        return RunNoise(draw(RMS.steps, RMS.batch_size, hidden))
    return RunNoise(draw(RMS.steps, 1, hidden), tuple(draw(RMS.steps, 1, w) for w in activation_hidden))


def experiment(**overrides):
    settings = dict(hidden=6, activation_hidden=[5], elu_weight=0.2, noise=0.1, inner_steps=4, batch_size=10,
                    inner_lr=0.01, rms_decay=0.4, rms_eps=1e-8, meta_loss_last_steps=2, outer_steps=3,
                    outer_lr=0.3, grad_clip=0.1, seed=7, seeding="reference", noise_draw="shared",
                    test_noise="added")
    return experiment_from_settings({**settings, **overrides})


def test_learning_rate_meta_gradient_matches_finite_differences():
    x, y = toy_problem()
    params = inner_init()

    def meta_loss(lr):
        return unrolled_sgd(params, lr, x, y, steps=10, batch_size=20)[0].mean()

    lr = torch.tensor(0.7, dtype=DOUBLE, requires_grad=True)
    (grad,) = torch.autograd.grad(meta_loss(lr), lr)
    h = 1e-6
    with torch.no_grad():
        numeric = (meta_loss(lr + h) - meta_loss(lr - h)) / (2 * h)
    assert abs(grad.item()) > 1e-3
    assert grad.item() == pytest.approx(numeric.item(), rel=1e-6)


@pytest.mark.parametrize("shared", [True, False])
@pytest.mark.parametrize("hidden", [[7], [5, 4]])
def test_activation_meta_gradient_matches_finite_differences(hidden, shared):
    x, y = toy_problem()
    params = inner_init()
    noise = toy_noise(6, hidden, shared)
    layers = activation_net(hidden)

    def meta_loss(layers):
        losses, _ = unrolled_rms(params, x, y, RMS, learned_activation(layers, 0.2), noise)
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


@pytest.mark.parametrize("shared", [True, False])
@pytest.mark.parametrize("hidden", [[7], [5, 4]])
def test_meta_gradients_equal_differentiating_autograd_inner_gradients(hidden, shared):
    """Same math as the reference's create_graph=True loop, for both the fast one-hidden-layer
    activation path and the generic one, with the noise shared by the batch and reaching the
    activation network (the reference's) or per sample."""
    x, y = toy_problem()
    params = [p.requires_grad_() for p in inner_init()]  # autograd.grad needs them to require grad
    layers = activation_net(hidden)
    noise = toy_noise(6, hidden, shared)
    ours, _ = unrolled_rms(params, x, y, RMS, learned_activation(layers, 0.2), noise)
    reference = autograd_unroll(params, x, y, learned_value(layers), RMS.steps, RMS.batch_size, rms=RMS,
                                noise=noise)
    torch.testing.assert_close(ours, reference, rtol=1e-12, atol=1e-12)
    for a, b in zip(torch.autograd.grad(ours[-5:].mean(), layers), torch.autograd.grad(reference[-5:].mean(), layers)):
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-14)

    lr = torch.tensor(0.4, dtype=DOUBLE, requires_grad=True)
    sgd, _ = unrolled_sgd(params, lr, x, y, steps=6, batch_size=20)
    reference = autograd_unroll(params, x, y, torch.tanh, 6, 20, lr=lr)
    torch.testing.assert_close(torch.autograd.grad(sgd.mean(), lr)[0], torch.autograd.grad(reference.mean(), lr)[0],
                               rtol=1e-12, atol=0)


@pytest.mark.parametrize("keep_sigmoids", [True, False])
def test_fast_activation_path_equals_generic_path_across_blocks(keep_sigmoids):
    layers = activation_net([9])
    z = torch.randn(3 * _OneHiddenLayerNet.BLOCK + 17, dtype=DOUBLE, requires_grad=True)
    fast = _OneHiddenLayerNet.apply(z, *layers, keep_sigmoids)
    generic = activation_net_value_and_slope(z, *layers)
    for a, b in zip(fast, generic):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    weights = [torch.randn_like(z), torch.randn_like(z)]
    grads_fast = torch.autograd.grad(sum((o * w).sum() for o, w in zip(fast, weights)), [z, *layers])
    grads_generic = torch.autograd.grad(sum((o * w).sum() for o, w in zip(generic, weights)), [z, *layers])
    for a, b in zip(grads_fast, grads_generic):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-10)


def test_kept_sigmoids_give_the_bytes_of_recomputing_them_and_their_storage_is_reused():
    layers = [p.float().requires_grad_() for p in activation_net([100])]
    z = torch.randn(8 * _OneHiddenLayerNet.BLOCK, requires_grad=True)  # the paper's 12,800 elements a pass
    weights = [torch.randn_like(z), torch.randn_like(z)]

    def value_slope_and_gradients(keep_sigmoids, retain_graph=False):
        outputs = _OneHiddenLayerNet.apply(z, *layers, keep_sigmoids)
        weighted = sum((o * w).sum() for o, w in zip(outputs, weights))
        grads = torch.autograd.grad(weighted, [z, *layers], retain_graph=retain_graph)
        again = torch.autograd.grad(weighted, [z, *layers]) if retain_graph else grads
        return [t.detach().numpy().tobytes() for t in (*outputs, *grads, *again)]

    free = _OneHiddenLayerNet._kept_sigmoids
    free.clear()
    recomputed = value_slope_and_gradients(keep_sigmoids=False)
    assert free == []
    assert value_slope_and_gradients(keep_sigmoids=True) == recomputed
    assert len(free) == 1  # handed back by the backward pass
    storage = free[0]
    # a second backward pass through the same graph (retain_graph) recomputes what the first handed back
    assert value_slope_and_gradients(keep_sigmoids=True, retain_graph=True) == recomputed
    assert len(free) == 1 and free[0] is storage  # reused, and handed back once
    # a pass of another size lets the storage of the old size go
    _OneHiddenLayerNet.apply(z[:100], *layers, True)[0].sum().backward()
    assert len(free) == 1 and free[0] is not storage and free[0].shape == (100, 100)
    free.clear()


@pytest.fixture
def block_threads(monkeypatch):
    """spread_activation_blocks, undone after the test; returns the set of threads that ran blocks."""
    torch_threads, ran_on = torch.get_num_threads(), set()

    def recorded(work, run, grad_mode):
        ran_on.add(threading.get_ident())
        return run_blocks(work, run, grad_mode)

    run_blocks = engine._run_blocks
    monkeypatch.setattr(engine, "_run_blocks", recorded)
    yield ran_on
    engine.spread_activation_blocks(1)
    torch.set_num_threads(torch_threads)


def test_activation_blocks_on_several_threads_give_the_same_bytes(block_threads):
    x, y = toy_problem(n=300, features=40)
    x = x.float()
    # the paper's sizes (eight blocks of 100 x 128 rows, so that the threads overlap), a few steps
    exp = experiment(hidden=128, batch_size=100, activation_hidden=[100], inner_steps=3, outer_steps=2)
    grid = torch.linspace(-5, 5, 100)
    results = {}
    for threads in (1, 2, 3):
        engine.spread_activation_blocks(threads)
        block_threads.clear()
        history, shapes, network, correct, _ = metalearn_activation(exp, (x, y), (x[:50], y[:50]), grid, 1)
        assert len(block_threads) == threads
        results[threads] = (history, {k: v.tobytes() for k, v in shapes.items()},
                            [p.numpy().tobytes() for p in network], correct.tobytes())
    assert results[2] == results[1] and results[3] == results[1]
    assert np.isfinite([r["meta_loss"] for r in results[1][0]]).all()


@pytest.mark.parametrize("name", sorted(BASELINE_ACTIVATIONS))
def test_activation_slopes_are_derivatives(name):
    z = torch.linspace(-3, 3, 101, dtype=DOUBLE).requires_grad_()
    value, slope = BASELINE_ACTIVATIONS[name](z)
    (autograd_slope,) = torch.autograd.grad(value.sum(), z)
    torch.testing.assert_close(slope, autograd_slope)
    module = activation_module(name)
    torch.testing.assert_close(module(z), value)


def test_learned_activation_module_matches_the_metalearning_function():
    layers = activation_net([7])
    z = torch.linspace(-4, 4, 50, dtype=DOUBLE)
    module = activation_module("learned", layers, 0.2)
    torch.testing.assert_close(module(z), learned_activation(layers, 0.2)(z)[0])
    deeper = activation_net([7, 5])
    torch.testing.assert_close(activation_module("learned", deeper, 0.2)(z), learned_activation(deeper, 0.2)(z)[0])
    arrays = {f"layer{i // 2}_{'weight' if i % 2 == 0 else 'bias'}": p.detach().numpy() for i, p in enumerate(layers)}
    for a, b in zip(network_from_arrays(arrays), layers):
        torch.testing.assert_close(a, b.detach())


def test_frozen_learned_activation_computes_what_the_metalearning_job_learned_and_its_slope():
    """The transfer ablation's module gives the metalearning job's own bytes (its blocked sigmoid
    pass, not tanh), and its gradient is the job's slope times the incoming gradient (the module's
    ELU and g parts are differentiated apart, so to rounding)."""
    layers = [p.float() for p in activation_net([100])]
    z = (3 * torch.randn(100, 128)).requires_grad_()
    value, slope = learned_activation(layers, 0.2)(z.detach())
    module = activation_module("learned", layers, 0.2)
    out = module(z)
    assert torch.equal(out, value)
    incoming = torch.randn_like(z)
    (grad,) = torch.autograd.grad(out, z, incoming)
    torch.testing.assert_close(grad, incoming * slope)
    with pytest.raises(ValueError, match="no gradient for its weights"):
        frozen_activation_net(z, [p.clone().requires_grad_() for p in layers])


def test_mlp_with_default_activation_is_unchanged():
    torch.manual_seed(0)
    default = build_model("mlp")
    torch.manual_seed(0)
    explicit = build_model("mlp", activation=torch.nn.ReLU())
    x = torch.randn(5, 40)
    torch.testing.assert_close(default(x), explicit(x))
    assert [n for n, _ in default.named_parameters()] == [n for n, _ in explicit.named_parameters()]


def test_learning_rate_metalearning_is_seeded_and_moves_towards_lower_meta_loss():
    x, y = toy_problem()
    x, y = x.float(), y
    settings = dict(inner_steps=10, batch_size=20, outer_steps=5, outer_lr=0.3)
    first = metalearn_learning_rate(
        x, y, initial_lr=0.05, init=learning_rate_initial_weights("reference", 8, 6, 0), **settings)
    second = metalearn_learning_rate(
        x, y, initial_lr=0.05, init=learning_rate_initial_weights("reference", 8, 6, 0), **settings)
    assert first == second
    assert first[-1]["lr"] > first[0]["lr"]  # too small a learning rate grows
    assert first[-1]["meta_loss"] < first[0]["meta_loss"]


def test_fresh_seeding_pairs_each_baseline_run_with_its_outer_step():
    exp = experiment(seeding="fresh", noise_draw="per_sample")
    learned, baseline = exp.inner_runs(8, 5, learned=True), exp.inner_runs(8, 5, learned=False)
    params_a, noise_a = learned.run(2)
    params_b, noise_b = baseline.run(2)
    params_c, noise_c = learned.run(1)
    for a, b in zip(params_a + [noise_a.hidden, noise_a.test_hidden], params_b + [noise_b.hidden, noise_b.test_hidden]):
        assert torch.equal(a, b)
    assert not torch.equal(params_a[0], params_c[0]) and not torch.equal(noise_a.hidden, noise_c.hidden)
    assert noise_a.hidden.abs().max() <= 0.1 and noise_a.hidden.shape == (4, 10, 6)  # per sample and unit
    assert noise_a.test_hidden.shape == (5, 6) and noise_a.activation == ()
    # shared noise: pairs still equal in the MLP's noise; only the learned run's g gets its part
    exp = experiment(seeding="fresh")
    (_, shared_a), (_, shared_b) = exp.inner_runs(8, 5).run(2), exp.inner_runs(8, 5, learned=False).run(2)
    assert torch.equal(shared_a.hidden, shared_b.hidden) and torch.equal(shared_a.test_hidden, shared_b.test_hidden)
    assert len(shared_a.activation) == 1 and shared_b.activation == ()
    assert baseline_run_count(exp) == exp.outer_steps


def test_fresh_per_sample_without_test_noise_is_the_previous_behaviour():
    """Our earlier draws: weights as linear_layers from generator (seed, 0, run), then the
    (steps, batch, H) noise; the activation network from (seed, 1); a noise-free test."""
    exp = experiment(seeding="fresh", noise_draw="per_sample", test_noise="none")
    runs = exp.inner_runs(8, 5)
    params, noise = runs.run(1)
    generator = seeded_generator(7, 0, 1)
    expected = linear_layers([8, 6, 10], generator)
    expected_noise = (torch.rand(4, 10, 6, generator=generator) * 2 - 1) * 0.1
    for a, b in zip(params + [noise.hidden], expected + [expected_noise]):
        assert torch.equal(a, b)
    assert noise.test() == (None, None)
    for a, b in zip(runs.activation_net, linear_layers([1, 5, 1], seeded_generator(7, 1))):
        assert torch.equal(a, b)


# --- the reference's seeding and initial weights ----------------------------------------------------

def test_learning_rate_reference_weights_are_torch_seed_then_nn_linear():
    torch.manual_seed(0)
    first, second = torch.nn.Linear(40, 50), torch.nn.Linear(50, 10)
    expected = [first.weight.T, first.bias, second.weight.T, second.bias]
    ours = learning_rate_initial_weights("reference", 40, 50, 0)
    for a, b in zip(ours, expected):
        assert torch.equal(a, b.detach())
    assert [tuple(p.shape) for p in ours] == [(40, 50), (50,), (50, 10), (10,)]
    draws = learning_rate_initial_weights("draws", 40, 50, 0)
    assert not torch.equal(draws[0], ours[0])  # the ablation's draw is another one


def reference_draws(seed, n_inputs, hidden, widths, steps, outer_steps, scale=0.1):
    """The reference notebook's order of draws from torch's global generator, replayed: seed; g's
    nn.Linear layers; per outer step the MLP's nn.Linear layers, reseed, per inner step a
    forward pass's noise (g's, then the MLP's) for training and, from step 1 on, for a test
    evaluation; then one g noise draw for the activation curve."""
    def noise(width):
        return scale * (2 * torch.rand(1, width) - 1)

    def layers(sizes):
        out = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            linear = torch.nn.Linear(a, b)
            out += [linear.weight.detach().T, linear.bias.detach()]
        return out

    torch.manual_seed(seed)
    g = layers([1, *widths, 1])
    runs = []
    for _ in range(outer_steps):
        params = layers([n_inputs, hidden, 10])
        torch.manual_seed(seed)
        train, test = [], None
        for step in range(steps):
            train.append(([noise(w) for w in widths], noise(hidden)))
            if step % 400:
                test = ([noise(w) for w in widths], noise(hidden))
        [noise(w) for w in widths]  # the curve
        runs.append((params, train, test))
    return g, runs


def test_reference_seeding_replays_the_reference_draws_and_repeats_from_outer_step_one():
    exp = experiment()
    runs = exp.inner_runs(8, 5)
    g, expected = reference_draws(7, 8, 6, [5], 4, 3)
    for a, b in zip(runs.activation_net, g):
        assert torch.equal(a, b)
    ours = [runs.run(k) for k in range(3)]
    for (params, noise), (exp_params, train, test) in zip(ours, expected):
        for a, b in zip(params, exp_params):
            assert torch.equal(a, b)
        assert noise.hidden.shape == (4, 1, 6) and noise.activation[0].shape == (4, 1, 5)  # one (1, H) per pass
        for step, (in_g, in_mlp) in enumerate(train):
            assert torch.equal(noise.hidden[step], in_mlp) and torch.equal(noise.activation[0][step], in_g[0])
        assert torch.equal(noise.test_hidden, test[1]) and torch.equal(noise.test_activation[0], test[0][0])
    (p0, n0), (p1, n1), (p2, n2) = ours
    assert not torch.equal(p0[0], p1[0])  # outer step 0 draws after g's weights
    for a, b in zip(p1 + [n1.hidden, *n1.activation, n1.test_hidden], p2 + [n2.hidden, *n2.activation, n2.test_hidden]):
        assert torch.equal(a, b)
    with pytest.raises(ValueError, match="in order"):
        runs.run(5)


def test_reference_baselines_are_seed_then_mlp_then_one_run():
    exp = experiment()
    runs = exp.inner_runs(8, 5, learned=False)
    params, noise = runs.run(0)
    torch.manual_seed(7)
    first, second = torch.nn.Linear(8, 6), torch.nn.Linear(6, 10)
    for a, b in zip(params, [first.weight.T, first.bias, second.weight.T, second.bias]):
        assert torch.equal(a, b.detach())
    torch.manual_seed(7)  # inner_optimization's reseed; no activation network, so only the MLP's noise
    expected = []
    for step in range(4):
        expected.append(0.1 * (2 * torch.rand(1, 6) - 1))
        if step:
            test = 0.1 * (2 * torch.rand(1, 6) - 1)
    assert torch.equal(noise.hidden, torch.stack(expected)) and torch.equal(noise.test_hidden, test)
    assert runs.activation_net is None and noise.activation == ()
    assert baseline_run_count(exp) == 1
    x, y = toy_problem(n=40)
    history, correct, _ = baseline_runs(exp, "relu", (x.float(), y), (x[:5].float(), y[:5]))
    assert [r["outer_step"] for r in history] == [0]
    assert correct.shape == (1, 5) and correct.dtype == bool  # one run, each of the 5 test samples
    assert history[0]["test_acc"] == 100 * correct.mean()


def test_shared_noise_reaches_the_activation_network_and_the_test():
    exp = experiment()
    _, noise = exp.inner_runs(8, 5).run(0)
    layers = activation_net([5])
    activation = learned_activation(layers, 0.2)
    z = torch.linspace(-2, 2, 30, dtype=DOUBLE).reshape(5, 6)
    in_g = [n.to(DOUBLE) for n in noise.at(1)[1]]
    value, slope = activation(z, in_g)
    plain_value, plain_slope = activation(z)
    w2 = layers[2].detach()
    # one hidden layer: the noise shifts g by w2 . n and leaves its slope alone
    torch.testing.assert_close(value - plain_value, 0.2 * (in_g[0] @ w2).expand_as(z).detach())
    torch.testing.assert_close(slope, plain_slope)
    # the test evaluation adds the noise too, unless test_noise is none
    assert noise.test()[0].shape == (1, 6) and len(noise.test()[1]) == 1
    _, clean = experiment(test_noise="none").inner_runs(8, 5).run(0)
    assert clean.test() == (None, None) and torch.equal(clean.hidden, noise.hidden)


def test_activation_shape_is_sampled_on_the_reference_grid():
    """The reference samples the learned activation at torch.linspace(-5, 5, steps=100) (its outer
    loop's bookkeeping), and Figure 7's extrema are counted on that curve."""
    import yaml

    from conftest import ROOT
    from mnist1d_repro.metalearning.activation import curve_grid

    settings = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["metalearning"]["activation"]
    torch.testing.assert_close(curve_grid(settings), torch.linspace(-5, 5, steps=100), rtol=0, atol=0)
    assert len(curve_grid({"curve_range": [-4.0, 4.0], "curve_points": 801})) == 801


@pytest.mark.parametrize("settings", [dict(), dict(seeding="fresh"), dict(noise_draw="per_sample"),
                                      dict(test_noise="none")])
def test_scoring_a_fresh_test_set_changes_no_other_number(settings):
    """The fresh test set is scored from the networks the job trains anyway, with the frozen test's
    noise (per-sample noise: a draw of its own): every other output keeps its bytes, in the
    metalearning job and in a baseline job."""
    x, y = toy_problem(n=60, features=8)
    x = x.float()
    exp = experiment(**settings)
    grid = torch.linspace(-5, 5, 11)
    fresh = FreshTest((x[30:], y[30:]), last_runs=2)
    plain = metalearn_activation(exp, (x, y), (x[:10], y[:10]), grid, 1)
    scored = metalearn_activation(exp, (x, y), (x[:10], y[:10]), grid, 1, fresh_test=fresh)
    assert plain[0] == scored[0] and plain[3].tobytes() == scored[3].tobytes()
    assert [p.numpy().tobytes() for p in plain[2]] == [p.numpy().tobytes() for p in scored[2]]
    assert plain[4] == {} and list(scored[4]["fresh_outer_step"]) == [1, 2]  # the last two of 3 outer steps
    assert scored[4]["fresh_correct"].shape == (2, 30) and scored[4]["fresh_correct"].dtype == bool
    baseline_plain = baseline_runs(exp, "relu", (x, y), (x[:10], y[:10]))
    baseline_scored = baseline_runs(exp, "relu", (x, y), (x[:10], y[:10]), fresh_test=fresh)
    assert baseline_plain[0] == baseline_scored[0] and baseline_plain[1].tobytes() == baseline_scored[1].tobytes()
    runs = baseline_run_count(exp)
    assert list(baseline_scored[2]["fresh_outer_step"]) == list(range(max(0, runs - 2), runs))


def test_the_fresh_test_set_sees_the_frozen_tests_noise_or_its_own_draw():
    x, y = toy_problem(n=40, features=8)
    shared = experiment()
    _, noise = shared.inner_runs(8, 5).run(0)
    hidden, in_g = shared.fresh_test_noise(noise, 0, 30)
    assert hidden is noise.test_hidden and in_g == list(noise.test_activation)  # the same noisy network
    per_sample = experiment(noise_draw="per_sample")
    _, noise = per_sample.inner_runs(8, 5).run(0)
    hidden, in_g = per_sample.fresh_test_noise(noise, 0, 30)
    assert hidden.shape == (30, 6) and in_g is None and hidden.abs().max() <= 0.1
    again, _ = per_sample.fresh_test_noise(noise, 0, 30)
    assert torch.equal(hidden, again)  # seeded by run, not by call order
    # the reference's seeding: every run the same noise (as every inner run's); fresh seeding: each run its own
    assert torch.equal(per_sample.fresh_test_noise(noise, 5, 30)[0], hidden)
    fresh = experiment(noise_draw="per_sample", seeding="fresh")
    assert torch.equal(fresh.fresh_test_noise(noise, 0, 30)[0], hidden)
    assert not torch.equal(fresh.fresh_test_noise(noise, 5, 30)[0], hidden)
    assert experiment(test_noise="none").fresh_test_noise(noise, 0, 30) == (None, None)


def test_the_fresh_test_set_is_scored_in_chunks_with_the_bytes_of_one_pass(monkeypatch):
    from mnist1d_repro.metalearning import activation as activation_module_file

    x, y = toy_problem(n=70, features=8)
    x = x.float()
    layers = [p.float() for p in linear_layers([1, 5, 1], torch.Generator().manual_seed(3))]
    learned = learned_activation(layers, 0.2)
    params = [p.float() for p in linear_layers([8, 6, 10], torch.Generator().manual_seed(4))]
    for settings in (dict(), dict(noise_draw="per_sample")):
        exp = experiment(**settings)
        _, noise = exp.inner_runs(8, 5).run(0)
        monkeypatch.setattr(activation_module_file, "FRESH_TEST_CHUNK", 1000)
        whole = exp.fresh_test_correct(params, (x, y), learned, noise, 0)
        monkeypatch.setattr(activation_module_file, "FRESH_TEST_CHUNK", 16)  # 16, 16, 16, 16 and 6 samples
        assert torch.equal(exp.fresh_test_correct(params, (x, y), learned, noise, 0), whole)
        assert whole.shape == (70,) and whole.dtype == torch.bool
