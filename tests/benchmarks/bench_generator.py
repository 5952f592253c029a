"""Benchmark: our generator against the authors' mnist1d package, same process, same machine.

    python tests/benchmarks/bench_generator.py [--samples 50000] [--repeats 3]

Prints the best-of-N wall time of each, the speed-up ratio, and checks that the outputs are
identical (max abs difference, labels). Needs the test extra (mnist1d).
"""
import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from mnist1d_repro.generator import GeneratorArgs, make_dataset  # noqa: E402
from timing import best_time  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    opts = parser.parse_args()
    from mnist1d.data import get_dataset_args, make_dataset as reference_make_dataset

    ref_args = get_dataset_args()
    ref_args.num_samples = opts.samples
    ours_args = GeneratorArgs(num_samples=opts.samples)

    t_ref, ref = best_time(lambda: reference_make_dataset(ref_args), opts.repeats)
    t_ours, ours = best_time(lambda: make_dataset(ours_args), opts.repeats)
    diff = max(np.abs(ours[k] - ref[k]).max() for k in ("x", "x_test", "t"))
    same_labels = np.array_equal(ours["y"], ref["y"]) and np.array_equal(ours["y_test"], ref["y_test"])

    print(f"samples: {opts.samples}, best of {opts.repeats}")
    print(f"mnist1d.data.make_dataset: {t_ref:8.3f} s")
    print(f"mnist1d_repro make_dataset: {t_ours:8.3f} s")
    print(f"speed-up: {t_ref / t_ours:.1f}x")
    print(f"max abs difference: {diff:.3g}; labels identical: {same_labels}")
    if diff > 1e-12 or not same_labels:
        sys.exit("outputs differ")


if __name__ == "__main__":
    main()
