"""Benchmark: a training step of each model family as its section's jobs train it, this checkout
against an earlier revision, in portable numerics (the jobs' default).

    python tests/benchmarks/bench_steps.py --against REVISION [--repeats 3] [--steps-scale 1.0]

Each version runs in its own process (the library of REVISION is read with git archive); the two
alternate --repeats times and each model's figure is the best of its runs. Both versions train
every model from the same seed on the same random data with the library's `train` loop (the
section's optimiser and batch order, batch 100, no evaluations, one thread) and must end with the
same parameter bytes (checked: a faster path that rounded otherwise would show here). Prints a
Markdown table of milliseconds a step and the ratio old / new.
"""
import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# (name, model, options, optimiser, batch order, steps a run): the sections' model families
FAMILIES = [
    ("Table 1 logistic regression", "logistic", {}, "adam", "sequential", 600),
    ("Table 1 MLP", "mlp", {}, "adam", "sequential", 600),
    ("Table 1 CNN", "cnn", {}, "adam", "sequential", 300),
    ("Table 1 GRU", "gru", {}, "adam", "sequential", 300),  # over fewer steps a GRU step looked 20-30 % too fast
    ("double-descent MLP, width 12", "mlp", {"hidden": 12, "residual": False}, "sgd", "shuffled", 1000),
    ("double-descent MLP, width 36", "mlp", {"hidden": 36, "residual": False}, "sgd", "shuffled", 1000),
    ("double-descent MLP, width 135", "mlp", {"hidden": 135, "residual": False}, "sgd", "shuffled", 600),
    ("double-descent CNN, width 50", "cnn", {"channels": 50}, "sgd", "shuffled", 300),
    ("pooling CNN (max)", "pooling_cnn", {"pooling": "max"}, "adam", "sequential", 300),
    ("lottery MLP, 500 units", "mlp", {"hidden": 500}, "adam", "sequential", 100),
]

WORKER = """
import hashlib, json, sys, time
sys.path.insert(0, {scripts!r})
from mnist1d_repro import numerics
numerics.apply_mode("portable")
import torch
from threadpoolctl import threadpool_limits
numerics.configure_torch("portable")
torch.set_num_threads(1)
threadpool_limits(1)
from mnist1d_repro.jobs import keep_freed_memory
from mnist1d_repro.models import build_model
from mnist1d_repro.training import TrainConfig, train
keep_freed_memory()
g = torch.Generator().manual_seed(0)
x, y = torch.randn(4000, 40, generator=g), torch.randint(0, 10, (4000,), generator=g)
results = {{}}
warm_up = build_model("mlp")  # the first training of a process pays for loading kernels: not any model's cost
train(warm_up, (x, y), {{}}, TrainConfig(steps=20, batch_size=100))
for name, model_name, options, optimizer, order, steps in {families!r}:
    steps = max(1, round(steps * {scale!r}))
    torch.manual_seed(0)
    model = build_model(model_name, length=40, **options)
    cfg = TrainConfig(steps=steps, batch_size=100, lr=0.01, eval_every=steps, optimizer=optimizer,
                      momentum=0.9 if optimizer == "sgd" else 0.0, batch_order=order)
    started = time.perf_counter()
    train(model, (x, y), {{}}, cfg)
    seconds = time.perf_counter() - started
    digest = hashlib.sha256(b"".join(p.detach().numpy().tobytes() for p in model.parameters())).hexdigest()
    results[name] = {{"ms": 1e3 * seconds / steps, "digest": digest}}
print(json.dumps(results))
"""


def measure(scripts: Path, scale: float) -> dict:
    code = WORKER.format(scripts=str(scripts), families=FAMILIES, scale=scale)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", required=True, metavar="REVISION")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps-scale", type=float, default=1.0, help="multiply every model's steps")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "scripts"))
    from mnist1d_repro.numerics import cpu_model

    with tempfile.TemporaryDirectory() as earlier:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.against, "scripts"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", earlier], input=archive, check=True)
        versions = {args.against: Path(earlier) / "scripts", "this checkout": ROOT / "scripts"}
        runs = {version: [] for version in versions}
        for _ in range(args.repeats):
            for version, scripts in versions.items():
                runs[version].append(measure(scripts, args.steps_scale))
    old, new = runs[args.against], runs["this checkout"]
    print(f"CPU: {cpu_model()}; ms a training step, best of {args.repeats}; portable numerics, one thread\n")
    print(f"| model | {args.against} | this checkout | ratio | same bytes |")
    print("| --- | --- | --- | --- | --- |")
    for name, *_ in FAMILIES:
        before, after = (min(run[name]["ms"] for run in version) for version in (old, new))
        same = {run[name]["digest"] for run in old + new}
        print(f"| {name} | {before:.3f} | {after:.3f} | {before / after:.2f} | {'yes' if len(same) == 1 else 'NO'} |")


if __name__ == "__main__":
    main()
