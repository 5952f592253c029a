"""Section 5.2: deep double descent (Figure 5, the label-noise and loss ablations)."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..generator import NUM_CLASSES
from .spec import ClaimValues, Measurement, Section, Switch, mean_over_runs, sensitivity_arguments

if TYPE_CHECKING:
    import pandas as pd

MLP_HIDDEN_LAYERS = Switch("double_descent.mlp_hidden_layers", (1, 2), reruns_jobs=True)
ERROR_STORAGES = ("float", "whole_percent")
ERROR_STORAGE = Switch("double_descent.error_storage", ERROR_STORAGES, reruns_jobs=False)
# Which training labels the 15 % noise redraws (the variant's draw, config/variants): another draw reruns
# the series a claim reads on that variant. Its settings are checked by the variant's schema.
NOISY_VARIANT = "label_noise_15"
LABEL_NOISE_DRAW = Switch(f"variants.{NOISY_VARIANT}.draw", None, reruns_jobs=True)

SECTION = Section(
    name="double_descent",
    folder="double_descent",
    category="5.2 Deep double descent",
    outputs=("summary.html", "figure5.png", "noise_ablation.png", "loss_ablation.png"),
    claims_tables=("claims.csv",),
    sensitivity_tables=("sensitivity.csv",),
    switches=(MLP_HIDDEN_LAYERS, ERROR_STORAGE, LABEL_NOISE_DRAW),
)


# --- reading one curve --------------------------------------------------------------------------------


def interpolation_threshold(widths, train_error, tolerance: float):
    """The smallest width whose training error is at most ``tolerance`` (None if none is)."""
    for width, error in zip(widths, train_error):
        if error <= tolerance:
            return width
    return None


def test_error_peak(widths, test_error) -> dict:
    """The largest rise of the test error above the best error at any smaller width.

    A curve that only falls has height <= 0 and no peak (``width`` None). ``fall`` is how
    much lower the widest model's error is than the peak's.
    """
    errors = np.asarray(test_error, dtype=float)
    best_before = np.minimum.accumulate(errors)
    rises = np.r_[0.0, errors[1:] - best_before[:-1]]
    i = int(np.argmax(rises))
    if rises[i] <= 0:
        return {"width": None, "error": None, "height": 0.0, "fall": 0.0}
    return {"width": widths[i], "error": float(errors[i]), "height": float(rises[i]),
            "fall": float(errors[i] - errors[-1])}


# --- Figure 5's tables ----------------------------------------------------------------------------


def series_curves(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per series and width: the mean over seeds of the final errors, their spread and
    the parameter count (``runs``: one row per job, as the jobs' metrics.json files)."""
    return (runs.groupby(["series", "width"], sort=False)
            .agg(parameters=("parameters", "first"), train_error=("train_error", "mean"),
                 test_error=("test_error", "mean"), test_error_std=("test_error", "std"),
                 seeds=("seed", "count")).reset_index())


STATISTICS = ("threshold_width", "threshold_parameters", "peak_width", "peak_parameters", "peak_test_error",
              "peak_height", "fall_after_peak")


def curve_statistics(widths, parameters, train_error, test_error, tolerance: float) -> dict:
    """What the claims read from one curve (ordered by width): its interpolation threshold, its
    test-error peak (``test_error_peak``) and the parameter counts at both."""
    params = dict(zip(widths, parameters))
    threshold = interpolation_threshold(widths, train_error, tolerance)
    peak = test_error_peak(widths, test_error)
    return {"threshold_width": threshold, "threshold_parameters": params.get(threshold),
            "peak_width": peak["width"], "peak_parameters": params.get(peak["width"]),
            "peak_test_error": peak["error"], "peak_height": peak["height"], "fall_after_peak": peak["fall"]}


def series_summary(curves: pd.DataFrame, series: dict, tolerance: float) -> pd.DataFrame:
    """One row per series (indexed by its name), read from its mean curve over seeds (the curve
    Figure 5 draws): interpolation threshold, test-error peak, the widest width's and the best
    test error, and the parameter counts at threshold and peak."""
    import pandas as pd

    rows = []
    for name, curve in curves.groupby("series", sort=False):
        curve = curve.sort_values("width")
        rows.append({
            "series": name, **series[name], "seeds": int(curve["seeds"].min()),
            **curve_statistics(curve["width"].tolist(), curve["parameters"], curve["train_error"],
                               curve["test_error"], tolerance),
            "widest_test_error": float(curve["test_error"].iloc[-1]),
            "min_test_error": float(curve["test_error"].min()),
        })
    return pd.DataFrame(rows).set_index("series", drop=False)


