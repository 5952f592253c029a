"""Benchmark: a training step of each MLP, GRU and (pooling) CNN the pipeline trains, with the models'
hand-written cross-entropy gradients against autograd's, in one portable-numerics process.

    python tests/benchmarks/bench_gradients.py [--steps 1000] [--repeats 5]

Each model trains with the library's `train` loop as its section does (optimiser, batch order,
batch 100, one thread, no evaluations along the way) on random data of the jobs' shape; the two
ways alternate, and each gets the best of --repeats runs. Both must end with the same parameter
bytes (checked). Prints a Markdown table of milliseconds a step and the ratio.
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from mnist1d_repro import numerics  # noqa: E402

os.environ.update(numerics.environment_for("portable"))  # before torch loads: the pins are read then

import torch  # noqa: E402

from mnist1d_repro.jobs import keep_freed_memory  # noqa: E402
from mnist1d_repro.models import build_model  # noqa: E402
from mnist1d_repro.training import TrainConfig, seed_everything, train  # noqa: E402

# (name, model, model options, optimiser, batch order, training samples): as the sections train them
MODELS = [
    ("double-descent MLP, width 12", "mlp", {"hidden": 12, "residual": False}, "sgd", "shuffled", 4000),
    ("double-descent MLP, width 36", "mlp", {"hidden": 36, "residual": False}, "sgd", "shuffled", 4000),
    ("double-descent MLP, width 104", "mlp", {"hidden": 104, "residual": False}, "sgd", "shuffled", 4000),
    ("double-descent MLP, width 300", "mlp", {"hidden": 300, "residual": False}, "sgd", "shuffled", 4000),
    ("Table 1 MLP", "mlp", {}, "adam", "sequential", 4000),
    ("lottery MLP, 500 units", "mlp", {"hidden": 500}, "adam", "sequential", 4000),
    ("Table 1 GRU", "gru", {}, "adam", "sequential", 4000),
    ("Table 1 GRU on MNIST rows", "gru", {"length": 28, "in_channels": 28}, "adam", "sequential", 4000),
    ("Table 1 CNN", "cnn", {}, "adam", "sequential", 4000),
    ("Table 1 CNN on MNIST rows", "cnn", {"length": 28, "in_channels": 28}, "adam", "sequential", 4000),
    ("double-descent CNN, 6 channels", "cnn", {"channels": 6}, "sgd", "shuffled", 4000),
    ("double-descent CNN, 20 channels", "cnn", {"channels": 20}, "sgd", "shuffled", 4000),
    ("double-descent CNN, 60 channels", "cnn", {"channels": 60}, "sgd", "shuffled", 4000),
    ("pooling CNN, no pooling", "pooling_cnn", {"pooling": "none"}, "adam", "sequential", 4000),
    ("pooling CNN, max pooling", "pooling_cnn", {"pooling": "max"}, "adam", "sequential", 4000),
    ("pooling CNN, l2 pooling", "pooling_cnn", {"pooling": "l2"}, "adam", "sequential", 4000),
]
STEPS_SCALE = {"gru": 0.1, "cnn": 0.3, "pooling_cnn": 0.3}  # a GRU step is ~20 times an MLP's, a CNN's ~5 times


def train_once(model_name: str, options: dict, optimizer: str, order: str, samples: int, steps: int,
               hand_written: bool):
    generator = torch.Generator().manual_seed(0)
    shape = (samples, options.get("length", 40)) + ((options["in_channels"],) if "in_channels" in options else ())
    x, y = torch.randn(*shape, generator=generator), torch.randint(0, 10, (samples,), generator=generator)
    seed_everything(0)
    model = build_model(model_name, **options)
    cfg = TrainConfig(steps=steps, batch_size=100, lr=0.01, optimizer=optimizer,
                      momentum=0.9 if optimizer == "sgd" else 0.0, eval_every=steps, batch_order=order)
    started = time.perf_counter()
    train(model, (x, y), {}, cfg, hand_written_gradients=hand_written)
    return time.perf_counter() - started, [p.detach().clone() for p in model.parameters()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    numerics.configure_torch("portable")
    keep_freed_memory()
    print(f"CPU: {numerics.cpu_model()}; ms a training step, best of {args.repeats}; portable numerics, one thread\n")
    print("| model | autograd | hand-written | ratio | same bytes |")
    print("| --- | --- | --- | --- | --- |")
    for name, model_name, options, optimizer, order, samples in MODELS:
        steps = max(1, round(args.steps * STEPS_SCALE.get(model_name, 1.0)))
        best = {True: float("inf"), False: float("inf")}
        params = {}
        for _ in range(args.repeats):
            for hand_written in (False, True):
                seconds, params[hand_written] = train_once(model_name, options, optimizer, order, samples, steps,
                                                           hand_written)
                best[hand_written] = min(best[hand_written], seconds)
        same = all(torch.equal(a, b) for a, b in zip(params[True], params[False]))
        autograd_ms, hand_ms = (1e3 * best[k] / steps for k in (False, True))
        print(f"| {name} | {autograd_ms:.3f} | {hand_ms:.3f} | {autograd_ms / hand_ms:.2f} "
              f"| {'yes' if same else 'NO'} |")


if __name__ == "__main__":
    main()
