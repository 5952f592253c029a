"""The numbers behind the review's verdict plot: one row per claim of the review claims table,
placed in that claim's own normalised coordinates so that claims in different units (%, points,
log2 ratios, counts, shares, learning rates) share one axis.

- A ``within`` rule (paper ± tolerance): x = (ours − paper) / tolerance, so the target band is
  −1 … 1 whatever the unit. A band of zero width (an exact count) has no such unit: the row is
  scaled like a threshold rule, with the band a line at 0.
- An ``above`` or ``below`` rule: x = (ours − threshold) / scale with the threshold at 0 and the
  side that satisfies the rule shaded; the scale is max(|ours − threshold|, half-width of the
  interval), so ours sits at ±1 when it is farther from the threshold than its interval is
  wide, and the interval crosses 0 when it is not.

Ours is a diamond without an interval where ``critical`` is 0 (an exact number, or a spread of
exactly 0: the rule alone decides), an open circle where it is None (one seed), a point with its
interval otherwise.

The interval is the one that decided the verdict: ours ± critical × se, with ``critical`` what
``claims.judge`` returns for the claim's error kind (0 for exact: no interval; Student-t at n − 1
degrees of freedom over seeds or paired seeds; the normal quantile per sample or population;
None where nothing decides, e.g. one seed: no interval). The verdict is the table's own.
"""
from __future__ import annotations

import math
import re

import pandas as pd

from .claims import EXACT, INCONCLUSIVE, NOT_REPRODUCED, NOT_RUN, PAIRED, REPRODUCED, SEEDS, error_kind, judge

EXACT_NOTE = "exact: the rule alone"
NO_SPREAD_NOTE = "no spread: the rule alone"
ONE_SEED_NOTE = "undecidable: one seed"
NO_ERROR_NOTE = "undecidable: no error estimate"
NOT_FINITE_NOTE = "not finite"
COLUMNS = ["claim_id", "section", "verdict", "rule", "reference", "scale", "x", "low", "high", "band_low",
           "band_high", "critical", "half_width", "note", "ours_text", "target"]


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def recorded_tolerance(spec: dict, target: str) -> float:
    """A ``within`` claim's tolerance as the row was judged: the spec's, or for a band set from a
    measured spread (``tolerance_from_spread``) the one the row's target text records
    ("0.62 ± 0.0726 learning rate"), the only place the review table keeps it."""
    if spec.get("tolerance_from_spread") is None:
        return float(spec["tolerance"])
    match = re.search(r"±\s*([-+0-9.eE]+)", str(target))
    return float(match.group(1)) if match else float(spec["tolerance"])


def _scale(distance: float, half_width: float) -> float:
    """A threshold row's unit: the larger of ours' distance from the threshold and the interval's
    half-width (1 where both are 0 or ours is not finite)."""
    scale = max(abs(distance) if math.isfinite(distance) else 0.0, half_width)
    return scale if scale > 0 else 1.0


def _ours_text(ours: float | None, half_width: float | None, critical: float | None, note: str) -> str:
    """Ours as the row's text shows it: '64.03 ± 2.7 (4.3 SE)', '40 (exact: the rule alone)'."""
    if ours is None:
        value = "not run"
    elif not math.isfinite(ours):
        value = f"{ours:g} ({NOT_FINITE_NOTE})"
    elif half_width is not None and critical:
        error = f"{half_width:.2g}" if half_width < 100 else f"{half_width:.0f}"
        value = f"{ours:.4g} ± {error} ({critical:.3g} SE)"
    else:
        value = f"{ours:.4g} ({note})"
    return value


def verdict_plot_row(row, spec: dict) -> dict:
    """One claims-table row (``claim_id``, ``report section``, ``ours``, ``se``, ``n``, ``target``,
    ``verdict``) with its spec from config/claims.yaml, in its own coordinates (module docstring):
    ``x`` (ours; ±inf if not finite, NaN if not run), ``low``/``high`` (the interval's ends; NaN where
    there is none), ``band_low``/``band_high`` (the target: −1/1 for a band, 0/inf above, −inf/0
    below), ``reference`` and ``scale`` (x = (ours − reference) / scale), ``critical`` and
    ``half_width`` (critical × se, in the claim's unit), ``note`` (why a row has no interval),
    ``ours_text`` (ours ± half-width, with the critical value) and ``target`` (the table's)."""
    rule, target = spec["rule"], row["target"]
    ours, se, n = _number(row["ours"]), _number(row.get("se")), _number(row.get("n"))
    n = None if n is None else int(n)
    claim = {**spec, "tolerance": recorded_tolerance(spec, target)} if rule == "within" else spec
    critical = judge(claim, ours, se, n)["critical"] if ours is not None else None
    half_width = None if critical is None or se is None else critical * se
    kind = error_kind(spec)
    if ours is None:
        note = NOT_RUN
    elif not math.isfinite(ours):
        note = NOT_FINITE_NOTE
    elif critical == 0:
        note = EXACT_NOTE if kind == EXACT else NO_SPREAD_NOTE
    elif critical is None:
        note = ONE_SEED_NOTE if kind in (SEEDS, PAIRED) and (n is None or n < 2) else NO_ERROR_NOTE
    else:
        note = ""
    if rule == "within":
        reference, band = float(spec["paper"]), (-1.0, 1.0)
        scale = claim["tolerance"]
        if not scale > 0:
            distance = math.nan if ours is None else ours - reference
            scale, band = _scale(distance, half_width or 0.0), (0.0, 0.0)
    else:
        reference = float(spec["threshold"])
        distance = math.nan if ours is None else ours - reference
        scale = _scale(distance, half_width or 0.0)
        band = (0.0, math.inf) if rule == "above" else (-math.inf, 0.0)
    x = math.nan if ours is None else (ours - reference) / scale
    has_interval = bool(critical) and half_width is not None and ours is not None and math.isfinite(ours)
    low, high = ((x - half_width / scale, x + half_width / scale) if has_interval else (math.nan, math.nan))
    return {"claim_id": row["claim_id"], "section": row["report section"], "verdict": row["verdict"], "rule": rule,
            "reference": reference, "scale": scale, "x": x, "low": low, "high": high, "band_low": band[0],
            "band_high": band[1], "critical": critical, "half_width": half_width, "note": note,
            "ours_text": _ours_text(ours, half_width, critical, note), "target": target}


def verdict_plot_rows(claims: pd.DataFrame, specs: dict) -> pd.DataFrame:
    """Every row of a review claims table (results/review/claims.csv) in its plot coordinates,
    in the table's order; ``specs``: every claim of config/claims.yaml by id."""
    rows = [verdict_plot_row(row, specs[row["claim_id"]]) for _, row in claims.iterrows()]
    return pd.DataFrame(rows, columns=COLUMNS)


def verdict_summary(verdicts: pd.Series) -> str:
    """'12 of 49 claims reproduced, 3 not reproduced, 30 inconclusive, 4 not run.'"""
    counts = verdicts.value_counts()
    return (f"{counts.get(REPRODUCED, 0)} of {len(verdicts)} claims reproduced, {counts.get(NOT_REPRODUCED, 0)} not "
            f"reproduced, {counts.get(INCONCLUSIVE, 0)} inconclusive, {counts.get(NOT_RUN, 0)} not run.")
