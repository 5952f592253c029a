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


def test_training_jobs_import_no_heavy_module_they_do_not_use():
    """A job pays for every import at start-up, hundreds of times a run: pandas, scipy, scikit-learn and matplotlib
    are imported only by the training scripts that use them, not pulled in through the library for the others."""
    import ast
    import subprocess
    import sys

    heavy = {"pandas": "pd.", "scipy": "scipy", "sklearn": "sklearn", "matplotlib": "plt."}
    checks = {}
    for script in sorted((ROOT / "scripts").glob("*.py")):
        text = script.read_text()
        if not any(call in text for call in ("resolve_device(", "runtime_record(", "with_runtime_columns(")):
            continue
        uses = {module for module, marker in heavy.items() if marker in text or f"import {module}" in text}
        imports = [ast.unparse(node) for node in ast.parse(text).body if isinstance(node, (ast.Import, ast.ImportFrom))]
        code = "\n".join([f"import sys; sys.path.insert(0, {str(ROOT / 'scripts')!r})", *imports,
                          f"print(sorted(m for m in {sorted(heavy)!r} if m in sys.modules))"])
        checks[script.name] = (uses, subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True))
    assert len(checks) >= 8
    for name, (uses, process) in checks.items():
        loaded = set(ast.literal_eval(process.communicate()[0].strip()))
        assert loaded <= uses, f"{name} imports {sorted(loaded - uses)} without using it"


def test_a_job_log_records_its_start_up_time():
    """start_job logs how long the process ran before it (interpreter, Snakemake's preamble, imports), read by the
    floor benchmark; here a fresh interpreter that imports torch reports a start-up between 0 and 60 s."""
    import subprocess
    import sys

    code = (f"import sys, time; sys.path.insert(0, {str(ROOT / 'scripts')!r}); import torch; "
            "from mnist1d_repro.jobs import seconds_since_process_start as since; first = since(); time.sleep(0.3); "
            "print(first, since() - first)")
    first, later = map(float, subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                             check=True).stdout.split())
    assert 0 < first < 60 and 0.25 < later < 5
