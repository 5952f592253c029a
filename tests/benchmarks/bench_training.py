"""Benchmark: per-step cost of our training loop against a plain PyTorch loop, same process.

    python tests/benchmarks/bench_training.py [--steps 600] [--threads 1] [--models ...]

Both loops train the same model from the same seed on the frozen dataset with Adam (lr 0.01,
batch 100, in order) and evaluate train and test accuracy every 250 steps. The plain loop is
what a notebook would write: a DataLoader over in-memory tensors, a per-step `loss.item()`
for logging, and accuracy read back per batch. Prints ms per step and the ratio.
"""
import argparse
import sys
from pathlib import Path

import torch
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from mnist1d_repro.generator import make_dataset  # noqa: E402
from mnist1d_repro.models import build_model  # noqa: E402
from mnist1d_repro.training import TrainConfig, as_tensors, seed_everything, train  # noqa: E402
from timing import timed  # noqa: E402

EVAL_EVERY = 250


def plain_loop(model, x, y, x_test, y_test, steps):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    criterion = torch.nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(x, y), batch_size=100, shuffle=False)
    losses, step = [], 0

    def accuracy(xs, ys):
        correct = 0
        with torch.no_grad():
            for xb, yb in DataLoader(TensorDataset(xs, ys), batch_size=100):
                correct += (model(xb).argmax(1) == yb).sum().item()
        return 100 * correct / len(xs)

    while step < steps:
        for xb, yb in loader:
            loss = criterion(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            step += 1
            if step % EVAL_EVERY == 0 or step == steps:
                accuracy(x, y), accuracy(x_test, y_test)
            if step == steps:
                break


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--models", nargs="+", default=["logistic", "mlp", "cnn", "gru"])
    opts = parser.parse_args()
    torch.set_num_threads(opts.threads)
    data = make_dataset()
    cpu = torch.device("cpu")
    x, y = as_tensors(data["x"], data["y"], cpu)
    x_test, y_test = as_tensors(data["x_test"], data["y_test"], cpu)
    cfg = TrainConfig(steps=opts.steps, eval_every=EVAL_EVERY)

    print(f"{opts.steps} steps, {opts.threads} thread(s), evaluation every {EVAL_EVERY} steps")
    print(f"{'model':10s} {'plain ms/step':>14s} {'ours ms/step':>13s} {'speed-up':>9s}")
    for name in opts.models:
        seed_everything(42)
        plain = timed(lambda: plain_loop(build_model(name), x, y, x_test, y_test, opts.steps))
        seed_everything(42)
        ours = timed(lambda: train(build_model(name), (x, y), {"train": (x, y), "test": (x_test, y_test)}, cfg))
        print(f"{name:10s} {1e3 * plain / opts.steps:14.3f} {1e3 * ours / opts.steps:13.3f} "
              f"{plain / ours:8.2f}x")


if __name__ == "__main__":
    main()
