"""Verdicts: compare a measured number, with its standard error, with a claim from
config/claims.yaml.

A claim's rule is satisfied by a margin: how far the value lies inside the rule (negative: how
far outside). Each claim declares the kind of error that could make our number differ from the
paper's (ERROR_KINDS), and the kind decides how the margin is judged:

- exact: a deterministic method on the paper's own frozen data; no sampling error, the rule
  alone decides.
- seeds: the spread over n seeds (or runs); the margin must clear the two-sided 95 % quantile of
  Student's t at n - 1 degrees of freedom times the standard error. One seed gives no spread, so
  it cannot decide (no binomial stand-in).
- paired: two arms on the same seeds or test samples; the error of their paired differences,
  judged like seeds over the n pairs of seeds (with one seed: the per-sample paired error,
  judged with the normal quantile; without it, undecidable).
- population: the sampling error of a large fresh test set, judged with the normal quantile.

"reproduced" when the margin clears that many standard errors, "not reproduced" when it falls
short of minus that many, "inconclusive" in between; an inconclusive verdict says how many seeds
(runs) would decide it if the spread stays what it is. A value that is not finite (a diverged
run) fails its claim; None means the claim did not run.
"""
from __future__ import annotations

import math
from pathlib import Path

import yaml

RULES = ("within", "below", "above")
REPRODUCED, NOT_REPRODUCED, NOT_RUN = "reproduced", "not reproduced", "not run"
INCONCLUSIVE = "inconclusive"
VERDICTS = (REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE, NOT_RUN)
EXACT, SEEDS, PAIRED, POPULATION = "exact", "seeds", "paired", "population"
ERROR_KINDS = (EXACT, SEEDS, PAIRED, POPULATION)
CONFIDENCE = 0.95  # two-sided: a verdict is decided when the margin clears this interval
MAX_SEEDS = 100  # the most seeds an inconclusive verdict's estimate names ("> 100" beyond)
# A rule changed after its result was seen keeps each earlier form under `history:`.
HISTORY_KEYS = ("changed", "was", "why")


def load_claims(path, section: str) -> dict:
    """The claims of one section of ``claims.yaml``, each checked for a usable rule."""
    path = Path(path)
    try:
        claims = (yaml.safe_load(path.read_text()) or {}).get(section)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f", line {mark.line + 1}" if mark else ""
        what = "; ".join(filter(None, (error.context, error.problem)))
        raise ValueError(f"{path}{where}: not valid YAML ({what})") from None
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
        for key in ("paper", "tolerance", "threshold"):
            value = claim.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or not math.isfinite(value)):
                hint = " (text to YAML: write it without quotes, an exponent as in 1.0e-3)" \
                    if isinstance(value, str) and is_number(value) else ""
                raise ValueError(f"{path}: {section}.{name}.{key} must be a finite number, got {value!r}{hint}")
        multiple = claim.get("tolerance_from_spread")
        if multiple is not None and (rule != "within" or isinstance(multiple, bool)
                                     or not isinstance(multiple, (int, float)) or not multiple > 0):
            raise ValueError(f"{path}: {section}.{name}.tolerance_from_spread must be a positive number of "
                             "standard deviations, on a 'within' rule")
        error = claim.get("error")
        if not isinstance(error, dict) or error.get("kind") not in ERROR_KINDS or not error.get("why"):
            raise ValueError(f"{path}: {section}.{name} needs error: {{kind, why}}, kind one of {ERROR_KINDS}: what "
                             "could make our number differ from the paper's, and why")
        history = claim.get("history", [])
        if not isinstance(history, list):
            raise ValueError(f"{path}: {section}.{name}.history must be a list of {HISTORY_KEYS} entries")
        for i, change in enumerate(history):
            missing = [key for key in HISTORY_KEYS if not isinstance(change, dict) or not change.get(key)]
            if missing:
                raise ValueError(f"{path}: {section}.{name}.history[{i}] needs {missing}: when the rule changed, "
                                 "its earlier form and why")
    return claims


