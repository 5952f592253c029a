"""Figure 7 (section 5.4): metalearning an activation function, the fixed activations trained
through the same inner loop, and the learned activation as a module for the transfer ablation.

Seeding. ``ReferenceRuns`` repeats the reference notebook's draws from torch's global generator,
in the same order, from an explicitly seeded ``torch.Generator`` (tested); ``FreshRuns`` gives
every inner run its own generator.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch.nn import functional as F

from ..sections.metalearning_activation import NOISE_DRAW, SEEDING, TEST_NOISE
from ..training import as_tensors
from .engine import (BASELINE_ACTIVATIONS, Params, RMSConfig, RunNoise, accuracy_percent, correct_samples,
                     frozen_activation_net, learned_activation, linear_layers, seeded_generator, torch_linear_layers,
                     unrolled_rms)


FRESH_TEST_CHUNK = 500  # fresh test samples scored at a time (the reference's test set's size)


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
        for name, allowed in (("seeding", SEEDING.values), ("noise_draw", NOISE_DRAW.values),
                              ("test_noise", TEST_NOISE.values)):
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

    def fresh_test_noise(self, noise: RunNoise, run: int, n_samples: int):
        """The noise of inner run ``run``'s evaluation on the fresh test set (``n_samples``): the
        frozen test's (shared: the same (1, H) vector, so both test sets see the same noisy
        network), none where the test adds none, and with per-sample noise a draw of its own
        (config seed, stream 2, run), so that no other draw moves. The reference's seeding gives
        every inner run the same noise, so there every run draws run 0's: the learned activation's
        outer steps and a baseline's one run are scored through the same noise, as on the frozen test."""
        if self.test_noise == "none":
            return None, None
        if self.noise_draw == "per_sample":
            stream_run = 0 if self.seeding == "reference" else run
            generator = seeded_generator(self.seed, 2, stream_run)  # stream 2: the fresh test set's noise
            return uniform_noise((n_samples, self.hidden), self.noise, generator), None
        return noise.test()

    def fresh_test_correct(self, params: Params, fresh_test, activation: Callable, noise: RunNoise,
                           run: int) -> torch.Tensor:
        """Which samples of the fresh test set ``(x, y)`` inner run ``run``'s trained network
        classifies correctly, FRESH_TEST_CHUNK samples at a time: the learned activation's blocked
        pass keeps a buffer per block of a call, 1.5 GB for 10,000 samples at once (the same
        bytes either way, tested)."""
        x, y = fresh_test
        hidden, in_g = self.fresh_test_noise(noise, run, len(y))
        chunks = []
        for start in range(0, len(y), FRESH_TEST_CHUNK):
            rows = slice(start, start + FRESH_TEST_CHUNK)
            chunk_hidden = hidden[rows] if hidden is not None and len(hidden) > 1 else hidden
            chunks.append(correct_samples(params, x[rows], y[rows], activation, chunk_hidden, in_g))
        return torch.cat(chunks)


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


@dataclass(frozen=True)
class FreshTest:
    """A large fresh test set ``(x, y)`` and how many of the last runs are scored on it."""
    data: tuple
    last_runs: int

    def scores(self, run: int, runs: int) -> bool:
        return run >= runs - self.last_runs

    def arrays(self, correct: list, runs: int) -> dict:
        """``correct`` (one bool row per scored run) as a job saves it beside the frozen test's rows."""
        first = runs - len(correct)
        return {"fresh_outer_step": np.arange(first, runs),
                "fresh_correct": torch.stack(correct).numpy() if correct else np.zeros((0, len(self.data[1])), bool)}


