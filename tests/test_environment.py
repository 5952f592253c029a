"""The conda environment used by `--use-conda` pins exactly what pyproject.toml pins."""
import re
import tomllib

import yaml

from conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)$")


def pins(lines):
    found = {}
    for line in lines:
        match = PIN.match(line.strip())
        assert match, f"not an exact pin: {line!r}"
        found[match.group(1).lower()] = match.group(2)
    return found


def test_conda_env_parses_and_agrees_with_pyproject():
    env = yaml.safe_load((ROOT / "envs" / "pipeline.yaml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    in_env = pins(pip_section)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    in_project = pins(project["dependencies"])
    in_project.pop("snakemake")  # runs the workflow; rules' jobs do not need it
    assert in_env == in_project
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert project["requires-python"] == ">=" + python.split("=")[1]


def test_every_rule_uses_the_pinned_environment():
    for rules_file in (ROOT / "rules").glob("*.smk"):
        text = rules_file.read_text()
        assert text.count("\nrule ") == text.count('"../envs/pipeline.yaml"'), rules_file.name


def test_every_training_script_loads_torch_before_its_job_starts():
    """start_job sets the thread count and CUDA's determinism for torch only if torch is loaded
    by then, so a training script imports it (or a library module that does) first."""
    torch_modules = ("import torch", "mnist1d_repro.training", "mnist1d_repro.ssl", "mnist1d_repro.models",
                     "mnist1d_repro.metalearning", "mnist1d_repro.lottery")
    for script in (ROOT / "scripts").glob("*.py"):
        text = script.read_text()
        if any(call in text for call in ("resolve_device(", "runtime_record(", "with_runtime_columns(")):
            before = text[:text.index("start_job(snakemake)")]
            assert any(module in before for module in torch_modules), script.name