def is_number(text: str) -> bool:
    """Whether ``text`` reads as a number (e.g. YAML's text '1e-3')."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def rule_history(path, sections) -> dict:
    """Per claim of the given claims sections whose rule changed after its result was seen, its
    history as one line of text: "until <when>: <earlier rule> (<why>)", oldest last."""
    return {name: "; ".join(f"until {c['changed']}: {c['was']} ({c['why']})" for c in claim["history"])
            for section in sections for name, claim in load_claims(path, section).items() if claim.get("history")}


def claims_by_name(path, sections) -> dict:
    """Every claim of the given claims sections, by claim name."""
    return {name: claim for section in sections for name, claim in load_claims(path, section).items()}


def claim_field(path, field: str, sections) -> dict:
    """One field of every claim of the given claims sections, by claim name: e.g. ``figure`` (its
    figure or table, a path under the results folder) or ``section`` (its report section)."""
    return {name: claim[field] for name, claim in claims_by_name(path, sections).items()}


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


def critical_value(kind: str, n: int | None) -> float | None:
    """How many standard errors a margin must clear to decide a verdict: 0 for an exact number;
    Student's t at n - 1 degrees of freedom over seeds (or paired seeds); the normal quantile for
    a large test set (population, or one seed's per-sample paired error); None where nothing can
    decide (a spread over seeds from one seed)."""
    from scipy.stats import norm, t  # at call time: the workflow imports this module when it is parsed

    quantile = 1 - (1 - CONFIDENCE) / 2
    if kind == EXACT:
        return 0.0
    if kind in (SEEDS, PAIRED) and n is not None and n >= 2:
        return float(t.ppf(quantile, n - 1))
    if kind == SEEDS:
        return None
    return float(norm.ppf(quantile))


def seeds_needed(margin_value: float, se: float, n: int) -> int | None:
    """The fewest seeds (more than ``n``) at which a spread of ``se * sqrt(n)`` would put
    ``margin_value`` beyond Student's t interval; None beyond MAX_SEEDS or with no margin."""
    if margin_value == 0 or not math.isfinite(se) or n < 2:
        return None
    spread = se * math.sqrt(n)
    for seeds in range(n + 1, MAX_SEEDS + 1):
        if critical_value(SEEDS, seeds) * spread / math.sqrt(seeds) < abs(margin_value):
            return seeds
    return None


def samples_needed(margin_value: float, se: float) -> int | None:
    """The multiple of the test samples whose standard error (shrinking as 1/sqrt(samples))
    would put ``margin_value`` beyond the normal interval; None beyond MAX_SEEDS."""
    if margin_value == 0 or not math.isfinite(se):
        return None
    needed = math.floor((critical_value(POPULATION, None) * se / abs(margin_value)) ** 2) + 1
    return needed if needed <= MAX_SEEDS else None


def error_kind(claim: dict) -> str:
    """The claim's error kind (see the module docstring)."""
    return claim["error"]["kind"]


def judge(claim: dict, ours: float | None, se: float | None = None, n: int | None = None) -> dict:
    """The verdict on a measured value with its standard error ``se`` over ``n`` seeds, runs or
    pairs, judged by the claim's error kind: {"verdict", "margin", "critical", "seeds_needed"}.
    ``critical``: the standard errors the margin had to clear (None: undecidable). ``seeds_needed``
    is set for an inconclusive verdict only: the seeds that would decide it (for an error over
    test samples: the multiple of the test samples), None beyond MAX_SEEDS, with no margin, or
    where one seed gives no spread."""
    if ours is None:
        return {"verdict": NOT_RUN, "margin": None, "critical": None, "seeds_needed": None}
    ours = float(ours)
    if not math.isfinite(ours):
        return {"verdict": NOT_REPRODUCED, "margin": None, "critical": None, "seeds_needed": None}
    inside = margin(claim, ours)
    kind = error_kind(claim)
    per_sample = kind in (PAIRED, POPULATION) and (n is None or n < 2)
    if kind == EXACT:
        critical = 0.0
    elif se is None or not math.isfinite(se):
        critical = None  # no estimate of the error: nothing decides
    else:
        critical = critical_value(kind, None if per_sample else n)
    if critical is None:
        return {"verdict": INCONCLUSIVE, "margin": inside, "critical": None, "seeds_needed": None}
    if critical == 0.0 or se == 0:
        satisfied = inside >= 0 if claim["rule"] == "within" else inside > 0  # a "within" band includes its edges
        return {"verdict": REPRODUCED if satisfied else NOT_REPRODUCED, "margin": inside, "critical": 0.0,
                "seeds_needed": None}
    if abs(inside) > critical * se:
        return {"verdict": REPRODUCED if inside > 0 else NOT_REPRODUCED, "margin": inside, "critical": critical,
                "seeds_needed": None}
    needed = samples_needed(inside, se) if per_sample else seeds_needed(inside, se, n)
    return {"verdict": INCONCLUSIVE, "margin": inside, "critical": critical, "seeds_needed": needed}


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
