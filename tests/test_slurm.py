"""The Slurm profile: job grouping in a paper-scale dry run, and the quick pipeline through a
real Slurm cluster (`.ci/slurm-cluster.sh start` brings one up; CI does, and sets
MNIST1D_SLURM_TEST=1 so that a cluster that is not there fails instead of skipping; so does CI=true)."""
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import IN_CI, QUICK, ROOT, copy_workflow, differing_results, prepare_quick_run, run_snakemake

REQUIRED = os.environ.get("MNIST1D_SLURM_TEST") == "1" or IN_CI
ARTIFACTS = ROOT / "test-artifacts"  # measured numbers, kept for the record


def plugin_installed():
    try:
        import snakemake_executor_plugin_slurm  # noqa: F401
    except ImportError:
        return False
    return True


def cluster_answers():
    if shutil.which("sinfo") is None:
        return False
    proc = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    return proc.returncode == 0 and any(state in proc.stdout for state in ("idle", "mix", "alloc"))


needs_plugin = pytest.mark.skipif(not REQUIRED and not plugin_installed(),
                                  reason="snakemake-executor-plugin-slurm not installed (pip install '.[slurm]')")
needs_cluster = pytest.mark.skipif(not REQUIRED and not (plugin_installed() and cluster_answers()),
                                   reason="no Slurm cluster answers (.ci/slurm-cluster.sh start)")


def submissions_in_dry_run(workdir: Path) -> int:
    """sbatch jobs a dry run would submit: one per group job, one per ungrouped job that runs
    something (the target rule `all` does not)."""
    out = run_snakemake(workdir, "--profile", "slurm", "-n").stdout
    groups = sum(1 for line in out.splitlines() if "] Group job " in line)
    singles = sum(1 for line in out.splitlines() if line.startswith("rule ") and line != "rule all:")
    return groups + singles


@needs_plugin
def test_grouping_cuts_paper_scale_submissions(tmp_path):
    grouped = copy_workflow(tmp_path / "grouped")
    ungrouped = copy_workflow(tmp_path / "ungrouped")
    profile = yaml.safe_load((ungrouped / "slurm" / "config.yaml").read_text())
    del profile["groups"], profile["group-components"]
    (ungrouped / "slurm" / "config.yaml").write_text(yaml.safe_dump(profile))
    with_groups, without = submissions_in_dry_run(grouped), submissions_in_dry_run(ungrouped)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "slurm_submissions.txt").write_text(
        f"paper-scale dry run: {without} sbatch submissions without grouping, {with_groups} with\n")
    assert without > 300  # one per job
    assert with_groups * 4 < without


def test_profile_sets_gpus_for_exactly_the_training_rules():
    root = ROOT
    profile = yaml.safe_load((root / "slurm" / "config.yaml").read_text())
    declared = set()  # rules that declare a gpu resource, and rules derived from them
    for path in (root / "rules").glob("*.smk"):
        for block in re.split(r"\n(?=(?:use )?rule )", path.read_text()):
            match = re.match(r"use rule (\w+) as (\w+)|rule (\w+):", block)
            if match and ("gpu=" in block or match.group(1) in declared):
                declared.add(match.group(2) or match.group(3))
    assert declared and set(profile["set-resources"]) == declared
    assert all(set(resources) == {"gpu"} for resources in profile["set-resources"].values())


# One output of every rule the profile sends to a GPU, plus a grouped non-training rule and a
# figure: the quick pipeline's datasets, groups and GPU requests without all of its jobs
# (grouped members run one after another, so the whole quick pipeline takes ~8 minutes here).
SLURM_TARGETS = [
    "classification/original/cnn/seed*/metrics.json",
    "classification/mlp_sweep/*/seed*/metrics.json",
    "double_descent/cnn_noise_15/width*/seed*/metrics.json",
    "pooling/max/n*/seed*/metrics.json",
    "ssl/info_nce/head2/seed*/metrics.json",
    "lottery/chains/paper/magnitude/seed*/levels.csv",
    "lottery/asymptotic/original/lottery/seed*_init*.json",
    "lottery/asymptotic/original/dense/init*.json",
    "metalearning/transfer/learned/seed*.json",
    "metalearning/figure6.png",
]


def slurm_targets(quick_results: Path) -> list:
    """The first file of the local quick run that each pattern matches (paths from the workdir)."""
    targets = []
    for pattern in SLURM_TARGETS:
        matches = sorted(quick_results.glob(pattern))
        assert matches, f"the quick run has no {pattern}"
        targets.append(f"results/{matches[0].relative_to(quick_results)}")
    return targets


@pytest.fixture(scope="module")
def slurm_run(tmp_path_factory, quick_run):
    assert cluster_answers(), "MNIST1D_SLURM_TEST=1 but no Slurm cluster answers to sinfo"
    targets = slurm_targets(quick_run / "results")
    workdir = prepare_quick_run(copy_workflow(tmp_path_factory.mktemp("slurm")))
    # the one-line edit the profile documents for a GPU cluster (the test cluster has one GPU)
    profile = workdir / "slurm" / "config.yaml"
    assert "&training {gpu: 0}" in profile.read_text()
    profile.write_text(profile.read_text().replace("&training {gpu: 0}", "&training {gpu: 1}"))
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    clock = time.perf_counter()
    proc = run_snakemake(workdir, *targets, "--profile", "slurm", *QUICK, "--verbose",
                         "--slurm-init-seconds-before-status-checks", "2")
    wall = time.perf_counter() - clock
    submitted = (proc.stdout + proc.stderr).count("sbatch call:")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "slurm_quick_run.txt").write_text(
        f"{len(targets)} quick-pipeline targets through Slurm: {wall:.0f} s wall, {submitted} sbatch submissions\n")
    return workdir, started, submitted, targets


