"""Gradient-based metalearning (paper sections 5.3 and 5.4): a meta-loss is differentiated
through an unrolled inner training loop of a one-hidden-layer MLP.

The inner loop computes each step's gradient by hand (forward, backward, update as explicit
tensor operations) from an activation's value and slope. The outer gradient is then ordinary
first-order autograd through those operations: the same meta-gradient as differentiating
``torch.autograd.grad(..., create_graph=True)`` (tested), without double backward. The learned
activation's value and slope come from one forward pass that carries derivatives along
(dual numbers); its 100-wide intermediates are recomputed in the backward pass instead of
being kept for all inner steps, which is what keeps memory small.
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


def activation_net_value_and_slope(z: torch.Tensor, *layers: torch.Tensor):
    """g(z) and g'(z) of the activation network (tanh hidden layers, linear output) for every
    element of ``z``, by pushing dz/dz = 1 through the layers alongside the values."""
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
            h = torch.tanh(pre)
            dh = (1 - h * h) * dpre
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
    hand-written pass for one hidden layer, by checkpointing for deeper networks."""

    def activation(z):
        if len(layers) == 4:
            g, dg = _OneHiddenLayerNet.apply(z, *layers)
        elif torch.is_grad_enabled() and any(p.requires_grad for p in layers):
            g, dg = checkpoint(activation_net_value_and_slope, z, *layers, use_reentrant=False)
        else:
            g, dg = activation_net_value_and_slope(z, *layers)
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

def loss_and_gradients(params: Params, x, y, activation: Callable, noise=None):
    """Cross-entropy of the MLP on one batch and its gradient with respect to ``params``,
    written out so that the gradient is itself a differentiable expression."""
    w1, b1, w2, b2 = params
    z = torch.addmm(b1, x, w1)
    a, slope = activation(z)
    if noise is not None:
        a = a + noise
    logits = torch.addmm(b2, a, w2)
    loss = F.cross_entropy(logits, y)
    dlogits = (torch.softmax(logits, 1) - F.one_hot(y, logits.shape[1]).to(logits.dtype)) / len(x)
    dz = (dlogits @ w2.T) * slope
    return loss, [x.T @ dz, dz.sum(0), a.T @ dlogits, dlogits.sum(0)]


def forward(params: Params, x, activation: Callable):
    w1, b1, w2, b2 = params
    return torch.addmm(b2, activation(torch.addmm(b1, x, w1))[0], w2)


def accuracy(params: Params, x, y, activation: Callable) -> float:
    with torch.no_grad():
        return 100.0 * float((forward(params, x, activation).argmax(1) == y).float().mean())


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


def unrolled_rms(params: Params, x, y, cfg: RMSConfig, activation: Callable, noise=None):
    """The RMSProp-like inner optimiser of the activation experiment: a running mean of squared
    gradients (starting at 1) scales each step. ``noise[step]`` is added after the activation."""
    squares = [torch.ones_like(p) for p in params]
    losses = []
    for step in range(cfg.steps):
        loss, grads = loss_and_gradients(params, *batch(x, y, step, cfg.batch_size), activation,
                                         None if noise is None else noise[step])
        squares = [cfg.decay * v + (1 - cfg.decay) * g * g for v, g in zip(squares, grads)]
        params = [p - cfg.lr * g / (v.sqrt() + cfg.eps) for p, g, v in zip(params, grads, squares)]
        losses.append(loss)
    return torch.stack(losses), params


# --- outer loops --------------------------------------------------------------------------------

def metalearn_learning_rate(x, y, *, initial_lr: float, hidden: int, inner_steps: int, batch_size: int,
                            outer_steps: int, outer_lr: float, init_seed: int,
                            progress: Callable[[str], None] | None = None) -> list[dict]:
    """Figure 6: gradient descent on SGD's learning rate; the meta-loss is the mean training loss
    over the inner run, which always starts from the same initial weights."""
    init = linear_layers([x.shape[1], hidden, 10], torch.Generator().manual_seed(init_seed))
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

    def inner_run(self, run: int, n_inputs: int):
        """Initial weights and the noise of every step of inner run ``run``."""
        generator = seeded_generator(self.seed, 0, run)  # stream 0: inner runs
        params = linear_layers([n_inputs, self.hidden, 10], generator)
        noise = (torch.rand(self.inner.steps, self.inner.batch_size, self.hidden, generator=generator) * 2 - 1)
        return params, noise * self.noise

    def initial_activation_net(self) -> Params:
        generator = seeded_generator(self.seed, 1)  # stream 1: the activation network
        return linear_layers([1, *self.activation_hidden, 1], generator)

    def meta_loss(self, losses: torch.Tensor) -> torch.Tensor:
        return losses[-self.meta_loss_last_steps:].mean()


def metalearn_activation(exp: ActivationExperiment, train, test, grid: torch.Tensor, snapshot_every: int,
                         progress: Callable[[str], None] | None = None):
    """Figure 7: learn the activation network's weights by clipped gradient descent on the
    meta-loss; each outer step trains a freshly initialised MLP. Returns per-step records, the
    activation's values on ``grid`` at snapshots, and the final activation-network weights."""
    x, y = train
    layers = [p.requires_grad_() for p in exp.initial_activation_net()]
    history, snapshots = [], {}
    for outer in range(exp.outer_steps):
        activation = learned_activation(layers, exp.elu_weight)
        if outer % snapshot_every == 0:
            snapshots[outer] = activation_curve(activation, grid)
        params, noise = exp.inner_run(outer, x.shape[1])
        losses, trained = unrolled_rms(params, x, y, exp.inner, activation, noise)
        meta_loss = exp.meta_loss(losses)
        grads = torch.autograd.grad(meta_loss, layers)
        trained = [p.detach() for p in trained]
        record = {"outer_step": outer, "meta_loss": meta_loss.item(), "final_loss": losses[-1].item(),
                  "test_acc": accuracy(trained, *test, activation),
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


def baseline_runs(exp: ActivationExperiment, name: str, train, test,
                  progress: Callable[[str], None] | None = None) -> list[dict]:
    """A fixed activation trained through the same inner loop, with the same initial weights and
    noise as each outer step of the metalearning run."""
    x, y = train
    activation = BASELINE_ACTIVATIONS[name]
    history = []
    with torch.no_grad():
        for run in range(exp.outer_steps):
            params, noise = exp.inner_run(run, x.shape[1])
            losses, trained = unrolled_rms(params, x, y, exp.inner, activation, noise)
            history.append({"outer_step": run, "meta_loss": float(exp.meta_loss(losses)),
                            "final_loss": float(losses[-1]), "test_acc": accuracy(trained, *test, activation)})
            if progress and (run % 50 == 0 or run == exp.outer_steps - 1):
                progress(f"run {run + 1}/{exp.outer_steps}: test accuracy {history[-1]['test_acc']:.1f}")
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
        grad_clip=s["grad_clip"], seed=s["seed"])


def activation_data(data: dict, test_samples: int):
    """Training tensors and the first ``test_samples`` test samples of a dataset, on the CPU."""
    return (as_tensors(data["x"], data["y"], "cpu"),
            as_tensors(data["x_test"][:test_samples], data["y_test"][:test_samples], "cpu"))


def network_from_arrays(arrays: dict) -> Params:
    """The activation network's weights as saved by the metalearning job (layer<i>_weight/bias)."""
    layers = len(arrays) // 2
    return [torch.as_tensor(arrays[f"layer{i}_{kind}"]) for i in range(layers) for kind in ("weight", "bias")]
