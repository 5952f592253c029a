"""Benchmark: a double-descent job with our loop against a straightforward one, same process.

    python tests/benchmarks/bench_double_descent.py [--epochs 5] [--mlp 36 300] [--cnn 10 100]
    python tests/benchmarks/bench_double_descent.py --figure5 [--epochs 3]

The straightforward loop is what the reference does: a shuffling DataLoader over the training
tensors, SGD with momentum, a per-step `loss.item()`, and one evaluation at the end, with the
CNN's convolutions as torch's Conv1d layers. Ours is a pipeline job's loop (with the allocator
setting of a pipeline job), which evaluates the training, test and clean-label training sets
at the start, every tenth of the epochs and at the end. Both train the same model (MLP with two
hidden layers, or CNN) from the same seed on 4000 noisy-label samples, each loop in its own
process. Training and evaluation are timed apart: training is extrapolated from --epochs to
the config's 500, evaluations are counted as often as each loop does them.

Prints seconds per epoch and the ratio for each model. With --figure5, every model of Figure 5's
three panels (the config's widths: MLP without and with label noise, CNN) and the totals, next
to an arithmetic floor: the matrix-product FLOPs of every training step (counted by torch's
FlopCounterMode, the same for both loops) at the rate of a large matrix product on this core.
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import torch
import yaml
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.flop_counter import FlopCounterMode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from mnist1d_repro.double_descent import job_train_config  # noqa: E402
from mnist1d_repro.generator import GeneratorArgs, make_dataset  # noqa: E402
from mnist1d_repro.jobs import keep_freed_memory  # noqa: E402
from mnist1d_repro.models import build_model  # noqa: E402
from mnist1d_repro.training import as_tensors, evaluate, seed_everything, train  # noqa: E402
from mnist1d_repro.variants import label_noise  # noqa: E402
from timing import best_time  # noqa: E402

SETTINGS = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["double_descent"]
TRAIN_SAMPLES = 4000


def model_for(kind, width, torch_conv1d=False):
    if kind == "mlp":
        return build_model("mlp", hidden=width, residual=False)
    model = build_model("cnn", channels=width)
    if torch_conv1d:  # what the straightforward loop trains: torch's Conv1d layers
        model.forward = model.reference_forward
    return model


def straightforward_training(model, x, y, epochs):
    loader = DataLoader(TensorDataset(x, y), batch_size=SETTINGS["batch_size"], shuffle=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=SETTINGS["lr"], momentum=SETTINGS["momentum"])
    criterion = torch.nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())


def straightforward_evaluation(model, x, y, x_test, y_test):
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item(), (model(x_test).argmax(1) == y_test).float().mean().item()


def time_loop(loop: str, models: list[tuple[str, int]], epochs: int) -> dict:
    """Per model, seconds per training epoch and seconds per evaluation of one loop, in this
    process. Ours runs as a pipeline job does (``keep_freed_memory``, as ``start_job`` sets
    it); the straightforward loop with the allocator's defaults, as a notebook would."""
    if loop == "ours":
        keep_freed_memory()
    torch.set_num_threads(1)
    args = GeneratorArgs(num_samples=16000, train_split=0.25)
    data = label_noise(make_dataset(args), 0.15, draw="reference", generator=args.to_dict())
    cpu = torch.device("cpu")
    x, y = as_tensors(data["x"], data["y"], cpu)
    x_test, y_test = as_tensors(data["x_test"], data["y_test"], cpu)
    eval_sets = [(x, y), (x_test, y_test), as_tensors(data["x"], data["y_clean"], cpu)]

    def run(kind, width, n_epochs):
        seed_everything(0)
        model = model_for(kind, width, torch_conv1d=loop == "plain")
        start = time.perf_counter()
        if loop == "plain":
            straightforward_training(model, x, y, n_epochs)
        else:
            train(model, (x, y), {}, job_train_config({**SETTINGS, "epochs": n_epochs}, len(y), seed=0))
        trained = time.perf_counter()
        if loop == "plain":
            straightforward_evaluation(model, x, y, x_test, y_test)
        else:
            for ex, ey in eval_sets:
                evaluate(model, ex, ey)
        return {"train": (trained - start) / n_epochs, "evaluate": time.perf_counter() - trained}

    for kind in ("mlp", "cnn"):  # warm-up: thread pools, allocator, oneDNN's first convolution
        run(kind, 8, 1)
    return {f"{kind}{width}": run(kind, width, epochs) for kind, width in models}


def step_flops(kind: str, width: int) -> int:
    """Matrix-product FLOPs of one training step (forward and backward) on a batch."""
    model = model_for(kind, width)
    x = torch.randn(SETTINGS["batch_size"], 40)
    with FlopCounterMode(display=False) as counter:
        F.cross_entropy(model(x), torch.zeros(len(x), dtype=torch.long)).backward()
    return counter.get_total_flops()


