"""Verdicts: compare a measured number, with its standard error, with a claim from
config/claims.yaml.

A claim's rule is satisfied by a margin: how far the value lies inside the rule (negative: how
far outside). The verdict is "reproduced" when the margin exceeds two standard errors, "not
reproduced" when it falls short of minus two, and "inconclusive" in between; an inconclusive
verdict says how many seeds (runs) would decide it if the standard error shrinks as 1/sqrt(n).
A value that is not finite (a diverged run) fails its claim; None means the claim did not run.
"""
from __future__ import annotations

import math
from pathlib import Path

import yaml

RULES = ("within", "below", "above")
REPRODUCED, NOT_REPRODUCED, NOT_RUN = "reproduced", "not reproduced", "not run"
INCONCLUSIVE = "inconclusive"
VERDICTS = (REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE, NOT_RUN)
DECISIVE_SE = 2.0  # a margin beyond this many standard errors decides a verdict
MAX_SEEDS = 100  # the most seeds an inconclusive verdict's estimate names ("> 100" beyond)
# A rule changed after its result was seen keeps each earlier form under `history:`.
HISTORY_KEYS = ("changed", "was", "why")


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
        multiple = claim.get("tolerance_from_spread")
        if multiple is not None and (rule != "within" or isinstance(multiple, bool)
                                     or not isinstance(multiple, (int, float)) or not multiple > 0):
            raise ValueError(f"{path}: {section}.{name}.tolerance_from_spread must be a positive number of "
                             "standard deviations, on a 'within' rule")
        history = claim.get("history", [])
        if not isinstance(history, list):
            raise ValueError(f"{path}: {section}.{name}.history must be a list of {HISTORY_KEYS} entries")
        for i, change in enumerate(history):
            missing = [key for key in HISTORY_KEYS if not isinstance(change, dict) or not change.get(key)]
            if missing:
                raise ValueError(f"{path}: {section}.{name}.history[{i}] needs {missing}: when the rule changed, "
                                 "its earlier form and why")
    return claims


def rule_history(path, sections) -> dict:
    """Per claim of the given claims sections whose rule changed after its result was seen, its
    history as one line of text: "until <when>: <earlier rule> (<why>)", oldest last."""
    return {name: "; ".join(f"until {c['changed']}: {c['was']} ({c['why']})" for c in claim["history"])
            for section in sections for name, claim in load_claims(path, section).items() if claim.get("history")}


def claim_field(path, field: str, sections) -> dict:
    """One field of every claim of the given claims sections, by claim name: e.g. ``figure`` (its
    figure or table, a path under the results folder) or ``section`` (its report section)."""
    return {name: claim[field] for section in sections for name, claim in load_claims(path, section).items()}


def binomial_se(accuracy_percent: float, test_samples: int) -> float:
    """The standard error, in points, of one accuracy measured on ``test_samples`` samples."""
    p = min(max(float(accuracy_percent) / 100, 0.0), 1.0)
    return 100 * math.sqrt(p * (1 - p) / test_samples)


def accuracy_se(mean: float, std: float | None, seeds: int, test_samples: int) -> float:
    """The standard error of a mean test accuracy over ``seeds`` runs: the spread over the
    seeds / sqrt(seeds) where there are several, the binomial error of the one run otherwise."""
    if seeds > 1 and std is not None and math.isfinite(std):
        return float(std) / math.sqrt(seeds)
    return binomial_se(mean, test_samples)


def with_tolerance_from_spread(claim: dict, spread: float | None) -> dict:
    """The claim with its band set from a measured spread, for a claim whose ``tolerance_from_spread``
    says how many standard deviations of that spread the band is (the spread of the quantity
    itself, e.g. over draws of the initial weights, not the standard error of our mean). Without
    a usable spread (fewer than two draws ran) the claim keeps its fixed ``tolerance``."""
    multiple = claim.get("tolerance_from_spread")
    if multiple is None or spread is None or not math.isfinite(spread) or spread <= 0:
        return claim
    return {**claim, "tolerance": float(multiple) * float(spread)}


def difference(first: tuple[float, float], second: tuple[float, float]) -> tuple[float, float]:
    """(value, standard error) of first minus second, two independent (value, error) pairs."""
    return first[0] - second[0], math.hypot(first[1], second[1])


def margin(claim: dict, ours: float) -> float:
    """How far ``ours`` lies inside the claim's rule (negative: outside)."""
    rule = claim["rule"]
    if rule == "within":
        return claim["tolerance"] - abs(ours - claim["paper"])
    if rule == "below":
        return claim["threshold"] - ours
    return ours - claim["threshold"]


def seeds_needed(margin_value: float, se: float, n: int) -> int | None:
    """Seeds (runs) whose standard error, shrinking as 1/sqrt(n) from ``se`` at ``n``, would put
    ``margin_value`` beyond DECISIVE_SE standard errors; None if more than MAX_SEEDS."""
    if margin_value == 0 or not math.isfinite(se):
        return None
    needed = math.floor(n * (DECISIVE_SE * se / abs(margin_value)) ** 2) + 1
    return needed if needed <= MAX_SEEDS else None


def judge(claim: dict, ours: float | None, se: float | None = None, n: int | None = None) -> dict:
    """The verdict on a measured value with its standard error ``se`` over ``n`` seeds or runs:
    {"verdict", "margin", "seeds_needed"}. ``seeds_needed`` is set for an inconclusive verdict
    only: the seeds (for one run: the multiple of its test samples) that would decide it, or
    None beyond MAX_SEEDS (or with no margin at all)."""
    if ours is None:
        return {"verdict": NOT_RUN, "margin": None, "seeds_needed": None}
    ours = float(ours)
    if not math.isfinite(ours):
        return {"verdict": NOT_REPRODUCED, "margin": None, "seeds_needed": None}
    inside = margin(claim, ours)
    noise = DECISIVE_SE * (se or 0.0)
    if noise == 0:  # an exact number: the rule alone (a "within" band includes its edges)
        satisfied = inside >= 0 if claim["rule"] == "within" else inside > 0
        return {"verdict": REPRODUCED if satisfied else NOT_REPRODUCED, "margin": inside, "seeds_needed": None}
    if inside > noise:
        return {"verdict": REPRODUCED, "margin": inside, "seeds_needed": None}
    if inside < -noise:
        return {"verdict": NOT_REPRODUCED, "margin": inside, "seeds_needed": None}
    return {"verdict": INCONCLUSIVE, "margin": inside, "seeds_needed": seeds_needed(inside, se, n or 1)}


def verdict(claim: dict, ours: float | None, se: float | None = None, n: int | None = None) -> str:
    """The verdict alone (see ``judge``)."""
    return judge(claim, ours, se, n)["verdict"]


def target_text(claim: dict) -> str:
    """What the verdict compares against, e.g. '59.6 ± 1' or '< 0.25'."""
    unit = claim.get("unit", "")
    unit = f" {unit}" if unit and unit != "%" else unit
    if claim["rule"] == "within":
        return f"{claim['paper']:g} ± {claim['tolerance']:.3g}{unit}"  # a band from a spread has many digits
    sign = "<" if claim["rule"] == "below" else ">"
    return f"{sign} {claim['threshold']:g}{unit}"
