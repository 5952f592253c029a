"""Gradient-based metalearning (paper sections 5.3 and 5.4): a meta-loss is differentiated
through an unrolled inner training loop of a one-hidden-layer MLP.

The inner loop computes each step's gradient by hand (forward, backward, update as explicit
tensor operations) from an activation's value and slope. The outer gradient is then ordinary
first-order autograd through those operations: the same meta-gradient as differentiating
``torch.autograd.grad(..., create_graph=True)`` (tested), without double backward. The learned
activation's value and slope come from one forward pass that carries derivatives along
(dual numbers); its 100-wide intermediates are recomputed in the backward pass instead of
being kept for all inner steps, which is what keeps memory small.

Seeding. The reference notebooks draw every initial weight with PyTorch's ``nn.Linear`` from the
global torch generator and reseed it in places; ``torch_linear_layers`` and ``ReferenceRuns``
repeat those draws, in the same order, from an explicitly seeded ``torch.Generator`` (CPU), which
gives the same numbers as the global generator after ``torch.manual_seed`` (tested).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch.nn import functional as F
from torch.utils.checkpoint import checkpoint

from .training import as_tensors

Params = list[torch.Tensor]  # [w1 (in, hidden), b1, w2 (hidden, classes), b2]


def seeded_generator(*keys: int) -> torch.Generator:
    """A generator seeded from a tuple of non-negative integers (e.g. config seed, stream, run)."""
    state = np.random.SeedSequence(list(keys)).generate_state(1)[0]
    return torch.Generator().manual_seed(int(state))


def linear_layers(sizes: list[int], generator: torch.Generator) -> Params:
    """Weights and biases of a chain of linear layers, drawn as torch.nn.Linear draws them
    (uniform in ±1/sqrt(fan_in)); weights are (fan_in, fan_out)."""
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / math.sqrt(fan_in)
        params.append((torch.rand(fan_in, fan_out, generator=generator) * 2 - 1) * bound)
        params.append((torch.rand(fan_out, generator=generator) * 2 - 1) * bound)
    return params


def torch_linear_layers(sizes: list[int], generator: torch.Generator) -> Params:
    """The weights and biases that ``torch.nn.Linear(fan_in, fan_out)`` layers built in turn draw
    (its default initialisation: Kaiming-uniform weight, then a uniform bias), from ``generator``
    in nn.Linear's order (weight (fan_out, fan_in) first). Returned in our layout: each weight
    transposed to (fan_in, fan_out)."""
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        weight = torch.empty(fan_out, fan_in)
        torch.nn.init.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
        bound = 1.0 / math.sqrt(fan_in)
        bias = torch.empty(fan_out).uniform_(-bound, bound, generator=generator)
        params += [weight.T.contiguous(), bias]
    return params


# --- activations: each returns (value, slope) elementwise -----------------------------------------

def _relu(z):
    positive = z > 0
    return z * positive, positive.to(z.dtype)


def _elu(z):
    value = F.elu(z)
    return value, torch.where(z > 0, torch.ones_like(z), value + 1)


def _swish(z):
    s = torch.sigmoid(z)
    return z * s, s * (1 + z * (1 - s))


def _softplus(z):
    return F.softplus(z), torch.sigmoid(z)


def _tanh(z):
    t = torch.tanh(z)
    return t, 1 - t * t


def _sigmoid(z):
    s = torch.sigmoid(z)
    return s, s * (1 - s)


BASELINE_ACTIVATIONS: dict[str, Callable] = {
    "relu": _relu, "swish": _swish, "elu": _elu, "softplus": _softplus, "tanh": _tanh, "sigmoid": _sigmoid,
}


def activation_net_value_and_slope(z: torch.Tensor, *layers: torch.Tensor, noise=None):
    """g(z) and g'(z) of the activation network (tanh hidden layers, linear output) for every
    element of ``z``, by pushing dz/dz = 1 through the layers alongside the values. ``noise``
    (one (1, width) tensor per hidden layer, or None) is added after each hidden layer's tanh,
    the same for every element; it moves the values, not the slope of that layer."""
    h = z.reshape(-1, 1)
    dh = None  # dh/dz; None stands for ones, which the first layer turns into its weight row
    n_layers = len(layers) // 2
    for i in range(n_layers):
        w, b = layers[2 * i], layers[2 * i + 1]
        pre = torch.addmm(b, h, w)
        dpre = w if dh is None else dh @ w
        if i == n_layers - 1:
            h, dh = pre, dpre
        else:
            t = torch.tanh(pre)
            dh = (1 - t * t) * dpre
            h = t if noise is None else t + noise[i]
    return h.reshape(z.shape), dh.expand(h.shape).reshape(z.shape)


class _OneHiddenLayerNet(torch.autograd.Function):
    """g and g' of a 1 -> H -> 1 tanh network with a hand-written backward pass.

    The (elements x H) intermediates are computed in row chunks, in buffers that are reused
    from call to call (fresh large allocations cost page faults), and recomputed in the
    backward pass, so nothing of size elements x H is kept between the passes. tanh(u) is
    evaluated as 2 sigmoid(2u) - 1 (identical in exact arithmetic; torch's CPU sigmoid is
    several times faster than its tanh). With s = sigmoid(2u) and q = s (1 - s):
        g  = sum_k w2_k (2 s_k - 1) + b2,      g' = sum_k 4 w1_k w2_k q_k.
    """

    CHUNK = 12800
    _buffers: dict = {}

    @classmethod
    def buffers(cls, like: torch.Tensor, width: int, count: int):
        key = (width, like.dtype, like.device)
        if key not in cls._buffers:
            cls._buffers[key] = like.new_empty(4, cls.CHUNK, width)
        return cls._buffers[key][:count]

    @classmethod
    def chunks(cls, n: int):
        for start in range(0, n, cls.CHUNK):
            yield slice(start, min(start + cls.CHUNK, n))

    @staticmethod
    def _s_and_q(z_rows, w1, b1, s, q):
        torch.addmm(b1, z_rows, w1, beta=2, alpha=2, out=s).sigmoid_()
        torch.mul(s, s, out=q)
        torch.sub(s, q, out=q)

    @staticmethod
    def forward(ctx, z, w1, b1, w2, b2):
        column = z.reshape(-1, 1)
        w2v = w2.reshape(-1)
        c4 = 4 * w1.reshape(-1) * w2v
        g, dg = z.new_empty(len(column)), z.new_empty(len(column))
        offset = (b2 - w2v.sum()).expand(1)
        s_buf, q_buf = _OneHiddenLayerNet.buffers(z, len(w2v), 2)
        for rows in _OneHiddenLayerNet.chunks(len(column)):
            n = rows.stop - rows.start
            s, q = s_buf[:n], q_buf[:n]
            _OneHiddenLayerNet._s_and_q(column[rows], w1, b1, s, q)
            torch.addmv(offset, s, w2v, alpha=2, out=g[rows])
            torch.mv(q, c4, out=dg[rows])
        ctx.save_for_backward(z, w1, b1, w2)
        return g.view_as(z), dg.view_as(z)

    @staticmethod
    def backward(ctx, g_bar, dg_bar):
        z, w1, b1, w2 = ctx.saved_tensors
        column, g_bar, dg_bar = z.reshape(-1, 1), g_bar.reshape(-1), dg_bar.reshape(-1)
        w1v, w2v = w1.reshape(-1), w2.reshape(-1)
        z_and_one = torch.cat([column, torch.ones_like(column)], 1)
        z_bar = z.new_empty(len(column))
        sum_s_g = torch.zeros_like(w1v)     # sum_n g_bar_n s_nk
        sum_q_dg = torch.zeros_like(w1v)    # sum_n dg_bar_n q_nk
        sum_u = z.new_zeros(2, len(w1v))  # sum_n [z_n, 1] u_bar_nk
        s_buf, q_buf, u_buf, d_buf = _OneHiddenLayerNet.buffers(z, len(w1v), 4)
        w2v_4, c_8 = 4 * w2v, 8 * w1v * w2v
        for rows in _OneHiddenLayerNet.chunks(len(column)):
            n = rows.stop - rows.start
            s, q, u_bar, d = s_buf[:n], q_buf[:n], u_buf[:n], d_buf[:n]
            _OneHiddenLayerNet._s_and_q(column[rows], w1, b1, s, q)
            # u_bar = d/du (g_bar g + dg_bar g') = 4 q (g_bar w2 + 2 dg_bar w1 w2 (1 - 2 s))
            torch.outer(g_bar[rows], w2v_4, out=u_bar)
            torch.outer(dg_bar[rows], c_8, out=d)
            u_bar.add_(d).addcmul_(s, d, value=-2).mul_(q)
            torch.mv(u_bar, w1v, out=z_bar[rows])
            sum_u.addmm_(z_and_one[rows].T, u_bar)
            sum_s_g.addmv_(s.T, g_bar[rows])
            sum_q_dg.addmv_(q.T, dg_bar[rows])
        # the weights' direct terms: tanh = 2 s - 1 in g, and g' = 4 sum_k q_k w1_k w2_k
        w1_bar = sum_u[0] + 4 * w2v * sum_q_dg
        w2_bar = 2 * sum_s_g - g_bar.sum() + 4 * w1v * sum_q_dg
        return (z_bar.view_as(z), w1_bar.view_as(w1), sum_u[1], w2_bar.view_as(w2),
                g_bar.sum().reshape(1))


def learned_activation(layers: Params, elu_weight: float) -> Callable:
    """f(z) = ELU(z) + elu_weight * g(z) as a (value, slope) function. The activation network's
    wide intermediates are recomputed in the backward pass rather than stored: by the
    hand-written pass for one hidden layer, by checkpointing for deeper networks.

    ``noise`` (optional; one (1, width) tensor per hidden layer of g) is added after g's hidden
    tanh layers, as the reference does by running g through the MLP's noisy forward function.
    With one hidden layer that noise n only shifts g by w2 . n (g' is unchanged), so it enters
    as an extra output bias, through autograd, next to the hand-written pass."""

    def activation(z, noise=None):
        if len(layers) == 4:
            w1, b1, w2, b2 = layers
            if noise is not None:
                b2 = b2 + (noise[0] @ w2).reshape(b2.shape)
            g, dg = _OneHiddenLayerNet.apply(z, w1, b1, w2, b2)
        elif torch.is_grad_enabled() and any(p.requires_grad for p in layers):
            g, dg = checkpoint(activation_net_value_and_slope, z, *layers, noise=noise, use_reentrant=False)
        else:
            g, dg = activation_net_value_and_slope(z, *layers, noise=noise)
        elu, delu = _elu(z)
        return elu + elu_weight * g, delu + elu_weight * dg

    return activation


class LearnedActivation(torch.nn.Module):
    """A learned activation with frozen weights, usable in any model (the transfer ablation)."""

    def __init__(self, layers: Params, elu_weight: float):
        super().__init__()
        self.layers = torch.nn.ParameterList([torch.nn.Parameter(p.detach().clone(), requires_grad=False)
                                              for p in layers])
        self.elu_weight = elu_weight

    def forward(self, z):
        h = z.reshape(-1, 1)
        n_layers = len(self.layers) // 2
        for i in range(n_layers):
            h = torch.addmm(self.layers[2 * i + 1], h, self.layers[2 * i])
            if i < n_layers - 1:
                h = torch.tanh(h)
        return F.elu(z) + self.elu_weight * h.reshape(z.shape)


# --- the inner loop ---------------------------------------------------------------------------------

def _activate(activation: Callable, z, activation_noise):
    """An activation's (value, slope); ``activation_noise`` goes to a learned activation's network."""
    return activation(z) if activation_noise is None else activation(z, activation_noise)


def loss_and_gradients(params: Params, x, y, activation: Callable, noise=None, activation_noise=None):
    """Cross-entropy of the MLP on one batch and its gradient with respect to ``params``,
    written out so that the gradient is itself a differentiable expression. ``noise`` is added
    after the activation (it broadcasts: (1, H) for one vector shared by the batch)."""
    w1, b1, w2, b2 = params
    z = torch.addmm(b1, x, w1)
    a, slope = _activate(activation, z, activation_noise)
    if noise is not None:
        a = a + noise
    logits = torch.addmm(b2, a, w2)
    loss = F.cross_entropy(logits, y)
    dlogits = (torch.softmax(logits, 1) - F.one_hot(y, logits.shape[1]).to(logits.dtype)) / len(x)
    dz = (dlogits @ w2.T) * slope
    return loss, [x.T @ dz, dz.sum(0), a.T @ dlogits, dlogits.sum(0)]


def forward(params: Params, x, activation: Callable, noise=None, activation_noise=None):
    w1, b1, w2, b2 = params
    a = _activate(activation, torch.addmm(b1, x, w1), activation_noise)[0]
    if noise is not None:
        a = a + noise
    return torch.addmm(b2, a, w2)


def accuracy(params: Params, x, y, activation: Callable, noise=None, activation_noise=None) -> float:
    with torch.no_grad():
        logits = forward(params, x, activation, noise, activation_noise)
        return 100.0 * float((logits.argmax(1) == y).float().mean())


def batch(x, y, step: int, batch_size: int):
    """Batch ``step`` of the data taken in order, wrapping around at the end."""
    start = (step * batch_size) % len(x)
    return x[start:start + batch_size], y[start:start + batch_size]


def unrolled_sgd(params: Params, lr: torch.Tensor, x, y, steps: int, batch_size: int,
                 activation: Callable = _tanh):
    """Plain SGD with a (differentiable) learning rate; every step's training loss."""
    losses = []
    for step in range(steps):
        loss, grads = loss_and_gradients(params, *batch(x, y, step, batch_size), activation)
        params = [p - lr * g for p, g in zip(params, grads)]
        losses.append(loss)
    return torch.stack(losses), params


@dataclass(frozen=True)
class RMSConfig:
    steps: int
    batch_size: int
    lr: float
    decay: float
    eps: float


@dataclass(frozen=True)
class RunNoise:
    """The noise of one inner run of the activation experiment. ``hidden[step]`` is added after
    the MLP's activation at training step ``step``: (1, H), one vector shared by the batch, or
    (batch, H), one value per sample and unit. ``activation[i][step]`` ((1, width)) is added after
    hidden layer i of the activation network g; empty: g gets none. ``test_hidden`` and
    ``test_activation`` are the test evaluation's (None and empty: evaluated without noise)."""
    hidden: torch.Tensor
    activation: tuple = ()
    test_hidden: torch.Tensor | None = None
    test_activation: tuple = ()

    def at(self, step: int):
        """The MLP's and g's noise at training step ``step`` (g's: None when it gets none)."""
        return self.hidden[step], ([n[step] for n in self.activation] if self.activation else None)

    def test(self):
        return self.test_hidden, (list(self.test_activation) if self.test_activation else None)

    def without_activation_noise(self) -> "RunNoise":
        """The same run for a fixed activation, which has no network to add noise to."""
        return RunNoise(self.hidden, (), self.test_hidden, ())


def unrolled_rms(params: Params, x, y, cfg: RMSConfig, activation: Callable, noise: RunNoise | None = None):
    """The RMSProp-like inner optimiser of the activation experiment: a running mean of squared
    gradients (starting at 1) scales each step. ``noise`` (a RunNoise) is added after the activation."""
    squares = [torch.ones_like(p) for p in params]
    losses = []
    for step in range(cfg.steps):
        hidden, activation_noise = (None, None) if noise is None else noise.at(step)
        loss, grads = loss_and_gradients(params, *batch(x, y, step, cfg.batch_size), activation, hidden,
                                         activation_noise)
        squares = [cfg.decay * v + (1 - cfg.decay) * g * g for v, g in zip(squares, grads)]
        params = [p - cfg.lr * g / (v.sqrt() + cfg.eps) for p, g, v in zip(params, grads, squares)]
        losses.append(loss)
    return torch.stack(losses), params


# --- outer loops --------------------------------------------------------------------------------

LEARNING_RATE_INITIAL_WEIGHTS = ("reference", "draws")


def learning_rate_initial_weights(kind: str, n_inputs: int, hidden: int, seed: int) -> Params:
    """The initial weights of Figure 6's inner runs. ``reference``: what ``torch.manual_seed(seed)``
    followed by ``nn.Linear(n_inputs, hidden)`` and ``nn.Linear(hidden, 10)`` gives, as in the
    reference notebook; ``draws``: one draw of the same distribution from a generator seeded with
    ``seed`` (one of init_seeds: the ablation over initial weights)."""
    generator = torch.Generator().manual_seed(seed)
    if kind == "reference":
        return torch_linear_layers([n_inputs, hidden, 10], generator)
    if kind == "draws":
        return linear_layers([n_inputs, hidden, 10], generator)
    raise ValueError(f"unknown initial weights '{kind}' (one of {LEARNING_RATE_INITIAL_WEIGHTS})")


def metalearn_learning_rate(x, y, *, initial_lr: float, init: Params, inner_steps: int, batch_size: int,
                            outer_steps: int, outer_lr: float,
                            progress: Callable[[str], None] | None = None) -> list[dict]:
    """Figure 6: gradient descent on SGD's learning rate; the meta-loss is the mean training loss
    over the inner run, which always starts from the initial weights ``init``."""
    lr = torch.tensor(float(initial_lr), requires_grad=True)
    history = []
    for outer in range(outer_steps + 1):
        losses, _ = unrolled_sgd(init, lr, x, y, inner_steps, batch_size)
        meta_loss = losses.mean()
        record = {"outer_step": outer, "lr": lr.item(), "meta_loss": meta_loss.item()}
        if outer < outer_steps:
            (grad,) = torch.autograd.grad(meta_loss, lr)
            record["meta_grad"] = grad.item()
            with torch.no_grad():
                lr -= outer_lr * grad
        history.append(record)
        if progress and (outer % 5 == 0 or outer == outer_steps):
            progress(f"outer step {outer}/{outer_steps}: lr {record['lr']:.4f}, meta-loss {record['meta_loss']:.4f}")
    return history


SEEDINGS = ("reference", "fresh")
NOISE_DRAWS = ("shared", "per_sample")
TEST_NOISES = ("added", "none")


def uniform_noise(shape, scale: float, generator: torch.Generator) -> torch.Tensor:
    """scale * (2 U - 1), U uniform on [0, 1) (the reference's noise)."""
    return scale * (2 * torch.rand(*shape, generator=generator) - 1)


@dataclass(frozen=True)
class ActivationExperiment:
    hidden: int
    activation_hidden: tuple[int, ...]
    elu_weight: float
    noise: float
    inner: RMSConfig
    meta_loss_last_steps: int
    outer_steps: int
    outer_lr: float
    grad_clip: float
    seed: int
    seeding: str = "reference"      # reference | fresh: where the inner runs' weights and noise come from
    noise_draw: str = "shared"      # shared | per_sample: one noise vector per forward pass, or one per sample
    test_noise: str = "added"       # added | none: whether the test evaluation's forward pass adds noise

    def __post_init__(self):
        for name, allowed in (("seeding", SEEDINGS), ("noise_draw", NOISE_DRAWS), ("test_noise", TEST_NOISES)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {getattr(self, name)!r}")

    @property
    def activation_gets_noise(self) -> bool:
        """Shared noise is the reference's forward function, which g goes through as well."""
        return self.noise_draw == "shared"

    def draw_noise(self, generator: torch.Generator, n_test: int, activation_noise: bool) -> RunNoise:
        """One inner run's noise. Shared (the reference): every forward pass draws, in this order,
        a (1, width) vector for each hidden layer of g (when g is in the pass) and then a (1, H)
        one for the MLP; the passes are each training step's and, from step 1 on, a test
        evaluation's (the reference evaluates after every step but the first; the last of them
        is the test accuracy reported). Per sample: (steps, batch, H) for training, then
        (n_test, H) for the test. The test's noise is drawn even when the test adds none, so that
        test_noise changes nothing else."""
        cfg, scale = self.inner, self.noise
        widths = self.activation_hidden if activation_noise and self.activation_gets_noise else ()
        if self.noise_draw == "per_sample":
            hidden, activation = uniform_noise((cfg.steps, cfg.batch_size, self.hidden), scale, generator), ()
            test_hidden, test_activation = uniform_noise((n_test, self.hidden), scale, generator), ()
        else:
            train = []
            for step in range(cfg.steps):
                for evaluation in (False, True) if step > 0 or cfg.steps == 1 else (False,):
                    in_g = tuple(uniform_noise((1, w), scale, generator) for w in widths)
                    in_mlp = uniform_noise((1, self.hidden), scale, generator)
                    if evaluation:
                        test_hidden, test_activation = in_mlp, in_g
                    else:
                        train.append((in_mlp, in_g))
            hidden = torch.stack([mlp for mlp, _ in train])
            activation = tuple(torch.stack([g[i] for _, g in train]) for i in range(len(widths)))
        if self.test_noise == "none":
            return RunNoise(hidden, activation)
        return RunNoise(hidden, activation, test_hidden, test_activation)

    def inner_runs(self, n_inputs: int, n_test: int, learned: bool = True) -> "InnerRuns":
        """The source of every inner run's initial weights and noise (and of g's initial weights
        when ``learned``), as the seeding setting says."""
        if self.seeding == "reference":
            return ReferenceRuns(self, n_inputs, n_test, learned)
        return FreshRuns(self, n_inputs, n_test, learned)

    def meta_loss(self, losses: torch.Tensor) -> torch.Tensor:
        return losses[-self.meta_loss_last_steps:].mean()


class InnerRuns:
    """Initial weights and noise of the inner runs, in order (``run(k)``: the k-th)."""
    activation_net: Params | None

    def run(self, k: int) -> tuple[Params, RunNoise]:
        raise NotImplementedError


class ReferenceRuns(InnerRuns):
    """The reference's seeding, one generator used in the reference's order. Learned activation:
    seed, draw g (nn.Linear(1, width) ...), then for each outer step draw the MLP (nn.Linear's
    initialisation), reseed (inner_optimization's torch.manual_seed), draw the inner run's noise,
    and one more g noise draw where the reference samples the activation's curve. Every outer
    step consumes the same draws, so from outer step 1 on every inner run starts from the same
    weights and sees the same noise. Baselines: seed, draw the MLP, reseed, draw the noise of
    the MLP alone (no g): one run."""

    def __init__(self, exp: ActivationExperiment, n_inputs: int, n_test: int, learned: bool):
        self.exp, self.n_inputs, self.n_test, self.learned = exp, n_inputs, n_test, learned
        self.generator = torch.Generator().manual_seed(exp.seed)
        self.activation_net = (torch_linear_layers([1, *exp.activation_hidden, 1], self.generator)
                               if learned else None)
        self.next_run = 0

    def run(self, k: int) -> tuple[Params, RunNoise]:
        if k != self.next_run:
            raise ValueError(f"the reference's inner runs come in order: asked for run {k}, next is {self.next_run}")
        self.next_run += 1
        exp = self.exp
        params = torch_linear_layers([self.n_inputs, exp.hidden, 10], self.generator)
        self.generator.manual_seed(exp.seed)
        noise = exp.draw_noise(self.generator, self.n_test, self.learned)
        if self.learned and exp.activation_gets_noise:  # the curve sampled after each outer step
            for width in exp.activation_hidden:
                uniform_noise((1, width), exp.noise, self.generator)
        return params, noise


class FreshRuns(InnerRuns):
    """Ours: every inner run k draws its initial weights and noise from its own generator
    (config seed, stream 0, k), so outer step k and baseline run k share them (paired). The
    noise is drawn with g's part whether or not the run uses it, so that pairs stay equal."""

    def __init__(self, exp: ActivationExperiment, n_inputs: int, n_test: int, learned: bool):
        self.exp, self.n_inputs, self.n_test, self.learned = exp, n_inputs, n_test, learned
        self.activation_net = (linear_layers([1, *exp.activation_hidden, 1], seeded_generator(exp.seed, 1))
                               if learned else None)  # stream 1: the activation network

    def run(self, k: int) -> tuple[Params, RunNoise]:
        generator = seeded_generator(self.exp.seed, 0, k)  # stream 0: inner runs
        params = linear_layers([self.n_inputs, self.exp.hidden, 10], generator)
        noise = self.exp.draw_noise(generator, self.n_test, activation_noise=True)
        return params, noise if self.learned else noise.without_activation_noise()


def metalearn_activation(exp: ActivationExperiment, train, test, grid: torch.Tensor, snapshot_every: int,
                         progress: Callable[[str], None] | None = None):
    """Figure 7: learn the activation network's weights by clipped gradient descent on the
    meta-loss; each outer step trains an MLP from the initial weights and with the noise that
    the seeding setting gives. Returns per-step records, the activation's values on ``grid`` at
    snapshots, and the final activation-network weights."""
    x, y = train
    runs = exp.inner_runs(x.shape[1], len(test[1]), learned=True)
    layers = [p.requires_grad_() for p in runs.activation_net]
    history, snapshots = [], {}
    for outer in range(exp.outer_steps):
        activation = learned_activation(layers, exp.elu_weight)
        if outer % snapshot_every == 0:
            snapshots[outer] = activation_curve(activation, grid)
        params, noise = runs.run(outer)
        losses, trained = unrolled_rms(params, x, y, exp.inner, activation, noise)
        meta_loss = exp.meta_loss(losses)
        grads = torch.autograd.grad(meta_loss, layers)
        trained = [p.detach() for p in trained]
        record = {"outer_step": outer, "meta_loss": meta_loss.item(), "final_loss": losses[-1].item(),
                  "test_acc": accuracy(trained, *test, activation, *noise.test()),
                  "meta_grad_norm": float(torch.sqrt(sum((g * g).sum() for g in grads)))}
        with torch.no_grad():
            for p, g in zip(layers, grads):
                p -= exp.outer_lr * g.clamp(-exp.grad_clip, exp.grad_clip)
        history.append(record)
        if progress and (outer % 10 == 0 or outer == exp.outer_steps - 1):
            progress(f"outer step {outer + 1}/{exp.outer_steps}: meta-loss {record['meta_loss']:.4f}, "
                     f"test accuracy {record['test_acc']:.1f}")
    final = [p.detach() for p in layers]
    snapshots[exp.outer_steps] = activation_curve(learned_activation(final, exp.elu_weight), grid)
    return history, snapshots, final


def baseline_run_count(exp: ActivationExperiment) -> int:
    """Reference seeding: one run per baseline, as the reference; fresh: one per outer step."""
    return 1 if exp.seeding == "reference" else exp.outer_steps


def baseline_runs(exp: ActivationExperiment, name: str, train, test,
                  progress: Callable[[str], None] | None = None) -> list[dict]:
    """A fixed activation trained through the same inner loop: with fresh seeding once per outer
    step, with that step's initial weights and noise; with the reference's seeding once."""
    x, y = train
    activation = BASELINE_ACTIVATIONS[name]
    runs = exp.inner_runs(x.shape[1], len(test[1]), learned=False)
    count = baseline_run_count(exp)
    history = []
    with torch.no_grad():
        for run in range(count):
            params, noise = runs.run(run)
            losses, trained = unrolled_rms(params, x, y, exp.inner, activation, noise)
            history.append({"outer_step": run, "meta_loss": float(exp.meta_loss(losses)),
                            "final_loss": float(losses[-1]),
                            "test_acc": accuracy(trained, *test, activation, *noise.test())})
            if progress and (run % 50 == 0 or run == count - 1):
                progress(f"run {run + 1}/{count}: test accuracy {history[-1]['test_acc']:.1f}")
    return history


def activation_curve(activation: Callable, grid: torch.Tensor) -> np.ndarray:
    with torch.no_grad():
        return activation(grid)[0].numpy().copy()


def local_extrema(values: np.ndarray) -> int:
    """Number of interior local extrema of a sampled curve (sign changes of its slope; flat
    stretches are skipped)."""
    slope = np.sign(np.diff(values))
    slope = slope[slope != 0]
    return int(np.count_nonzero(slope[1:] != slope[:-1]))


ACTIVATION_MODULES = {"relu": torch.nn.ReLU, "swish": torch.nn.SiLU, "elu": torch.nn.ELU,
                      "softplus": torch.nn.Softplus, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}


def activation_module(name: str, learned_layers: Params | None = None, elu_weight: float = 0.2) -> torch.nn.Module:
    """A baseline activation by name, or "learned" with the activation network's weights."""
    if name == "learned":
        return LearnedActivation(learned_layers, elu_weight)
    return ACTIVATION_MODULES[name]()


def experiment_from_settings(s: dict) -> ActivationExperiment:
    """The activation experiment from the config's ``metalearning.activation`` section."""
    return ActivationExperiment(
        hidden=s["hidden"], activation_hidden=tuple(s["activation_hidden"]), elu_weight=s["elu_weight"],
        noise=s["noise"], inner=RMSConfig(steps=s["inner_steps"], batch_size=s["batch_size"], lr=s["inner_lr"],
                                          decay=s["rms_decay"], eps=s["rms_eps"]),
        meta_loss_last_steps=s["meta_loss_last_steps"], outer_steps=s["outer_steps"], outer_lr=s["outer_lr"],
        grad_clip=s["grad_clip"], seed=s["seed"], seeding=s["seeding"], noise_draw=s["noise_draw"],
        test_noise=s["test_noise"])


def activation_data(data: dict, test_samples: int):
    """Training tensors and the first ``test_samples`` test samples of a dataset, on the CPU."""
    return (as_tensors(data["x"], data["y"], "cpu"),
            as_tensors(data["x_test"][:test_samples], data["y_test"][:test_samples], "cpu"))


def network_from_arrays(arrays: dict) -> Params:
    """The activation network's weights as saved by the metalearning job (layer<i>_weight/bias)."""
    layers = len(arrays) // 2
    return [torch.as_tensor(arrays[f"layer{i}_{kind}"]) for i in range(layers) for kind in ("weight", "bias")]
