"""config/deviations.yaml: every known difference between the paper, the reference code and this
pipeline, read and checked against the config, the claims and the sections' runnable switches."""
from __future__ import annotations

from pathlib import Path

import yaml

from .config_checks import ConfigError, dotted_value

DEVIATION_KEYS = ("topic", "section", "paper", "reference", "ours", "why")


def load_deviations(path) -> list[dict]:
    """The list in ``deviations.yaml``; every entry needs every key of DEVIATION_KEYS."""
    path = Path(path)
    entries = yaml.safe_load(path.read_text()) if path.is_file() else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: expected a non-empty list of deviations")
    for number, entry in enumerate(entries, 1):
        missing = [key for key in DEVIATION_KEYS if not str((entry or {}).get(key, "")).strip()]
        missing += [key for key in ("switch", "moves") if key not in (entry or {})]
        if missing:
            raise ValueError(f"{path}: deviation {number} needs {', '.join(missing)}")
        if entry["switch"] is not None and not isinstance(entry["switch"], str):
            raise ValueError(f"{path}: deviation {number} ('{entry['topic']}'): switch must be a dotted config key or null")
        if not isinstance(entry["moves"], list):
            raise ValueError(f"{path}: deviation {number} ('{entry['topic']}'): moves must be a list of claim ids")
    return entries


def check_deviation_links(entries: list[dict], config: dict, claims_by_section: dict, runs_switch: dict,
                          path) -> None:
    """Every switch is a config key and every moved claim exists; every switch that the config's
    ``sensitivity`` section runs is named by a deviation; and a runnable switch moves only
    claims of a section that runs its other settings (any other claim could never show the
    alternative). ``claims_by_section``: claims section -> its claim ids; ``runs_switch``:
    runnable switch -> the claims section that runs it."""
    section_of = {name: section for section, names in claims_by_section.items() for name in names}
    for entry in entries:
        where = f"{path}: deviation '{entry['topic']}'"
        switch = entry["switch"]
        if switch is not None:
            try:
                dotted_value(config, switch)
            except KeyError:
                raise ValueError(f"{where}: switch '{switch}' is not a config key") from None
        unknown = [name for name in entry["moves"] if name not in section_of]
        if unknown:
            raise ValueError(f"{where}: moves unknown claims {unknown} (see config/claims.yaml)")
        if switch in runs_switch:
            never_run = [name for name in entry["moves"] if section_of[name] != runs_switch[switch]]
            if never_run:
                raise ValueError(
                    f"{where}: moves {never_run}, but only section '{runs_switch[switch]}' runs the other settings "
                    f"of {switch}, so their alternative could never run; list only that section's claims in "
                    "moves (and say in 'ours' how the others change)")
    named = {entry["switch"] for entry in entries}
    for switch in config["sensitivity"]:
        if switch not in named:
            raise ValueError(f"config error at 'sensitivity.{switch}': no deviation in {path} names this switch")


def check_deviations_file(path, config: dict, claims_by_section: dict, runs_switch: dict) -> None:
    """The report's deviations table comes from this file; it must exist, be complete and name
    real switches and claims (``check_deviation_links``)."""
    try:
        check_deviation_links(load_deviations(path), config, claims_by_section, runs_switch, path)
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise ConfigError(f"deviations file error: {error}") from None