def matmul_flops_per_second(size: int = 2000, repeats: int = 5) -> float:
    """One thread's rate on a large single-precision matrix product, best of ``repeats``."""
    torch.set_num_threads(1)
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    best, _ = best_time(lambda: a @ b, repeats)
    return 2 * size ** 3 / best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--mlp", type=int, nargs="*", default=[36, 300])
    parser.add_argument("--cnn", type=int, nargs="*", default=[10, 100])
    parser.add_argument("--figure5", action="store_true", help="all of Figure 5's models, with totals")
    parser.add_argument("--loop", choices=["plain", "ours"], help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.figure5:
        opts.mlp = SETTINGS["widths"]["mlp"] * 2  # the clean and the noisy panel train the same widths
        opts.cnn = SETTINGS["widths"]["cnn"]
    models = [("mlp", w) for w in opts.mlp] + [("cnn", w) for w in opts.cnn]
    jobs = {model: models.count(model) for model in models}  # a model in two panels is timed once
    if opts.loop:
        print(json.dumps(time_loop(opts.loop, models, opts.epochs)))
        return
    # Each loop in its own process (so each gets its own allocator settings), twice, in the order
    # plain, ours, ours, plain so that a drift in the machine's speed hits both; the faster of
    # each loop's two runs counts.
    rate_before = matmul_flops_per_second()
    runs = {"plain": [], "ours": []}
    for loop in ("plain", "ours", "ours", "plain"):
        out = subprocess.run([sys.executable, __file__, "--loop", loop, "--epochs", str(opts.epochs),
                              "--mlp", *(str(w) for kind, w in jobs if kind == "mlp"),
                              "--cnn", *(str(w) for kind, w in jobs if kind == "cnn")],
                             capture_output=True, text=True, check=True)
        runs[loop].append(json.loads(out.stdout.splitlines()[-1]))
    job = job_train_config(SETTINGS, TRAIN_SAMPLES, seed=0)
    epochs, steps = SETTINGS["epochs"], job.steps
    evaluations = {"plain": 1, "ours": 1 + -(-steps // job.eval_every)}
    rate = max(rate_before, matmul_flops_per_second())  # the core's best, so the floor is a floor
    print(f"{opts.epochs} epochs of {TRAIN_SAMPLES} samples, 1 thread, best of 2 runs of each loop; "
          f"a {epochs}-epoch job evaluates {evaluations['plain']}x (plain) and {evaluations['ours']}x (ours)")
    print(f"{'model':10s} {'jobs':>4s} {'plain s/epoch':>14s} {'ours s/epoch':>13s} {'speed-up':>9s} "
          f"{'floor s/epoch':>14s}")
    totals = {}  # minutes of one core by (model kind, loop or floor)
    for (kind, width), count in jobs.items():
        name = f"{kind}{width}"
        best = {loop: {part: min(r[name][part] for r in runs[loop]) for part in ("train", "evaluate")}
                for loop in runs}
        floor = step_flops(kind, width) * steps / epochs / rate
        print(f"{name:10s} {count:4d} {best['plain']['train']:14.3f} {best['ours']['train']:13.3f} "
              f"{best['plain']['train'] / best['ours']['train']:8.2f}x {floor:14.3f}")
        cost = {"floor": floor * epochs}
        for loop in runs:
            cost[loop] = best[loop]["train"] * epochs
            cost[f"{loop}_job"] = cost[loop] + best[loop]["evaluate"] * evaluations[loop]
        for key, seconds in cost.items():
            for group in (kind, "all"):
                totals[group, key] = totals.get((group, key), 0.0) + count * seconds / 60
    print(f"{len(models)} jobs, {epochs} epochs each (extrapolated), minutes of one core:")
    print(f"{'':6s} {'training: plain':>16s} {'ours':>6s} {'ratio':>6s}   {'with evaluations: plain':>24s} "
          f"{'ours':>6s} {'ratio':>6s}   floor at {rate / 1e9:.0f} GFLOP/s")
    for group in ("mlp", "cnn", "all"):
        t = {key: totals.get((group, key), 0.0) for key in ("plain", "ours", "plain_job", "ours_job", "floor")}
        if t["ours"]:
            print(f"{group:6s} {t['plain']:16.1f} {t['ours']:6.1f} {t['plain'] / t['ours']:5.2f}x   "
                  f"{t['plain_job']:24.1f} {t['ours_job']:6.1f} {t['plain_job'] / t['ours_job']:5.2f}x   "
                  f"{t['floor']:.1f}")


if __name__ == "__main__":
    main()
