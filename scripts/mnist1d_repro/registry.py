"""The paper's sections in report order, collected from ``mnist1d_repro.sections``: the one place
the list of sections, their folders and categories, and the runnable deviation switches with
their settings are written. The workflow (rule all, report categories, the review's inputs), the
claims engine and the config checks all derive theirs from here."""
from __future__ import annotations

from .sections import (
    classification,
    dataset,
    double_descent,
    lottery,
    metalearning_activation,
    metalearning_lr,
    pooling,
    ssl,
)
from .sections.spec import Section, Switch

SECTIONS: tuple[Section, ...] = tuple(
    module.SECTION
    for module in (
        dataset,
        classification,
        lottery,
        double_descent,
        metalearning_lr,
        metalearning_activation,
        ssl,
        pooling,
    )
)
# The sections of config/claims.yaml, in the order the review lists them.
CLAIM_SECTIONS: tuple[str, ...] = tuple(section.name for section in SECTIONS)
# Every switch whose other settings some section knows how to run, by its dotted key.
SWITCHES: dict[str, Switch] = {switch.key: switch for section in SECTIONS for switch in section.switches}
# Benchmark folders that hold no section's jobs, and the cost table's name for each.
SHARED_FOLDERS = {"data": "datasets and variants (every section)", "review": "review (this summary)"}


def section(name: str) -> Section:
    """The section of that name (a claims section of config/claims.yaml)."""
    for candidate in SECTIONS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no paper section named {name!r}; sections: {', '.join(CLAIM_SECTIONS)}")


def folder_categories() -> dict[str, str]:
    """Report category of each folder under results/benchmarks (the cost table sums per
    section): the datasets' folder, every section's folder in report order, the review's."""
    folders = {"data": SHARED_FOLDERS["data"]}
    folders.update({s.folder: s.category for s in SECTIONS})
    folders["review"] = SHARED_FOLDERS["review"]
    return folders


def section_files(results: str, kind: str) -> list[str]:
    """Every section's files of one kind ("outputs", "claims_tables", "sensitivity_tables")
    under the results folder, in report order."""
    return [f"{results}/{s.folder}/{name}" for s in SECTIONS for name in getattr(s, kind)]



def switch_section(key: str) -> Section:
    """The section that runs a switch's other settings."""
    return next(s for s in SECTIONS if any(switch.key == key for switch in s.switches))
