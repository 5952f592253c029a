"""Where two CPUs' numbers part: a trace of every torch operation in a few training steps of
each model family, with a digest of each operation's outputs.

The manifests say *that* a job's bytes differ between two CPUs; a trace says *which operation*
made them differ. Record one trace on each CPU (same library versions, same numerics mode) and
compare them: the workloads are deterministic, so the traces agree call by call until the first
operation whose inputs agree and whose output does not, the CPU-dependent one (its name, shapes
and strides are in the trace). Everything after it differs as a consequence.
"""
from __future__ import annotations

import hashlib

import numpy as np

# (name, model, its options, optimiser, batch size): the model families of the manifest's jobs,
# at their paper-scale batch sizes
WORKLOADS = [
    ("logistic", "logistic", {}, "adam", 100),
    ("mlp", "mlp", {}, "adam", 100),
    ("cnn", "cnn", {}, "adam", 100),
    ("gru", "gru", {}, "adam", 100),
    ("pooling_max", "pooling_cnn", {"pooling": "max"}, "adam", 100),
    ("double_descent_mlp", "mlp", {"hidden": 36, "residual": False, "hidden_layers": 1}, "sgd", 100),
]
TRAINING_STEPS = 2
EVALUATION_SAMPLES = 1000


def _digest(tensor) -> str:
    array = np.ascontiguousarray(tensor.detach().cpu().numpy())
    return hashlib.sha256(f"{array.dtype.str}{array.shape}".encode() + array.tobytes()).hexdigest()[:16]


def _tensors(value):
    import torch

    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _tensors(item)]
    return []


def trace_workload(model_name: str, options: dict, optimizer: str, batch_size: int) -> list[dict]:
    """Every operation of TRAINING_STEPS training steps and one evaluation of one model, on
    inputs drawn from NumPy's seeded legacy generator: op, the shape and strides of each tensor
    input, and each output's shape and digest (an input is the data or an earlier output, so the
    first output that differs between two traces had the same inputs in both)."""
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode

    from .models import build_model
    from .training import TrainConfig, train

    rng = np.random.RandomState(0)
    x = torch.from_numpy(rng.standard_normal((batch_size * TRAINING_STEPS, 40)).astype(np.float32))
    y = torch.from_numpy(rng.randint(0, 10, batch_size * TRAINING_STEPS))
    x_eval = torch.from_numpy(rng.standard_normal((EVALUATION_SAMPLES, 40)).astype(np.float32))
    y_eval = torch.from_numpy(rng.randint(0, 10, EVALUATION_SAMPLES))
    calls = []

    class Tracer(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            inputs = _tensors(list(args) + list((kwargs or {}).values()))
            described = [[list(t.shape), list(t.stride())] for t in inputs]  # lists, as JSON reads them back
            out = func(*args, **(kwargs or {}))
            uninitialised = "empty" in str(func)  # memory as found: no digest
            calls.append({"op": str(func), "inputs": described,
                          "outputs": [[list(t.shape), None if uninitialised else _digest(t)] for t in _tensors(out)]})
            return out

    torch.manual_seed(0)
    model = build_model(model_name, length=40, **options)
    cfg = TrainConfig(steps=TRAINING_STEPS, batch_size=batch_size, optimizer=optimizer, lr=0.01,
                      momentum=0.9 if optimizer == "sgd" else 0.0, eval_every=TRAINING_STEPS)
    with Tracer():
        train(model, (x, y), {"test": (x_eval, y_eval)}, cfg)
    return calls


def trace_all(only=None) -> dict[str, list[dict]]:
    """The trace of every workload, or of those named in ``only``."""
    return {name: trace_workload(model, options, optimizer, batch)
            for name, model, options, optimizer, batch in WORKLOADS if only is None or name in only}


def first_divergence(ours: list[dict], theirs: list[dict]) -> dict | None:
    """The first call whose outputs differ (every earlier output, so its inputs, agreed), with its
    index; None when the traces agree throughout. Traces whose calls themselves differ (other
    code or versions) are reported as such."""
    for index, (a, b) in enumerate(zip(ours, theirs)):
        if a["op"] != b["op"] or a["inputs"] != b["inputs"]:
            return {"index": index, "kind": "the calls differ before any output did (other code or versions)",
                    "ours": a, "theirs": b}
        if a["outputs"] != b["outputs"]:
            return {"index": index, "kind": "same inputs, other output", "ours": a, "theirs": b}
    if len(ours) != len(theirs):
        return {"index": min(len(ours), len(theirs)), "kind": "one trace is longer", "ours": None, "theirs": None}
    return None
