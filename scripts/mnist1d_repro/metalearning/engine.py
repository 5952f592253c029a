"""The hand-written inner loop of the metalearning experiments (sections 5.3 and 5.4).

The inner loop computes each step's gradient by hand (forward, backward, update as explicit
tensor operations) from an activation's value and slope. The outer gradient is then ordinary
first-order autograd through those operations: the same meta-gradient as differentiating
``torch.autograd.grad(..., create_graph=True)`` (tested), without double backward. The learned
activation's value and slope come from one forward pass that carries derivatives along
(dual numbers); of its 100-wide intermediates only the sigmoids are kept for the backward pass
(about 1.5 GB over an inner run at paper size), the rest recomputed there.

Seeding. The reference notebooks draw every initial weight with PyTorch's ``nn.Linear`` from the
global torch generator and reseed it in places; ``torch_linear_layers`` repeats those draws, in
the same order, from an explicitly seeded ``torch.Generator`` (CPU), which gives the same numbers
as the global generator after ``torch.manual_seed`` (tested).
"""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch.nn import functional as F
from torch.utils.checkpoint import checkpoint

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

    The (elements x H) intermediates are computed in fixed blocks of rows, in buffers that are
    reused from call to call (fresh large allocations cost page faults). Of them, the forward
    pass keeps only the sigmoids s for its backward pass (when one is to come: 5 MB a call at
    paper size, 1.5 GB over an inner run's 301 steps), the dearest of them to recompute; q and
    r are recomputed from s, the same operations on the same operands as before. tanh(u) is
    evaluated as 2 sigmoid(2u) - 1 (identical in exact arithmetic; torch's CPU sigmoid is
    several times faster than its tanh). With s = sigmoid(2u), q = s (1 - s) and r = q (1 - 2 s):
        g  = sum_k w2_k (2 s_k - 1) + b2,      g' = sum_k 4 w1_k w2_k q_k,
    and the backward pass needs only matrix products of s, q and r with a few columns.

    Each block's sums over its rows are kept apart and added in block order. The block size
    sets the rounding; 1600 rows keep a block's three buffers within a 2 MB cache. The blocks
    may run on several threads (``spread_activation_blocks``): each writes only its own rows,
    buffers and sums, so the bytes are the same for any number of threads.
    """

    BLOCK = 1600
    _buffers: dict = {}
    _kept_sigmoids: list = []  # storage for kept sigmoids that a backward pass has finished with
    _threads = 1
    _pool: ThreadPoolExecutor | None = None  # the threads beside the caller's (_threads - 1)

    @classmethod
    def for_each_block(cls, work: Callable[[int, slice], None], blocks: list[slice]) -> None:
        """``work(i, rows)`` for every block: in turn on one thread, else the blocks dealt out to
        the threads in turn, the first share run by the calling thread."""
        numbered = list(enumerate(blocks))
        runs = [numbered[start::cls._threads] for start in range(min(cls._threads, len(blocks)))]
        grad_mode = torch.is_grad_enabled()  # thread-local: the other threads take the caller's
        futures = [cls._pool.submit(_run_blocks, work, run, grad_mode) for run in runs[1:]]
        _run_blocks(work, runs[0], grad_mode)
        for future in futures:
            future.result()

    @classmethod
    def buffers(cls, like: torch.Tensor, width: int, count: int, blocks: int):
        """``count`` (BLOCK, width) buffers for each of ``blocks`` blocks."""
        key = (width, like.dtype, like.device)
        if key not in cls._buffers or cls._buffers[key].shape[0] < blocks:
            cls._buffers[key] = like.new_empty(blocks, 3, cls.BLOCK, width)
        return cls._buffers[key][:blocks, :count]

    @classmethod
    def storage_for_sigmoids(cls, z: torch.Tensor, width: int) -> torch.Tensor:
        """A (elements, width) tensor to keep a forward pass's sigmoids in until its backward pass:
        one that an earlier backward pass has finished with where there is one (an inner run's
        forward passes all come before its backward passes, so from the second outer step on
        every one is reused; fresh allocations of this size cost more in page faults than the
        sigmoids they save). Storage of another shape, dtype or device is let go, so that what is
        held is at most one inner run's worth."""
        free = cls._kept_sigmoids
        shape = (z.numel(), width)
        if free and (free[-1].shape != shape or free[-1].dtype != z.dtype or free[-1].device != z.device):
            free.clear()
        return free.pop() if free else z.new_empty(shape)

    @classmethod
    def blocks(cls, n: int) -> list[slice]:
        return [slice(start, min(start + cls.BLOCK, n)) for start in range(0, n, cls.BLOCK)]

    @staticmethod
    def _sigmoids(z_rows, twice_w1, twice_b1, s):
        torch.addcmul(twice_b1, z_rows, twice_w1, out=s).sigmoid_()  # sigmoid(2 (z w1 + b1))

    @staticmethod
    def _q(s, q):
        torch.addcmul(s, s, s, value=-1, out=q)  # s (1 - s)

    @staticmethod
    def value_and_slope(z, w1, b1, w2, b2, kept: torch.Tensor | None = None):
        """g(z) and g'(z) (each shaped as z); the sigmoids go to ``kept`` ((elements, H)) when given."""
        column = z.reshape(-1, 1)
        w2v = w2.reshape(-1)
        twice_w1, twice_b1, twice_w2, c4 = 2 * w1, 2 * b1, 2 * w2v, 4 * w1.reshape(-1) * w2v
        g, dg = z.new_empty(len(column)), z.new_empty(len(column))
        offset = (b2 - w2v.sum()).expand(1)
        blocks = _OneHiddenLayerNet.blocks(len(column))
        buffers = _OneHiddenLayerNet.buffers(z, len(w2v), 2, len(blocks))

        def block(i, rows):
            n = rows.stop - rows.start
            s, q = (buffers[i, 0, :n] if kept is None else kept[rows]), buffers[i, 1, :n]
            _OneHiddenLayerNet._sigmoids(column[rows], twice_w1, twice_b1, s)
            _OneHiddenLayerNet._q(s, q)
            torch.addmv(offset, s, twice_w2, out=g[rows])
            torch.mv(q, c4, out=dg[rows])

        _OneHiddenLayerNet.for_each_block(block, blocks)
        return g.view_as(z), dg.view_as(z)

    @staticmethod
    def forward(ctx, z, w1, b1, w2, b2, keep_sigmoids):
        kept = _OneHiddenLayerNet.storage_for_sigmoids(z, w2.numel()) if keep_sigmoids else None
        ctx.save_for_backward(z, w1, b1, w2)
        ctx.sigmoids = kept
        return _OneHiddenLayerNet.value_and_slope(z, w1, b1, w2, b2, kept)

    @staticmethod
    def backward(ctx, g_bar, dg_bar):
        z, w1, b1, w2 = ctx.saved_tensors
        kept, ctx.sigmoids = ctx.sigmoids, None  # a second backward pass (retain_graph) recomputes them
        column, g_bar, dg_bar = z.reshape(-1, 1), g_bar.reshape(-1), dg_bar.reshape(-1)
        w1v, w2v = w1.reshape(-1), w2.reshape(-1)
        width, twice_w1, twice_b1 = len(w1v), 2 * w1, 2 * b1
        # u_bar = d/du (g_bar g + dg_bar g') = g_bar 4 w2 q + dg_bar 8 w1 w2 r (u = z w1 + b1)
        four_w2, eight_w1_w2 = 4 * w2v, 8 * w1v * w2v
        a_q, a_r = four_w2 * w1v, 8 * w1v * w1v * w2v
        q_weights = torch.stack([column.reshape(-1) * g_bar, g_bar, dg_bar], 1)  # [z, 1] g_bar, dg_bar
        r_weights = torch.stack([column.reshape(-1) * dg_bar, dg_bar], 1)        # [z, 1] dg_bar
        z_bar, z_bar_r = z.new_empty(len(column)), z.new_empty(len(column))
        blocks = _OneHiddenLayerNet.blocks(len(column))
        buffers = _OneHiddenLayerNet.buffers(z, width, 3, len(blocks))
        sums = z.new_empty(len(blocks), 6, width)  # per block: q-sums (3), r-sums (2), s-sum (1)

        def block(i, rows):
            n = rows.stop - rows.start
            q, r = buffers[i, 1, :n], buffers[i, 2, :n]
            if kept is None:
                s = buffers[i, 0, :n]
                _OneHiddenLayerNet._sigmoids(column[rows], twice_w1, twice_b1, s)
            else:
                s = kept[rows]
            _OneHiddenLayerNet._q(s, q)
            torch.addcmul(q, s, q, value=-2, out=r)
            torch.mm(q_weights[rows].T, q, out=sums[i, :3])
            torch.mm(r_weights[rows].T, r, out=sums[i, 3:5])
            torch.mv(s.T, g_bar[rows], out=sums[i, 5])
            torch.mv(q, a_q, out=z_bar[rows])
            torch.mv(r, a_r, out=z_bar_r[rows])

        _OneHiddenLayerNet.for_each_block(block, blocks)
        total = sums[0].clone()
        for i in range(1, len(blocks)):
            total += sums[i]
        sum_q_g_z, sum_q_g, sum_q_dg, sum_r_dg_z, sum_r_dg, sum_s_g = total
        if kept is not None:
            _OneHiddenLayerNet._kept_sigmoids.append(kept)
        z_bar = z_bar * g_bar + z_bar_r * dg_bar
        w1_bar = four_w2 * sum_q_g_z + eight_w1_w2 * sum_r_dg_z + four_w2 * sum_q_dg
        b1_bar = four_w2 * sum_q_g + eight_w1_w2 * sum_r_dg
        # the weights' direct terms: tanh = 2 s - 1 in g, and g' = 4 sum_k q_k w1_k w2_k
        w2_bar = 2 * sum_s_g - g_bar.sum() + 4 * w1v * sum_q_dg
        return (z_bar.view_as(z), w1_bar.view_as(w1), b1_bar, w2_bar.view_as(w2), g_bar.sum().reshape(1), None)


class _FrozenOneHiddenLayerNet(torch.autograd.Function):
    """g(z) of a 1 -> H -> 1 tanh network whose weights are fixed, by the blocked pass of
    ``_OneHiddenLayerNet`` (the arithmetic the metalearning job learned it with). Its backward
    pass is the forward pass's slope times the incoming gradient: no (elements x H)
    intermediate is kept or recomputed."""

    @staticmethod
    def forward(ctx, z, w1, b1, w2, b2):
        g, dg = _OneHiddenLayerNet.value_and_slope(z, w1, b1, w2, b2)
        ctx.save_for_backward(dg)
        return g

    @staticmethod
    def backward(ctx, g_bar):
        (dg,) = ctx.saved_tensors
        return g_bar * dg, None, None, None, None


def frozen_activation_net(z: torch.Tensor, layers: Params) -> torch.Tensor:
    """g(z) of a frozen activation network (its weights take no gradient), differentiable in z:
    by the metalearning job's blocked pass for one hidden layer, else as ordinary tensor operations."""
    if any(p.requires_grad for p in layers):
        raise ValueError("frozen_activation_net takes no gradient for its weights: detach them (learned_activation "
                         "learns them)")
    if len(layers) == 4:
        return _FrozenOneHiddenLayerNet.apply(z, *layers)
    return activation_net_value_and_slope(z, *layers)[0]


def _run_blocks(work: Callable[[int, slice], None], run: list[tuple[int, slice]], grad_mode: bool) -> None:
    with torch.set_grad_enabled(grad_mode):
        for i, rows in run:
            work(i, rows)


def spread_activation_blocks(threads: int) -> None:
    """Compute the learned activation's blocks (one hidden layer) on ``threads`` threads of this
    process, 1: in turn. Each block's operations run in one thread as they would alone, so
    torch and the BLAS libraries keep one thread each (their matrix products would otherwise
    split their sums; torch sets MKL's count for the calling thread only, hence threadpoolctl)."""
    from threadpoolctl import threadpool_limits

    threads = max(1, int(threads))
    torch.set_num_threads(1)
    threadpool_limits(1)
    if _OneHiddenLayerNet._pool is not None:
        _OneHiddenLayerNet._pool.shutdown()
    _OneHiddenLayerNet._pool = ThreadPoolExecutor(threads - 1) if threads > 1 else None
    _OneHiddenLayerNet._threads = threads


def learned_activation(layers: Params, elu_weight: float) -> Callable:
    """f(z) = ELU(z) + elu_weight * g(z) as a (value, slope) function. The activation network's
    wide intermediates are recomputed in the backward pass rather than stored: all but the
    sigmoids by the hand-written pass for one hidden layer, all by checkpointing for deeper
    networks.

    ``noise`` (optional; one (1, width) tensor per hidden layer of g) is added after g's hidden
    tanh layers, as the reference does by running g through the MLP's noisy forward function.
    With one hidden layer that noise n only shifts g by w2 . n (g' is unchanged), so it enters
    as an extra output bias, through autograd, next to the hand-written pass."""

    def activation(z, noise=None):
        if len(layers) == 4:
            w1, b1, w2, b2 = layers
            if noise is not None:
                b2 = b2 + (noise[0] @ w2).reshape(b2.shape)
            backward_to_come = torch.is_grad_enabled() and any(t.requires_grad for t in (z, w1, b1, w2, b2))
            g, dg = _OneHiddenLayerNet.apply(z, w1, b1, w2, b2, backward_to_come)
        elif torch.is_grad_enabled() and any(p.requires_grad for p in layers):
            g, dg = checkpoint(activation_net_value_and_slope, z, *layers, noise=noise, use_reentrant=False)
        else:
            g, dg = activation_net_value_and_slope(z, *layers, noise=noise)
        elu, delu = _elu(z)
        return elu + elu_weight * g, delu + elu_weight * dg

    return activation


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


def correct_samples(params: Params, x, y, activation: Callable, noise=None, activation_noise=None) -> torch.Tensor:
    """Which samples the network classifies correctly (a bool per sample)."""
    with torch.no_grad():
        return forward(params, x, activation, noise, activation_noise).argmax(1) == y


def accuracy_percent(correct: torch.Tensor) -> float:
    return 100.0 * float(correct.float().mean())


def accuracy(params: Params, x, y, activation: Callable, noise=None, activation_noise=None) -> float:
    return accuracy_percent(correct_samples(params, x, y, activation, noise, activation_noise))


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