@needs_cluster
def test_jobs_went_through_sbatch_and_only_training_asked_for_a_gpu(slurm_run):
    workdir, started, submitted, _ = slurm_run
    proc = subprocess.run(["sacct", "-X", "-n", "-P", "-S", started, "-o", "JobID,State,Comment,AllocTRES,WorkDir"],
                          capture_output=True, text=True, check=True)
    ours = [line.split("|") for line in proc.stdout.splitlines() if line.split("|")[-1] == str(workdir)]
    assert submitted >= len(SLURM_TARGETS) and len(ours) == submitted
    assert {state for _, state, _, _, _ in ours} == {"COMPLETED"}
    assert all(comment.startswith("rule_") for _, _, comment, _, _ in ours)
    training = yaml.safe_load((workdir / "slurm" / "config.yaml").read_text())["set-resources"]
    for _, _, comment, tres, _ in ours:
        is_training = any(f"_{rule}" in comment for rule in training)
        assert ("gres/gpu=1" in tres) == is_training, (comment, tres)
    submitted_rules = " ".join(comment for _, _, comment, _, _ in ours)
    assert all(f"_{rule}" in submitted_rules for rule in training)  # the targets reach every GPU rule
    assert any("gres/gpu" not in tres for _, _, _, tres, _ in ours)


@needs_cluster
def test_results_equal_a_local_run(slurm_run, quick_run):
    results = slurm_run[0] / "results"
    assert all((slurm_run[0] / target).exists() for target in slurm_run[3])
    assert differing_results(results, quick_run / "results", partial=True) == []
    # sbatch carried the portable pins into every training job (a job without them refuses to run)
    records = [json.loads(path.read_text())["runtime"] for path in results.rglob("metrics.json")]
    assert records and all(record["cpu_numerics"] == "portable" and record["cpu_capability"] == "AVX2"
                           for record in records)


def test_resources_grow_with_the_attempt():
    from mnist1d_repro.jobs import attempt_scaled

    assert attempt_scaled(2000)(None, 1) == 2000 and attempt_scaled(2000)(None, 2) == 4000
    runtime = attempt_scaled(lambda wc: 60 if wc == "cnn" else 20)
    assert runtime("cnn", 1) == 60 and runtime("mlp", 2) == 40
    profile = yaml.safe_load((ROOT / "slurm" / "config.yaml").read_text())
    assert profile["retries"] >= 1
    heavy = ("train_classifier", "train_double_descent", "train_pooling", "train_ssl", "lottery_chain",
             "lottery_asymptotic_dense", "metalearn_activation", "metalearn_lr", "figure3_tsne", "generate_dataset")
    for path in (ROOT / "rules").glob("*.smk"):
        for block in re.split(r"\n(?=(?:use )?rule )", path.read_text()):
            match = re.match(r"rule (\w+):", block)
            if match and match.group(1) in heavy:
                assert "mem_mb=attempt_scaled(" in block and "runtime=attempt_scaled(" in block, match.group(1)


@needs_cluster
def test_a_job_given_too_little_is_resubmitted_once_with_more(tmp_path):
    """Through the real cluster, with the Slurm profile's retries: a job whose first attempt gets
    too little memory fails (as a job killed for its memory would; the test cluster does not
    enforce memory), and is resubmitted once with the doubled request, which is enough."""
    assert cluster_answers(), "MNIST1D_SLURM_TEST=1 but no Slurm cluster answers to sinfo"
    ours = yaml.safe_load((ROOT / "slurm" / "config.yaml").read_text())
    (tmp_path / "profile").mkdir()
    (tmp_path / "profile" / "config.yaml").write_text(yaml.safe_dump({
        "executor": "slurm", "retries": ours["retries"], "default-resources": ours["default-resources"],
        "jobs": 1, "latency-wait": ours["latency-wait"]}))
    (tmp_path / "Snakefile").write_text(f'''
import sys
sys.path.insert(0, {str(ROOT / "scripts")!r})
from mnist1d_repro.jobs import attempt_scaled

rule needs_1000_mb:
    output: "done.txt"
    resources: mem_mb=attempt_scaled(600), runtime=attempt_scaled(2)
    shell: "test {{resources.mem_mb}} -ge 1000 || {{{{ echo given {{resources.mem_mb}} MB >&2; exit 1; }}}}; echo {{resources.mem_mb}} > {{output}}"
''')
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    proc = subprocess.run([sys.executable, "-m", "snakemake", "--profile", "profile", "--verbose",
                           "--slurm-init-seconds-before-status-checks", "2"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "done.txt").read_text().strip() == "1200"
    calls = [line for line in (proc.stdout + proc.stderr).splitlines() if "sbatch call:" in line]
    assert len(calls) == 2 and re.search(r"--mem[ =]600\b", calls[0]) and re.search(r"--mem[ =]1200\b", calls[1]), calls
    accounting = subprocess.run(["sacct", "-X", "-n", "-P", "-S", started, "-o", "State,ReqMem,WorkDir"],
                                capture_output=True, text=True, check=True).stdout.splitlines()
    states = [line.split("|")[:2] for line in accounting if line.split("|")[-1] == str(tmp_path)]
    assert [state for state, _ in states] == ["FAILED", "COMPLETED"], states
