"""Runs against the committed manifests of bytes, made in portable numerics on another (or the
same) x86-64 CPU: the quick run on every CI run, whatever machine it lands on, and a set of
paper-scale jobs on request (`python -m pytest -m manifest`, about 10 minutes on 2 cores)."""
import os

import pytest
from conftest import ROOT, copy_workflow, run_snakemake

from mnist1d_repro.manifest import check_against, describe, read_manifest

QUICK_MANIFEST = ROOT / "manifests" / "portable-quick.json"
PAPER_JOBS_MANIFEST = ROOT / "manifests" / "portable-paper-jobs.json"
RECORD_QUICK = ("snakemake --cores 2 --configfile config/quick.yaml && python scripts/numerics_manifest.py record "
                "results manifests/portable-quick.json --description '...'")


def test_quick_run_gives_the_manifests_bytes(quick_run):
    """The quick run's computed results (not its logs, timings or the machine's record) equal the
    manifest's digests file by file. Other tests add runs to the same folder, so only the
    manifest's files are compared; a file it names that the run lacks fails too."""
    manifest = read_manifest(QUICK_MANIFEST)
    assert manifest["cpu_numerics"] == "portable"
    outcome = check_against(quick_run / "results", manifest, every_file=False)
    assert outcome["identical"], (
        describe(outcome) + "\nIf a commit changed these numbers on purpose, record the manifest again from a fresh "
        f"quick run and say so in the commit: {RECORD_QUICK}")


def test_paper_jobs_manifest_covers_every_model_family():
    """The paper-scale manifest's jobs: Table 1's four models, two double-descent widths (MLP and
    CNN), a pooling run, an SSL run, a Figure 6 run, a short lottery chain and variants."""
    manifest = read_manifest(PAPER_JOBS_MANIFEST)
    assert manifest["cpu_numerics"] == "portable"
    files = set(manifest["files"])
    for model in ("logistic", "mlp", "cnn", "gru"):
        assert f"classification/original/{model}/seed42/metrics.json" in files
    for prefix in ("double_descent/mlp_noise_15/", "double_descent/cnn_noise_15/", "pooling/", "ssl/",
                   "metalearning/learning_rate/", "lottery/chains/", "data/mnist1d/shuffled.npz",
                   "data/mnist1d_dd/label_noise_15.npz"):
        assert any(name.startswith(prefix) for name in files), prefix


@pytest.mark.manifest
def test_paper_scale_jobs_give_the_manifests_bytes(tmp_path):
    manifest = read_manifest(PAPER_JOBS_MANIFEST)
    workdir = copy_workflow(tmp_path / "workflow")
    run_snakemake(workdir, "--cores", str(min(os.cpu_count() or 1, 8)), *manifest["targets"], timeout=3600)
    outcome = check_against(workdir / "results", manifest, every_file=True)
    assert outcome["identical"], describe(outcome)


@pytest.mark.manifest
def test_operation_trace_matches_the_recorded_cpus(tmp_path):
    """Where a manifest's bytes differ, the operation that made them differ: this CPU's trace of
    each model family against the one recorded with the manifests (scripts/numerics_trace.py)."""
    import subprocess
    import sys

    trace = tmp_path / "trace.json.gz"
    script = str(ROOT / "scripts" / "numerics_trace.py")
    subprocess.run([sys.executable, script, "record", str(trace)], check=True, capture_output=True)
    comparison = subprocess.run([sys.executable, script, "compare", str(trace),
                                 str(ROOT / "manifests" / "portable-ops-trace.json.gz")],
                                check=True, capture_output=True, text=True).stdout
    per_model = comparison.splitlines()[2:]  # after the two CPUs' lines
    assert per_model and all(line.endswith("identical throughout") for line in per_model), comparison
