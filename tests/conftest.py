import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

COPIED = ["Snakefile", "rules", "scripts", "config", "report", "envs", "profiles"]


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


def run_snakemake(workdir: Path, *args, check=True, timeout=1800):
    proc = subprocess.run([sys.executable, "-m", "snakemake", *args], cwd=workdir,
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def workflow_copy(tmp_path_factory):
    return copy_workflow(tmp_path_factory.mktemp("workflow"))


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
