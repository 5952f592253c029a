"""Manifests of bytes: the content digests (see digests.py) of a run's results, recorded with
the versions and the CPU they were computed with, and the check of another run against them.

A manifest made in portable numerics on one x86-64 CPU is what every other x86-64 CPU must give
for the same code and library versions; the tests check the quick run against one on every CI
run, whatever machine it lands on."""
from __future__ import annotations

import json
from pathlib import Path

from .digests import compare_digests, result_digests
from .numerics import cpu_model

VERSIONED_PACKAGES = ("torch", "numpy", "scipy", "scikit-learn", "openTSNE")


def package_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions


def make_manifest(results, description: str, cpu_numerics: str, names=None, targets=None) -> dict:
    """The manifest of the computed results under ``results`` (or of the relative paths in
    ``names``): what it is, the mode, the CPU and versions it was recorded with, the digests,
    and (``targets``) the Snakemake targets whose run in a fresh folder made exactly these files."""
    manifest = {"description": description, "cpu_numerics": cpu_numerics, "cpu": cpu_model(),
                "identical_on": [cpu_model()], "versions": package_versions(),
                "files": result_digests(results, names)}
    if targets:
        manifest["targets"] = list(targets)
    return manifest


def write_manifest(manifest: dict, path) -> None:
    Path(path).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def read_manifest(path) -> dict:
    return json.loads(Path(path).read_text())


def identical_on(manifest: dict) -> list:
    """The CPUs known to give a manifest's bytes (a manifest from before the list: its own CPU)."""
    return list(manifest.get("identical_on", [manifest["cpu"]]))


def check_against(results, manifest: dict, every_file: bool = True) -> dict:
    """Compare the results under ``results`` with ``manifest``: the files whose digests differ,
    those the manifest has and the run lacks, and (``every_file``: the manifest covers a whole
    run) those the run has and the manifest lacks; with both CPUs and any version that differs."""
    ours = result_digests(results) if every_file else result_digests(
        results, [name for name in manifest["files"] if (Path(results) / name).exists()])
    outcome = compare_digests(ours, manifest["files"])
    if not every_file:
        outcome["unrecorded"] = []
    versions = package_versions()
    outcome.update(cpu=cpu_model(), recorded_cpu=manifest["cpu"],
                   identical_on=identical_on(manifest),
                   version_changes={name: (manifest["versions"].get(name), versions[name]) for name in versions
                                    if manifest["versions"].get(name) != versions[name]})
    outcome["identical"] = not (outcome["differing"] or outcome["missing"] or outcome["unrecorded"])
    return outcome


def confirm(manifest: dict, outcome: dict) -> dict:
    """The manifest with this CPU added to the CPUs whose run gave its bytes (``identical_on``),
    once ``outcome`` (from check_against on this CPU) says the run was identical. Versions must
    match too: the same bytes from other library versions would not say the same thing."""
    if not outcome["identical"] or outcome["version_changes"]:
        raise ValueError("only an identical run with the recorded versions confirms a manifest:\n" + describe(outcome))
    confirmed = identical_on(manifest)
    if outcome["cpu"] not in confirmed:
        confirmed.append(outcome["cpu"])
    return {**manifest, "identical_on": confirmed}


def describe(outcome: dict, limit: int = 20) -> str:
    """A few lines for a reviewer: the verdict, both CPUs, and the first differing files."""
    lines = [("identical to the manifest" if outcome["identical"] else "NOT identical to the manifest")
             + f" (this CPU: {outcome['cpu']}; recorded on: {outcome['recorded_cpu']})"]
    others = [cpu for cpu in outcome.get("identical_on", []) if cpu != outcome["recorded_cpu"]]
    if others:
        lines.append("also given identically on: " + "; ".join(others))
    for name, (recorded, here) in outcome["version_changes"].items():
        lines.append(f"version of {name}: recorded {recorded}, here {here}")
    for kind in ("differing", "missing", "unrecorded"):
        names = outcome[kind]
        if names:
            lines.append(f"{kind} ({len(names)}): " + ", ".join(names[:limit]) + (" ..." if len(names) > limit else ""))
    return "\n".join(lines)
