"""Benchmark: one outer step of the activation metalearning (Figure 7), ours against the
straightforward way, each in its own subprocess of this run (so each gets its own peak memory).

    python tests/benchmarks/bench_metalearning.py [--outer-steps 2] [--inner-steps 301]
        [--seeding reference|fresh] [--noise-draw shared|per_sample] [--against REVISION]
        [--block-threads N]

--against REVISION also measures ours as a git revision has it (its scripts/ folder, read with
git archive), the ratio against today's code in the same run. --block-threads N also measures
ours with the activation network's blocks on N threads (engine.spread_activation_blocks, as the
metalearning job runs them), its ratio against one thread and whether the meta-gradients are
the same bytes.

The straightforward way is what a notebook writes: the activation network as ordinary tensor
operations, every inner gradient from torch.autograd.grad(create_graph=True), and the outer
gradient by differentiating through all of them (double backward), so autograd keeps every
inner step's 12,800 x 100 intermediates. Ours is the pipeline's `metalearn_activation` path:
hand-written inner gradients (first-order autograd only) and the activation network's value
and slope from one cache-sized pass with a hand-written backward that keeps only the sigmoids
and recomputes the rest. Both start from the same weights and noise (the configured seeding and noise draw:
shared noise also reaches the activation network's hidden layer), at paper size (MLP 40 -> 128
-> 10, batches of 100, activation network 1 -> 100 -> 1). Prints seconds per outer step, peak
resident memory, the ratio, and the largest difference between the two meta-gradients.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, os.environ.get("BENCH_SCRIPTS", str(ROOT / "scripts")))  # another revision's, with --against
from mnist1d_repro.metalearning.activation import experiment_from_settings  # noqa: E402
from mnist1d_repro.metalearning.engine import batch, learned_activation, unrolled_rms  # noqa: E402
from mnist1d_repro.sections.metalearning_activation import NOISE_DRAW, SEEDING  # noqa: E402

SETTINGS = dict(hidden=128, activation_hidden=[100], elu_weight=0.2, noise=0.1, inner_steps=301, batch_size=100,
                inner_lr=0.01, rms_decay=0.4, rms_eps=1e-8, meta_loss_last_steps=200, outer_steps=1, outer_lr=0.3,
                grad_clip=0.1, seed=0, seeding="reference", noise_draw="shared", test_noise="added")


def straightforward_meta_gradient(experiment, layers, x, y, params, noise):
    params = [p.requires_grad_() for p in params]
    w_in, b_in, w_out, b_out = layers
    cfg = experiment.inner
    squares = [torch.ones_like(p) for p in params]
    losses = []
    for step in range(cfg.steps):
        xb, yb = batch(x, y, step, cfg.batch_size)
        z = xb @ params[0] + params[1]
        in_mlp, in_g = noise.at(step)
        hidden = torch.tanh(z.reshape(-1, 1) @ w_in + b_in)
        g = (hidden if in_g is None else hidden + in_g[0]) @ w_out + b_out
        a = F.elu(z) + experiment.elu_weight * g.reshape(z.shape) + in_mlp
        loss = F.cross_entropy(a @ params[2] + params[3], yb)
        grads = torch.autograd.grad(loss, params, create_graph=True)
        squares = [cfg.decay * v + (1 - cfg.decay) * gr * gr for v, gr in zip(squares, grads)]
        params = [p - cfg.lr * gr / (v.sqrt() + cfg.eps) for p, gr, v in zip(params, grads, squares)]
        losses.append(loss)
    return torch.autograd.grad(experiment.meta_loss(torch.stack(losses)), layers)


def ours_meta_gradient(experiment, layers, x, y, params, noise):
    losses, _ = unrolled_rms(params, x, y, experiment.inner, learned_activation(layers, 0.2), noise)
    return torch.autograd.grad(experiment.meta_loss(losses), layers)


def measure(kind: str, outer_steps: int, inner_steps: int, seeding: str, noise_draw: str, threads: int = 1) -> dict:
    torch.set_num_threads(1)
    if threads > 1:
        from mnist1d_repro.metalearning.engine import spread_activation_blocks

        spread_activation_blocks(threads)
    experiment = experiment_from_settings({**SETTINGS, "inner_steps": inner_steps, "seeding": seeding,
                                           "noise_draw": noise_draw})
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(8000, 40, generator=generator)
    y = torch.randint(0, 10, (8000,), generator=generator)
    runs = experiment.inner_runs(x.shape[1], 500)
    layers = [p.requires_grad_() for p in runs.activation_net]
    compute = straightforward_meta_gradient if kind == "straightforward" else ours_meta_gradient
    started = time.perf_counter()
    for run in range(outer_steps):
        grads = compute(experiment, layers, x, y, *runs.run(run))
    seconds = (time.perf_counter() - started) / outer_steps
    return {"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "grads": [g.tolist() for g in grads], "grad_bytes": [g.numpy().tobytes().hex() for g in grads]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--outer-steps", type=int, default=2)
    parser.add_argument("--inner-steps", type=int, default=301)
    parser.add_argument("--seeding", choices=SEEDING.values, default="reference")
    parser.add_argument("--noise-draw", choices=NOISE_DRAW.values, default="shared")
    parser.add_argument("--against", metavar="REVISION", help="also ours as this git revision has it")
    parser.add_argument("--block-threads", type=int, default=1, help="also ours with its blocks on this many threads")
    parser.add_argument("--measure", choices=["straightforward", "ours"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.outer_steps, args.inner_steps, args.seeding, args.noise_draw,
                                 args.block_threads)))
        return
    results = {}
    with tempfile.TemporaryDirectory() as earlier:
        variants = [("straightforward", "straightforward", None, 1), ("ours", "ours", None, 1)]
        threaded = f"ours on {args.block_threads} threads"
        if args.block_threads > 1:
            variants.append((threaded, "ours", None, args.block_threads))
        if args.against:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.against, "scripts"],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", earlier], input=archive, check=True)
            variants.append((f"ours at {args.against}", "ours", str(Path(earlier) / "scripts"), 1))
        for name, kind, scripts, threads in variants:
            env = {**os.environ, **({"BENCH_SCRIPTS": scripts} if scripts else {})}
            out = subprocess.run([sys.executable, __file__, "--measure", kind, "--outer-steps", str(args.outer_steps),
                                  "--inner-steps", str(args.inner_steps), "--seeding", args.seeding,
                                  "--noise-draw", args.noise_draw, "--block-threads", str(threads)],
                                 capture_output=True, text=True, check=True,
                                 env=env)
            results[name] = json.loads(out.stdout)
            print(f"{name:>15}: {results[name]['seconds']:.2f} s per outer step, peak {results[name]['peak_mb']:.0f} MB")
    if args.against:
        earlier = results[f"ours at {args.against}"]
        print(f"ours against {args.against}: {earlier['seconds'] / results['ours']['seconds']:.2f}x as fast")
    if args.block_threads > 1:
        same = results[threaded]["grad_bytes"] == results["ours"]["grad_bytes"]
        print(f"{threaded} against one: {results['ours']['seconds'] / results[threaded]['seconds']:.2f}x as fast; "
              f"meta-gradients {'the same bytes' if same else 'DIFFERENT'}")
    base, ours = results["straightforward"], results["ours"]
    difference = max(float(np.max(np.abs(np.array(a) - np.array(b)) / (np.abs(np.array(a)).max() + 1e-30)))
                     for a, b in zip(base["grads"], ours["grads"]))
    print(f"speed-up {base['seconds'] / ours['seconds']:.2f}x, memory {base['peak_mb'] / ours['peak_mb']:.1f}x less; "
          f"largest meta-gradient difference relative to its tensor's largest entry: {difference:.1e}")


if __name__ == "__main__":
    main()
