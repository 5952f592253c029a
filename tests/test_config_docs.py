"""The configuration's documentation keeps up with it: every property of config/schema.yaml has a
description, and config/README.md covers every top-level section of config/config.yaml."""
import re

import yaml

from conftest import ROOT

CONFIG = ROOT / "config"


def schema_properties(node, path=""):
    """(dotted path, schema) of every property the schema declares, at any depth, $defs included.
    Skipped: `if` conditions, which test a value rather than declare a key, and empty schemas
    ({}), which only let through a key that is declared and described beside them."""
    if isinstance(node, list):
        for item in node:
            yield from schema_properties(item, path)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "if":
            continue
        if key == "$defs" and isinstance(value, dict):
            for name, sub in value.items():
                yield from schema_properties(sub, f"$defs.{name}")
        elif key == "properties" and isinstance(value, dict):
            for name, sub in value.items():
                where = f"{path}.{name}" if path else name
                if sub != {}:
                    yield where, sub
                yield from schema_properties(sub, where)
        else:
            yield from schema_properties(value, path)


def test_every_schema_property_has_a_description():
    schema = yaml.safe_load((CONFIG / "schema.yaml").read_text())
    properties = list(schema_properties(schema))
    assert len(properties) > 100  # the walk reaches the nested sections
    missing = [path for path, sub in properties
               if not (isinstance(sub, dict) and str(sub.get("description", "")).strip())]
    assert not missing, f"config/schema.yaml: properties without a description: {missing}"


def documented_keys(markdown: str) -> set[str]:
    """Keys a Markdown text names in a heading (in backticks) or in the first cell of a table row
    (in backticks, or the bare cell)."""
    keys = set()
    for line in markdown.splitlines():
        if line.startswith("#"):
            keys.update(re.findall(r"`([^`]+)`", line))
        elif line.startswith("|"):
            first = line.strip().strip("|").split("|")[0].strip()
            keys.update(re.findall(r"`([^`]+)`", first) or [first])
    return keys


def test_config_readme_names_every_top_level_key():
    config = yaml.safe_load((CONFIG / "config.yaml").read_text())
    documented = documented_keys((CONFIG / "README.md").read_text())
    missing = [key for key in config if key not in documented]
    assert not missing, f"config/README.md has no heading or table entry for {missing}"


def leaves(node, path=""):
    """(dotted path, value) of every value that is not a mapping."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, f"{path}.{key}" if path else str(key))
    else:
        yield path, node


def test_quick_config_is_a_small_override_that_changes_every_key_it_holds():
    from conftest import config_of

    paper = config_of(ROOT, None)
    paper_values = dict(leaves(paper))
    override = yaml.safe_load((CONFIG / "quick.yaml").read_text())
    repeated = [key for key, value in leaves(override) if key in paper_values and paper_values[key] == value]
    assert repeated == [], f"config/quick.yaml repeats values of config/config.yaml: {repeated}"
    unknown = [key for key, _ in leaves(override) if key not in paper_values
               and not any(key.startswith(f"{p}.") for p in paper_values)]
    assert unknown == [], f"config/quick.yaml sets keys that config/config.yaml does not have: {unknown}"
    assert config_of(ROOT)["scale"] == "quick" and len(list(leaves(override))) < len(paper_values) / 2


def test_workflow_catalog_file_describes_the_usage():
    catalog = yaml.safe_load((ROOT / ".snakemake-workflow-catalog.yml").read_text())["usage"]
    assert set(catalog) == {"mandatory-flags", "software-stack-deployment", "report"}
    assert catalog["report"] is True and "--unlock" in catalog["mandatory-flags"]["desc"]
    deployment = catalog["software-stack-deployment"]
    assert deployment["conda"] is True and (ROOT / "envs" / "pipeline.yaml").exists()
    assert "config/quick.yaml" in catalog["mandatory-flags"]["desc"]
