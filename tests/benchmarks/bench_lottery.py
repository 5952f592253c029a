"""Benchmark: lottery-ticket retraining with our loop against a straightforward one, same process.

    python tests/benchmarks/bench_lottery.py [--sparsity 0.92] [--chain-steps 1501] [--long-steps 1000]

The straightforward loop is what a notebook writes: a DataLoader over the training tensors,
torch's default Adam (a Python loop over parameters on the CPU), the mask applied after every
step with one boolean multiply per parameter, a per-step `loss.item()`, and train and test
accuracy every 100 steps read back batch by batch. Ours: the pipeline's `train_masked`, as the
chain and asymptotic jobs call it (a chain evaluates only at its start and end, because the
figure uses only the final numbers; evaluation never changes training). Both retrain the
paper's MLP (hidden 500) from the same initial weights under the same mask, and must end with
the same parameters up to float rounding. Prints seconds per retrain, the ratio and the
largest parameter difference.
"""
import argparse
import sys
from pathlib import Path

import torch
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from mnist1d_repro import lottery  # noqa: E402
from mnist1d_repro.generator import make_dataset  # noqa: E402
from mnist1d_repro.models import build_model  # noqa: E402
from mnist1d_repro.training import TrainConfig, as_tensors, seed_everything  # noqa: E402
from timing import timed  # noqa: E402


def straightforward(model, initial, masks, x, y, x_test, y_test, steps, batch_size):
    lottery.rewind(model, initial, masks)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    criterion = torch.nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=False)
    losses, step = [], 0

    def accuracy(xs, ys):
        correct = 0
        with torch.no_grad():
            for xb, yb in DataLoader(TensorDataset(xs, ys), batch_size=batch_size):
                correct += (model(xb).argmax(1) == yb).sum().item()
        return 100 * correct / len(xs)

    while step < steps:
        for xb, yb in loader:
            loss = criterion(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                for name, p in model.named_parameters():
                    p.mul_(masks[name])
            losses.append(loss.item())
            step += 1
            if step % 100 == 0 or step == steps:
                accuracy(x, y), accuracy(x_test, y_test)
            if step == steps:
                break


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sparsity", type=float, default=0.92)
    parser.add_argument("--chain-steps", type=int, default=1501)
    parser.add_argument("--long-steps", type=int, default=1000, help="asymptotic run: steps timed (of 6000)")
    parser.add_argument("--threads", type=int, default=1)
    opts = parser.parse_args()
    torch.set_num_threads(opts.threads)
    data = make_dataset()
    x, y = as_tensors(data["x"], data["y"], "cpu")
    x_test, y_test = as_tensors(data["x_test"], data["y_test"], "cpu")
    seed_everything(42)
    model = build_model("mlp", hidden=500)
    initial = {name: p.detach().clone() for name, p in model.named_parameters()}
    masks = lottery.layer_masks(lottery.random_scores(model, torch.Generator().manual_seed(0)),
                                lottery.prunable_layers(model), opts.sparsity)
    eval_sets = {"train": (x, y), "test": (x_test, y_test)}
    print(f"MLP hidden 500, {100 * opts.sparsity:.0f} % sparse, {opts.threads} thread(s)")
    print(f"{'run':34s} {'straightforward s':>18s} {'ours s':>8s} {'speed-up':>9s} {'max |diff|':>11s}")
    for label, steps, batch_size, eval_every in (
            (f"chain retrain ({opts.chain_steps} steps, batch 100)", opts.chain_steps, 100, opts.chain_steps),
            (f"asymptotic ({opts.long_steps} steps, batch 500)", opts.long_steps, 500, 100)):
        plain = timed(lambda: straightforward(model, initial, masks, x, y, x_test, y_test, steps, batch_size))
        plain_params = [p.detach().clone() for p in model.parameters()]
        cfg = TrainConfig(steps=steps, batch_size=batch_size, lr=0.02, eval_every=eval_every)
        ours = timed(lambda: lottery.train_masked(model, initial, masks, (x, y), eval_sets, cfg))
        diff = max(float((a - b.detach()).abs().max()) for a, b in zip(plain_params, model.parameters()))
        print(f"{label:34s} {plain:18.2f} {ours:8.2f} {plain / ours:8.2f}x {diff:11.2e}")


if __name__ == "__main__":
    main()
