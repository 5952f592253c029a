"""The sections registry is the one place the paper's sections and their switches are written, and
the library it sits in stays cheap to import and free of import cycles."""
import ast
import re
import subprocess
import sys

import pytest
import yaml

from mnist1d_repro import registry
from mnist1d_repro.config_checks import schema_with_switch_values

from conftest import ROOT

LIBRARY = ROOT / "scripts" / "mnist1d_repro"


def library_imports() -> dict[str, set[str]]:
    """Module -> the library modules it imports (at any depth of its code, deferred imports too)."""
    modules = {}
    for path in LIBRARY.rglob("*.py"):
        parts = path.relative_to(LIBRARY.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = package
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                module = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
                targets |= {module} | {f"{module}.{alias.name}" for alias in node.names}
            elif isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
        graph[name] = {target for target in targets if target in modules and target != name}
    return graph


def import_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path of modules, or None."""
    state = {}

    def visit(node, path):
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state:
                found = visit(target, path + [target])
                if found:
                    return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [node])
            if found:
                return found
    return None


def test_the_library_has_no_import_cycle():
    assert import_cycle(library_imports()) is None, " -> ".join(import_cycle(library_imports()))


def test_the_cycle_finder_finds_the_old_config_checks_review_cycle():
    # config_checks imported review (inside a function) and review imported config_checks
    graph = {"config_checks": {"review", "claims"}, "review": {"config_checks"}, "claims": set()}
    assert import_cycle(graph) == ["config_checks", "review", "config_checks"]
    assert import_cycle({"a": {"b"}, "b": set()}) is None


def test_the_registry_is_cheap_to_import():
    """The workflow imports the registry when it is parsed (in every Slurm job too)."""
    heavy = ("pandas", "torch", "matplotlib", "scipy", "sklearn", "openTSNE")
    code = f"import sys; import mnist1d_repro.registry; print([m for m in {heavy!r} if m in sys.modules])"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT / "scripts", capture_output=True, text=True,
                          check=True)
    assert proc.stdout.strip() == "[]"


def test_the_claims_file_has_exactly_the_registry_sections():
    sections = list(yaml.safe_load((ROOT / "config" / "claims.yaml").read_text()))
    assert sorted(sections) == sorted(registry.CLAIM_SECTIONS)


def test_one_rules_file_per_results_folder_in_report_order():
    included = re.findall(r'^include: "rules/(\w+)\.smk"', (ROOT / "Snakefile").read_text(), re.M)
    folders = list(dict.fromkeys(section.folder for section in registry.SECTIONS))
    assert included == ["common"] + folders + ["review"]
    for folder in folders:
        rules = (ROOT / "rules" / f"{folder}.smk").read_text()
        assert f'include: "paths/{folder}.smk"' in rules or not (ROOT / "rules" / "paths" / f"{folder}.smk").exists()


def test_section_files_and_categories_follow_the_registry():
    files = registry.section_files("results", "claims_tables")
    assert files[:2] == ["results/dataset/pixel_baselines.csv", "results/dataset/tsne_claims.csv"]
    assert "results/metalearning/activation_claims.csv" in files
    categories = registry.folder_categories()
    assert list(categories)[0] == "data" and list(categories)[-1] == "review"
    assert categories["metalearning"] == registry.section("metalearning_lr").category
    with pytest.raises(KeyError, match="no paper section named 'figure10'"):
        registry.section("figure10")


def test_every_runnable_switch_is_a_config_key_with_its_settings_declared_once():
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    schema_text = yaml.safe_load((ROOT / "config" / "schema.yaml").read_text())
    schema = schema_with_switch_values(schema_text, registry.SWITCHES)
    for key, switch in registry.SWITCHES.items():
        value = config
        for part in key.split("."):
            value = value[part]
        if switch.values is not None:  # None: the schema checks the settings (e.g. a key of a named variant)
            node = schema
            for part in key.split("."):
                node = node["properties"][part]
            assert value in switch.values, key
            assert node["enum"] == list(switch.values)
        assert registry.switch_section(key).switches.count(switch) == 1


def test_a_switch_whose_settings_the_schema_repeats_is_refused():
    schema = {"properties": {"lottery": {"properties": {"score_weights": {"enum": ["final"]}}}}}
    with pytest.raises(ValueError, match="'lottery.score_weights' lists its settings"):
        schema_with_switch_values(schema, {"lottery.score_weights": registry.SWITCHES["lottery.score_weights"]})


def test_a_claims_section_that_no_paper_section_declares_is_refused(tmp_path):
    from mnist1d_repro.config_checks import ConfigError, check_claims_file

    claims = yaml.safe_load((ROOT / "config" / "claims.yaml").read_text())
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump({**claims, "figure10": claims["pooling"]}))
    with pytest.raises(ConfigError, match=r"\['figure10'\] are not paper sections"):
        check_claims_file(path, registry.CLAIM_SECTIONS)
    check_claims_file(ROOT / "config" / "claims.yaml", registry.CLAIM_SECTIONS)
