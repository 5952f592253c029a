"""Benchmark: a training step of each model family in native numerics, in portable numerics with
every matrix product on MKL's compatible branch, and in portable numerics as the jobs run it
(large products on OpenBLAS: numerics.OpenBLASProducts).

    python tests/benchmarks/bench_numerics.py [--repeats 3]

Native and portable need a process each (the pins are read when the libraries load); within the
portable process the two ways of computing the products alternate, so their ratio is measured in
one process. Each model trains with the library's `train` loop (Adam or SGD as its section does,
batch 100, no evaluations) on random data of the jobs' shape, one thread. Prints a Markdown
table in milliseconds a step, best of --repeats runs.
"""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# (name, model, its options, optimiser, steps a run)
FAMILIES = [
    ("logistic regression", "logistic", {}, "adam", 400),
    ("Table 1 MLP", "mlp", {}, "adam", 400),
    ("Table 1 CNN", "cnn", {}, "adam", 400),
    ("Table 1 GRU", "gru", {}, "adam", 150),
    ("pooling CNN (max)", "pooling_cnn", {"pooling": "max"}, "adam", 400),
    ("double-descent MLP, 36 units", "mlp", {"hidden": 36, "residual": False, "hidden_layers": 1}, "sgd", 400),
    ("double-descent MLP, 512 units", "mlp", {"hidden": 512, "residual": False, "hidden_layers": 1}, "sgd", 400),
    ("lottery MLP, 500 units", "mlp", {"hidden": 500}, "adam", 150),
]

WORKER = """
import json, sys
sys.path.insert(0, {scripts!r}); sys.path.insert(0, {benchmarks!r})
from mnist1d_repro.numerics import apply_mode, configure_torch
apply_mode({mode!r})
import torch
from threadpoolctl import threadpool_limits
configure_torch({mode!r})
torch.set_num_threads(1)
threadpool_limits(1)
from mnist1d_repro import numerics
from mnist1d_repro.models import build_model
from mnist1d_repro.training import TrainConfig, train
from timing import best_time
g = torch.Generator().manual_seed(0)
x, y = torch.randn(4000, 40, generator=g), torch.randint(0, 10, (4000,), generator=g)
routed_threshold = numerics.OPENBLAS_MIN_MEAN_PRODUCT
ways = {{"native": None}} if {mode!r} == "native" else {{"mkl": float("inf"), "portable": routed_threshold}}
results = {{}}
for name, model_name, options, optimizer, steps in {families!r}:
    torch.manual_seed(0)
    model = build_model(model_name, length=40, **options)
    cfg = TrainConfig(steps=steps, batch_size=100, lr=0.01, eval_every=steps, optimizer=optimizer)
    results[name] = {{"size": numerics.mean_product_size(model, x[:100])}}
    for repeat in range({repeats}):
        for way, threshold in ways.items():
            if threshold is not None:
                numerics.OPENBLAS_MIN_MEAN_PRODUCT = threshold
            seconds, _ = best_time(lambda: train(model, (x, y), {{}}, cfg), 1)
            results[name][way] = min(results[name].get(way, 1e9), 1e3 * seconds / steps)
print(json.dumps(results))
"""


def run(mode: str, repeats: int) -> dict:
    code = WORKER.format(scripts=str(ROOT / "scripts"), benchmarks=str(ROOT / "tests" / "benchmarks"), mode=mode,
                         families=FAMILIES, repeats=repeats)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ATEN_", "MKL_", "ONEDNN_"))}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "scripts"))
    from mnist1d_repro.numerics import cpu_model

    native, portable = run("native", args.repeats), run("portable", args.repeats)
    print(f"CPU: {cpu_model()}; ms a training step, best of {args.repeats}; ratios against native\n")
    print("| model (mean multiply-adds a product) | native | portable, every product on MKL's compatible branch "
          "| portable (large products on OpenBLAS) |")
    print("| --- | --- | --- | --- |")
    for name, *_ in FAMILIES:
        base = native[name]["native"]
        mkl, routed = portable[name]["mkl"], portable[name]["portable"]
        print(f"| {name} ({portable[name]['size'] / 1e3:,.0f} thousand) | {base:.3f} | {mkl:.3f} ({mkl / base:.2f}) "
              f"| {routed:.3f} ({routed / base:.2f}) |")


if __name__ == "__main__":
    main()
