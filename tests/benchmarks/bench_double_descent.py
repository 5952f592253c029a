"""Benchmark: a double-descent job with our loop against a straightforward one, same process.

    python tests/benchmarks/bench_double_descent.py [--epochs 5] [--mlp 36 300] [--cnn 10 100]
    python tests/benchmarks/bench_double_descent.py --figure5 [--epochs 3]

The straightforward loop is what the reference does: a shuffling DataLoader over the training
tensors, SGD with momentum, a per-step `loss.item()`, and a final evaluation, with the CNN's
convolutions as torch's Conv1d layers. Both train the
same model (MLP with two hidden layers, or CNN) from the same seed on 4000 noisy-label samples
for the same number of epochs, each loop in its own process (ours with the allocator setting of
a pipeline job). Prints seconds per epoch and the ratio. With --figure5, every
model of Figure 5's three panels (the config's widths: MLP without and with label noise, CNN),
and the totals extrapolated to the config's 500 epochs.
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import torch
import yaml
from torch.utils.data import DataLoader, TensorDataset

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from mnist1d_repro.generator import GeneratorArgs, make_dataset  # noqa: E402
from mnist1d_repro.jobs import keep_freed_memory  # noqa: E402
from mnist1d_repro.models import build_model  # noqa: E402
from mnist1d_repro.training import TrainConfig, as_tensors, seed_everything, train  # noqa: E402
from mnist1d_repro.variants import label_noise  # noqa: E402


def model_for(kind, width, torch_conv1d=False):
    if kind == "mlp":
        return build_model("mlp", hidden=width, residual=False)
    model = build_model("cnn", channels=width)
    if torch_conv1d:  # what the straightforward loop trains: torch's Conv1d layers
        model.forward = model.reference_forward
    return model


def straightforward(model, x, y, x_test, y_test, epochs):
    loader = DataLoader(TensorDataset(x, y), batch_size=100, shuffle=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    criterion = torch.nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item(), (model(x_test).argmax(1) == y_test).float().mean().item()


def time_loop(loop: str, models: list[tuple[str, int]], epochs: int) -> dict:
    """Seconds per epoch of one loop for each model, in this process. Ours runs as a pipeline job
    does (``keep_freed_memory``, as ``start_job`` sets it); the straightforward loop with the
    allocator's defaults, as a notebook would."""
    if loop == "ours":
        keep_freed_memory()
    torch.set_num_threads(1)
    data = label_noise(make_dataset(GeneratorArgs(num_samples=16000, train_split=0.25)), 0.15, seed=0)
    cpu = torch.device("cpu")
    x, y = as_tensors(data["x"], data["y"], cpu)
    x_test, y_test = as_tensors(data["x_test"], data["y_test"], cpu)

    def run(kind, width, n_epochs):
        seed_everything(0)
        model = model_for(kind, width, torch_conv1d=loop == "plain")
        if loop == "plain":
            straightforward(model, x, y, x_test, y_test, n_epochs)
        else:
            steps = n_epochs * 40  # 4000 samples in batches of 100
            cfg = TrainConfig(steps=steps, lr=0.01, optimizer="sgd", momentum=0.9, eval_every=steps,
                              batch_order="shuffled", shuffle_seed=0)
            train(model, (x, y), {"train": (x, y), "test": (x_test, y_test)}, cfg)

    for kind in ("mlp", "cnn"):  # warm-up: thread pools, allocator, oneDNN's first convolution
        run(kind, 8, 1)
    seconds = {}
    for kind, width in models:
        start = time.perf_counter()
        run(kind, width, epochs)
        seconds[f"{kind}{width}"] = (time.perf_counter() - start) / epochs
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--mlp", type=int, nargs="*", default=[36, 300])
    parser.add_argument("--cnn", type=int, nargs="*", default=[10, 100])
    parser.add_argument("--figure5", action="store_true", help="all of Figure 5's models, with totals")
    parser.add_argument("--loop", choices=["plain", "ours"], help=argparse.SUPPRESS)
    opts = parser.parse_args()
    settings = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["double_descent"]
    if opts.figure5:
        opts.mlp = settings["widths"]["mlp"] * 2  # the clean and the noisy panel train the same widths
        opts.cnn = settings["widths"]["cnn"]
    models = [("mlp", w) for w in opts.mlp] + [("cnn", w) for w in opts.cnn]
    if opts.loop:
        print(json.dumps(time_loop(opts.loop, models, opts.epochs)))
        return
    # Each loop in its own process (so each gets its own allocator settings), twice, in the order
    # plain, ours, ours, plain so that a drift in the machine's speed hits both; the faster of
    # each loop's two runs counts.
    runs = {"plain": [], "ours": []}
    for loop in ("plain", "ours", "ours", "plain"):
        out = subprocess.run([sys.executable, __file__, "--loop", loop, "--epochs", str(opts.epochs),
                              "--mlp", *map(str, opts.mlp), "--cnn", *map(str, opts.cnn)],
                             capture_output=True, text=True, check=True)
        runs[loop].append(json.loads(out.stdout.splitlines()[-1]))
    print(f"{opts.epochs} epochs of 4000 samples, 1 thread, best of 2 runs of each loop")
    print(f"{'model':10s} {'plain s/epoch':>14s} {'ours s/epoch':>13s} {'speed-up':>9s}")
    totals = {"plain": 0.0, "ours": 0.0}
    for index, (kind, width) in enumerate(models):
        name = f"{kind}{width}"
        best = {loop: min(r[name] for r in runs[loop]) for loop in runs}
        print(f"{name:10s} {best['plain']:14.3f} {best['ours']:13.3f} {best['plain'] / best['ours']:8.2f}x")
        for loop in totals:
            totals[loop] += best[loop]
    epochs = settings["epochs"]
    print(f"all {len(models)} models, {epochs} epochs each (extrapolated, training only): "
          f"plain {totals['plain'] * epochs / 60:.1f} min, ours {totals['ours'] * epochs / 60:.1f} min, "
          f"{totals['plain'] / totals['ours']:.2f}x")


if __name__ == "__main__":
    main()