def metalearn_activation(exp: ActivationExperiment, train, test, grid: torch.Tensor, snapshot_every: int,
                         progress: Callable[[str], None] | None = None, fresh_test: FreshTest | None = None):
    """Figure 7: learn the activation network's weights by clipped gradient descent on the
    meta-loss; each outer step trains an MLP from the initial weights and with the noise that
    the seeding setting gives. Returns per-step records, the activation's values on ``grid`` at
    snapshots, the final activation-network weights, which test samples each outer step's
    network classifies correctly (outer steps x samples, bool), and (with ``fresh_test``) the
    same for the fresh test set over its last outer steps (``FreshTest.arrays``; else empty)."""
    x, y = train
    runs = exp.inner_runs(x.shape[1], len(test[1]), learned=True)
    layers = [p.requires_grad_() for p in runs.activation_net]
    history, snapshots, correct, fresh_correct = [], {}, [], []
    for outer in range(exp.outer_steps):
        activation = learned_activation(layers, exp.elu_weight)
        if outer % snapshot_every == 0:
            snapshots[outer] = activation_curve(activation, grid)
        params, noise = runs.run(outer)
        losses, trained = unrolled_rms(params, x, y, exp.inner, activation, noise)
        meta_loss = exp.meta_loss(losses)
        grads = torch.autograd.grad(meta_loss, layers)
        trained = [p.detach() for p in trained]
        correct.append(correct_samples(trained, *test, activation, *noise.test()))
        if fresh_test is not None and fresh_test.scores(outer, exp.outer_steps):
            fresh_correct.append(exp.fresh_test_correct(trained, fresh_test.data, activation, noise, outer))
        record = {"outer_step": outer, "meta_loss": meta_loss.item(), "final_loss": losses[-1].item(),
                  "test_acc": accuracy_percent(correct[-1]),
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
    fresh = fresh_test.arrays(fresh_correct, exp.outer_steps) if fresh_test is not None else {}
    return history, snapshots, final, torch.stack(correct).numpy(), fresh


def baseline_run_count(exp: ActivationExperiment) -> int:
    """Reference seeding: one run per baseline, as the reference; fresh: one per outer step."""
    return 1 if exp.seeding == "reference" else exp.outer_steps


def baseline_runs(exp: ActivationExperiment, name: str, train, test,
                  progress: Callable[[str], None] | None = None,
                  fresh_test: FreshTest | None = None) -> tuple[list[dict], np.ndarray, dict]:
    """A fixed activation trained through the same inner loop: with fresh seeding once per outer
    step, with that step's initial weights and noise; with the reference's seeding once. Returns
    per-run records, which test samples each run classifies correctly (runs x samples, bool),
    and (with ``fresh_test``) the same for the fresh test set over its last runs (else empty)."""
    x, y = train
    activation = BASELINE_ACTIVATIONS[name]
    runs = exp.inner_runs(x.shape[1], len(test[1]), learned=False)
    count = baseline_run_count(exp)
    history, correct, fresh_correct = [], [], []
    with torch.no_grad():
        for run in range(count):
            params, noise = runs.run(run)
            losses, trained = unrolled_rms(params, x, y, exp.inner, activation, noise)
            correct.append(correct_samples(trained, *test, activation, *noise.test()))
            if fresh_test is not None and fresh_test.scores(run, count):
                fresh_correct.append(exp.fresh_test_correct(trained, fresh_test.data, activation, noise, run))
            history.append({"outer_step": run, "meta_loss": float(exp.meta_loss(losses)),
                            "final_loss": float(losses[-1]), "test_acc": accuracy_percent(correct[-1])})
            if progress and (run % 50 == 0 or run == count - 1):
                progress(f"run {run + 1}/{count}: test accuracy {history[-1]['test_acc']:.1f}")
    fresh = fresh_test.arrays(fresh_correct, count) if fresh_test is not None else {}
    return history, torch.stack(correct).numpy(), fresh


def activation_curve(activation: Callable, grid: torch.Tensor) -> np.ndarray:
    with torch.no_grad():
        return activation(grid)[0].numpy().copy()


# --- the transfer ablation: activations as modules ------------------------------------------------

class LearnedActivation(torch.nn.Module):
    """A learned activation with frozen weights, usable in any model (the transfer ablation),
    computed as the metalearning job computed it while learning it (``frozen_activation_net``)."""

    def __init__(self, layers: Params, elu_weight: float):
        super().__init__()
        self.layers = torch.nn.ParameterList([torch.nn.Parameter(p.detach().clone(), requires_grad=False)
                                              for p in layers])
        self.elu_weight = elu_weight

    def forward(self, z):
        return F.elu(z) + self.elu_weight * frozen_activation_net(z, list(self.layers))


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


def curve_grid(s: dict) -> torch.Tensor:
    """Where the activation's shape is sampled (and its extrema counted): ``curve_points`` evenly
    spaced points over ``curve_range`` of the config's ``metalearning.activation`` section."""
    return torch.linspace(*s["curve_range"], s["curve_points"])


def activation_data(data: dict, test_samples: int):
    """Training tensors and the first ``test_samples`` test samples of a dataset, on the CPU."""
    return (as_tensors(data["x"], data["y"], "cpu"),
            as_tensors(data["x_test"][:test_samples], data["y_test"][:test_samples], "cpu"))


def fresh_test_set(data: dict, last_runs: int) -> FreshTest:
    """Every test sample of the fresh test set's dataset, scored over the last ``last_runs`` runs."""
    return FreshTest(as_tensors(data["x_test"], data["y_test"], "cpu"), last_runs)


def network_from_arrays(arrays: dict) -> Params:
    """The activation network's weights as saved by the metalearning job (layer<i>_weight/bias)."""
    layers = len(arrays) // 2
    return [torch.as_tensor(arrays[f"layer{i}_{kind}"]) for i in range(layers) for kind in ("weight", "bias")]


def final_curve(network: dict, elu_weight: float, curve_range, curve_points: int) -> np.ndarray:
    """The final learned activation (``network``: the job's activation_net.npz arrays) sampled
    at ``curve_points`` evenly spaced points over ``curve_range``, as the job samples its snapshots."""
    grid = torch.linspace(*curve_range, curve_points)
    return activation_curve(learned_activation(network_from_arrays(network), elu_weight), grid)