def series_tables(runs: pd.DataFrame, settings: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(``series_curves``, ``series_summary``) of the runs, with the section's interpolation tolerance."""
    curves = series_curves(runs)
    return curves, series_summary(curves, settings["series"], settings["interpolation_train_error"])


def seed_statistics(runs: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """One row per series and seed: ``curve_statistics`` of that seed's own curve. The claims are
    judged over these rows, so that a peak's height and position are found within each seed and
    the spread over seeds carries the choice of the peak's width."""
    import pandas as pd

    rows = []
    for (name, seed), curve in runs.groupby(["series", "seed"], sort=False):
        curve = curve.sort_values("width")
        rows.append({"series": name, "seed": int(seed), **settings["series"][name],
                     **curve_statistics(curve["width"].tolist(), curve["parameters"], curve["train_error"],
                                        curve["test_error"], settings["interpolation_train_error"])})
    return pd.DataFrame(rows, columns=["series", "seed", "model", "variant", "loss", *STATISTICS])


# --- the claims -------------------------------------------------------------------------------------


def series_seeds(settings: dict) -> dict:
    """The seeds each series runs: ``seeds`` for every series a claim is read from (Figure 5's and
    the loss ablation's), ``ablation_seeds`` for the others."""
    claimed = set(settings["figure5"]) | set(settings["loss_ablation"])
    return {name: settings["seeds"] if name in claimed else settings["ablation_seeds"] for name in settings["series"]}


def claim_series(settings: dict) -> dict:
    """The series each double-descent claim is read from (None: no such series configured)."""
    clean_mlp, noisy_mlp, noisy_cnn = settings["figure5"]
    losses = {settings["series"][s]["loss"]: s for s in settings["loss_ablation"]}
    return {
        "noisy_mlp_peak_height": noisy_mlp, "noisy_mlp_peak_width": noisy_mlp,
        "noisy_mlp_peak_at_threshold": noisy_mlp, "noisy_mlp_falls_after_peak": noisy_mlp,
        "clean_mlp_no_peak": clean_mlp,
        "noisy_cnn_peak_height": noisy_cnn, "noisy_cnn_falls_after_peak": noisy_cnn,
        "mse_peak_near_nK": losses.get("mse"), "cross_entropy_peak_near_n": losses.get("cross_entropy"),
    }


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _log2_ratio(a, b) -> float:
    """log2(a / b); inf where either is missing (no peak, no interpolating width), which fails
    any 'within' rule."""
    if _missing(a) or _missing(b):
        return math.inf
    return float(np.log2(float(a) / float(b)))


def seed_claim_values(row, n_train: int) -> dict:
    """Every double-descent claim's number on one seed's curve (``row``: a ``seed_statistics``
    row), by the column it is read from; a height or fall is 0 without a peak, a position is
    inf (it fails its claim)."""
    peak_width = math.inf if _missing(row["peak_width"]) else float(row["peak_width"])
    return {
        "peak_height": float(row["peak_height"]),
        "fall_after_peak": float(row["fall_after_peak"]),
        "peak_width": peak_width,
        "peak_at_threshold": _log2_ratio(row["peak_width"], row["threshold_width"]),
        "peak_near_nK": _log2_ratio(row["peak_parameters"], n_train * NUM_CLASSES),
        "peak_near_n": _log2_ratio(row["peak_parameters"], n_train),
    }


CLAIM_NUMBERS = {  # claim: the number of seed_claim_values it reads
    "noisy_mlp_peak_height": "peak_height", "noisy_mlp_peak_width": "peak_width",
    "noisy_mlp_peak_at_threshold": "peak_at_threshold", "noisy_mlp_falls_after_peak": "fall_after_peak",
    "clean_mlp_no_peak": "peak_height", "noisy_cnn_peak_height": "peak_height",
    "noisy_cnn_falls_after_peak": "fall_after_peak", "mse_peak_near_nK": "peak_near_nK",
    "cross_entropy_peak_near_n": "peak_near_n",
}


def over_seeds(values) -> Measurement:
    """The mean of one number per seed with its spread over the seeds (``mean_over_runs``); a
    number that is not finite on any seed (a seed without a peak, where a position is claimed)
    makes the claim's value inf, which fails it."""
    values = list(values)
    if not all(math.isfinite(v) for v in values):
        return Measurement(math.inf, n=len(values))
    return mean_over_runs(values)


def claim_measurements(seed_stats: pd.DataFrame, settings: dict, n_train: int) -> ClaimValues:
    """Every double-descent claim's number: the mean over seeds of that number on each seed's own
    curve (``seed_statistics``), with the spread over the seeds. One seed gives no spread, so a
    claim over one seed cannot be decided."""
    of = claim_series(settings)
    values = ClaimValues()
    for claim, number in CLAIM_NUMBERS.items():
        rows = seed_stats[seed_stats["series"] == of[claim]] if of[claim] is not None else seed_stats.iloc[:0]
        if rows.empty:
            values.add(claim, Measurement(None))
            continue
        values.add(claim, over_seeds(seed_claim_values(row, n_train)[number] for _, row in rows.iterrows()))
    return values


# --- the reference's whole-percent errors -------------------------------------------------------------

def whole_percent_errors(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs with every final training and test error cut to a whole percent, as the reference
    keeps them: it assigns each error into ``np.zeros_like`` of an integer array, which drops the
    fraction (54.05 % is kept as 54)."""
    out = runs.copy()
    for column in ("train_error", "test_error"):
        out[column] = np.trunc(out[column].astype(float))
    return out


def stored_errors(runs: pd.DataFrame, storage: str) -> pd.DataFrame:
    """The runs with their final errors as ``storage`` (``double_descent.error_storage``) keeps
    them: ``float`` as measured, ``whole_percent`` cut as the reference cuts them."""
    if storage not in ERROR_STORAGES:
        raise ValueError(f"unknown error storage {storage!r}; known: {', '.join(ERROR_STORAGES)}")
    return whole_percent_errors(runs) if storage == "whole_percent" else runs


def error_storage_sensitivity(runs: pd.DataFrame, settings: dict, n_train: int,
                              storages=ERROR_STORAGES) -> dict:
    """``reporting.sensitivity_table``'s arguments for how the final errors are kept under each of
    ``storages``: ``float`` (ours) and ``whole_percent`` (the reference's truncation), every claim
    read from each seed's own curve as ``claim_measurements`` reads it, from the runs as measured
    (``runs``). Truncation
    moves a near-tie between widths (a peak's position), a peak's height and fall, and which
    width first counts as interpolating (a training error of 0.9 % becomes 0)."""
    by_storage = {storage: claim_measurements(seed_statistics(stored_errors(runs, storage), settings), settings,
                                              n_train)
                  for storage in storages}
    return sensitivity_arguments(by_storage)


# --- the deviation switch: the MLP's depth -----------------------------------------------------------


def sensitivity_series(settings: dict) -> list[str]:
    """The series an alternative MLP depth reruns: Figure 5's MLP panels."""
    return [name for name in settings["figure5"] if settings["series"][name]["model"] == "mlp"]


def moved_claims(settings: dict, rerun: list[str] | None = None) -> list[str]:
    """The claims a switch that reruns the series ``rerun`` (default: the MLP depth's,
    ``sensitivity_series``) can move: those read from one of them."""
    rerun = sensitivity_series(settings) if rerun is None else rerun
    return [name for name, series in claim_series(settings).items() if series in rerun]


def runs_at_depth(runs: pd.DataFrame, depth: int) -> pd.DataFrame:
    """The runs of one MLP depth (``mlp_hidden_layers``) among the alternative depths' runs."""
    return runs[runs["mlp_hidden_layers"] == depth]


def rerun_sensitivity(by_setting: dict, settings: dict, rerun: list[str] | None = None) -> dict:
    """``reporting.sensitivity_table``'s arguments (``sensitivity_arguments``) from each setting's
    ``ClaimValues`` of a switch that reruns the series ``rerun`` (default: the MLP depth's),
    measuring only the claims it can move."""
    moved = moved_claims(settings, rerun)
    arguments = sensitivity_arguments(by_setting)
    arguments["measured"] = {setting: {name: measured[name] for name in moved}
                             for setting, measured in arguments["measured"].items()}
    return arguments


# --- the deviation switch: which labels the label noise redraws --------------------------------------


def draw_series(settings: dict, variant: str = NOISY_VARIANT) -> list[str]:
    """The series another draw of ``variant``'s label noise reruns: those a claim is read from
    that train on that variant (in the paper configuration Figure 5's noisy MLP and CNN and the
    loss ablation's MSE MLP)."""
    claimed = set(claim_series(settings).values())
    return [name for name, series in settings["series"].items() if name in claimed and series["variant"] == variant]


def with_series_from(runs: pd.DataFrame, other: pd.DataFrame, series: list[str]) -> pd.DataFrame:
    """``runs`` with every run of ``series`` taken from ``other`` instead (the same series run
    under another setting), the other series as they were."""
    import pandas as pd

    return pd.concat([runs[~runs["series"].isin(series)], other[other["series"].isin(series)]], ignore_index=True)
