"""Verdicts: compare a measured number with a claim from config/claims.yaml."""
from __future__ import annotations

import math
from pathlib import Path

import yaml

RULES = ("within", "below", "above")
# The top-level sections of claims.yaml, in the order the review lists them.
SECTIONS = ("dataset", "classification", "lottery", "double_descent", "metalearning_lr",
            "metalearning_activation", "pooling", "ssl")
REPRODUCED, NOT_REPRODUCED, NOT_RUN = "reproduced", "not reproduced", "not run"


def load_claims(path, section: str) -> dict:
    """The claims of one section of ``claims.yaml``, each checked for a usable rule."""
    path = Path(path)
    claims = (yaml.safe_load(path.read_text()) or {}).get(section)
    if not claims:
        raise ValueError(f"{path}: no claims under '{section}'")
    for name, claim in claims.items():
        rule = claim.get("rule")
        if rule not in RULES:
            raise ValueError(f"{path}: {section}.{name}.rule must be one of {RULES}, got {rule!r}")
        needed = ("paper", "tolerance") if rule == "within" else ("threshold",)
        for key in needed + ("claim", "why", "section", "figure"):
            if claim.get(key) is None:
                raise ValueError(f"{path}: {section}.{name} needs '{key}'" + (f" for rule '{rule}'" if key in needed else ""))
    return claims


def claim_field(path, field: str) -> dict:
    """One field of every claim of every section, by claim name: e.g. ``figure`` (its figure or
    table, a path under the results folder) or ``section`` (its report section)."""
    return {name: claim[field] for section in SECTIONS for name, claim in load_claims(path, section).items()}


def verdict(claim: dict, ours: float | None) -> str:
    """The computed verdict for a measured value (``None`` or NaN: not run)."""
    if ours is None or (isinstance(ours, float) and math.isnan(ours)):
        return NOT_RUN
    rule = claim["rule"]
    if rule == "within":
        ok = abs(ours - claim["paper"]) <= claim["tolerance"]
    elif rule == "below":
        ok = ours < claim["threshold"]
    else:
        ok = ours > claim["threshold"]
    return REPRODUCED if ok else NOT_REPRODUCED


def target_text(claim: dict) -> str:
    """What the verdict compares against, e.g. '59.6 ± 1' or '< 0.25'."""
    unit = claim.get("unit", "")
    unit = f" {unit}" if unit and unit != "%" else unit
    if claim["rule"] == "within":
        return f"{claim['paper']:g} ± {claim['tolerance']:g}{unit}"
    sign = "<" if claim["rule"] == "below" else ">"
    return f"{sign} {claim['threshold']:g}{unit}"
