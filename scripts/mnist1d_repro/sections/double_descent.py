"""Section 5.2: deep double descent (Figure 5, the label-noise and loss ablations)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..claims import accuracy_se
from ..generator import NUM_CLASSES
from .spec import ClaimValues, Measurement, Section, Switch

if TYPE_CHECKING:
    import pandas as pd

MLP_HIDDEN_LAYERS = Switch("double_descent.mlp_hidden_layers", (1, 2), reruns_jobs=True)

SECTION = Section(
    name="double_descent",
    folder="double_descent",
    category="5.2 Deep double descent",
    outputs=("summary.html", "figure5.png", "noise_ablation.png", "loss_ablation.png"),
    claims_tables=("claims.csv",),
    sensitivity_tables=("sensitivity.csv",),
    switches=(MLP_HIDDEN_LAYERS,),
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


def peak_widths(widths, errors: np.ndarray) -> np.ndarray:
    """``test_error_peak``'s width for each row of ``errors`` (curves over ``widths``), NaN where a
    row has no peak."""
    best_before = np.minimum.accumulate(errors, axis=1)
    rises = np.concatenate([np.zeros((len(errors), 1)), errors[:, 1:] - best_before[:, :-1]], axis=1)
    i = np.argmax(rises, axis=1)
    return np.where(rises[np.arange(len(errors)), i] > 0, np.asarray(widths, dtype=float)[i], np.nan)


def width_errors(curve, test_samples: int) -> list[float]:
    """Each width's standard error of a curve's test error: the spread over seeds / sqrt(seeds), or
    the binomial error of one run on ``test_samples``."""
    return [accuracy_se(error, std, int(seeds), test_samples)
            for error, std, seeds in zip(curve["test_error"].to_numpy(dtype=float), curve["test_error_std"],
                                         curve["seeds"])]


def peak_errors(curve, peak: dict, test_samples: int) -> dict:
    """Standard errors of a curve's peak height (peak error minus the best error at a smaller
    width) and of its fall (peak error minus the widest width's), from each width's error
    (``width_errors``)."""
    if peak["width"] is None:
        return {"peak_height_se": None, "fall_after_peak_se": None}
    errors = curve["test_error"].to_numpy(dtype=float)
    se = width_errors(curve, test_samples)
    i = list(curve["width"]).index(peak["width"])
    best_before = int(np.argmin(errors[:i]))
    return {"peak_height_se": float(np.hypot(se[i], se[best_before])),
            "fall_after_peak_se": float(np.hypot(se[i], se[-1]))}


# --- Figure 5's tables ----------------------------------------------------------------------------


def series_curves(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per series and width: the mean over seeds of the final errors, their spread and
    the parameter count (``runs``: one row per job, as the jobs' metrics.json files)."""
    return (runs.groupby(["series", "width"], sort=False)
            .agg(parameters=("parameters", "first"), train_error=("train_error", "mean"),
                 test_error=("test_error", "mean"), test_error_std=("test_error", "std"),
                 seeds=("seed", "count")).reset_index())


def series_summary(curves: pd.DataFrame, series: dict, tolerance: float, test_samples: int) -> pd.DataFrame:
    """One row per series (indexed by its name): interpolation threshold, test-error peak with
    the standard errors of its height and fall, the widest width's and the best test error,
    and the parameter counts at threshold and peak."""
    import pandas as pd

    rows = []
    for name, curve in curves.groupby("series", sort=False):
        curve = curve.sort_values("width")
        widths, params = curve["width"].tolist(), dict(zip(curve["width"], curve["parameters"]))
        threshold = interpolation_threshold(widths, curve["train_error"], tolerance)
        peak = test_error_peak(widths, curve["test_error"])
        rows.append({
            "series": name, **series[name], "seeds": int(curve["seeds"].min()),
            **peak_errors(curve, peak, test_samples),
            "threshold_width": threshold, "threshold_parameters": params.get(threshold),
            "peak_width": peak["width"], "peak_parameters": params.get(peak["width"]),
            "peak_test_error": peak["error"], "peak_height": peak["height"], "fall_after_peak": peak["fall"],
            "widest_test_error": float(curve["test_error"].iloc[-1]),
            "min_test_error": float(curve["test_error"].min()),
        })
    return pd.DataFrame(rows).set_index("series", drop=False)


def series_tables(runs: pd.DataFrame, settings: dict, test_samples: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(``series_curves``, ``series_summary``) of the runs, with the section's interpolation tolerance."""
    curves = series_curves(runs)
    return curves, series_summary(curves, settings["series"], settings["interpolation_train_error"], test_samples)


# --- the claims -------------------------------------------------------------------------------------


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


def _read(summary: pd.DataFrame, series: str | None, column: str) -> float | None:
    """A series' number in the summary: None where the series did not run, inf where it has no
    such point (no peak, or no interpolating width), which fails any 'within' rule."""
    if series is None or series not in summary.index:
        return None
    found = summary.loc[series, column]
    return float("inf") if _missing(found) else float(found)


def _log2_ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    return float(np.log2(a / b)) if np.isfinite(a) and np.isfinite(b) else float("inf")


def peak_size(summary: pd.DataFrame, series: str | None, column: str) -> Measurement:
    """A series' peak height or its fall after the peak (``column``: "peak_height" or
    "fall_after_peak"), with the standard error the summary gives it (none without a peak)."""
    value = _read(summary, series, column)
    se = _read(summary, series, f"{column}_se")  # inf: the summary has none (no peak)
    return Measurement(value, se=se if se is not None and math.isfinite(se) else None)


# beyond this share of redrawn curves without a peak, a position's standard error is infinite
NO_PEAK_SHARE = 0.025


@dataclass
class PeakRedraws:
    """A parametric bootstrap of where a curve's peak sits: each width's test error is redrawn
    from a normal distribution with its standard error (``width_errors``) and the peak is found
    again on every redrawn curve. Only the test-set noise is covered: one training run per width
    says nothing of the seed's. The claims share one random stream, drawn in claim order."""

    curves: pd.DataFrame
    test_samples: int
    replicates: int
    rng: np.random.Generator

    def of(self, series: str) -> tuple[np.ndarray, np.ndarray]:
        """The redrawn curves' peak widths (NaN: no peak) and the parameter counts there."""
        import pandas as pd

        curve = self.curves[self.curves["series"] == series].sort_values("width")
        widths = curve["width"].to_numpy()
        mean = curve["test_error"].to_numpy(dtype=float)
        se = np.array(width_errors(curve, self.test_samples))
        redrawn = peak_widths(widths, mean + self.rng.standard_normal((self.replicates, len(widths))) * se)
        params = pd.Series(curve["parameters"].to_numpy(dtype=float), index=widths).reindex(redrawn).to_numpy()
        return redrawn, params


def peak_position(summary: pd.DataFrame, series: str | None, column: str, reference: float | None,
                  redraws: PeakRedraws) -> Measurement:
    """Where a series' peak sits: its ``column`` ("peak_width" or "peak_parameters"), or log2 of
    that over ``reference`` (a width or parameter count; inf: none, as a series without an
    interpolating width). The standard error is the standard deviation of the same number over
    the redrawn curves; it is infinite when more than NO_PEAK_SHARE of them have no peak, and
    there is none against an infinite reference (the value is already infinite and fails)."""
    position = _read(summary, series, column)
    value = position if reference is None else _log2_ratio(position, reference)
    if position is None:
        return Measurement(value)
    redrawn_widths, redrawn_params = redraws.of(series)  # drawn even when unused: later claims' draws stay put
    if reference is not None and not math.isfinite(reference):
        return Measurement(value)
    found = ~np.isnan(redrawn_widths)
    if found.mean() < 1 - NO_PEAK_SHARE:
        return Measurement(value, se=float("inf"))
    positions = (redrawn_widths if column == "peak_width" else redrawn_params)[found]
    redrawn = positions if reference is None else np.log2(positions / reference)
    return Measurement(value, se=float(np.std(redrawn, ddof=1)))


def claim_measurements(curves: pd.DataFrame, summary: pd.DataFrame, settings: dict, n_train: int,
                       test_samples: int) -> ClaimValues:
    """Every double-descent claim's number and standard error: a peak's height or fall with its
    widths' errors, a peak's position by redrawing the curves (``PeakRedraws``, with the
    section's ``peak_position_bootstrap``). Over several seeds the errors are their spread: each
    claim names the fewest seeds any width ran."""
    of = claim_series(settings)
    bootstrap = settings["peak_position_bootstrap"]
    redraws = PeakRedraws(curves, test_samples, bootstrap["replicates"], np.random.default_rng(bootstrap["seed"]))
    threshold = _read(summary, of["noisy_mlp_peak_at_threshold"], "threshold_width")
    # the position claims draw from one stream in this order
    measurements = {
        "noisy_mlp_peak_height": peak_size(summary, of["noisy_mlp_peak_height"], "peak_height"),
        "noisy_mlp_peak_width": peak_position(summary, of["noisy_mlp_peak_width"], "peak_width", None, redraws),
        "noisy_mlp_peak_at_threshold": peak_position(summary, of["noisy_mlp_peak_at_threshold"], "peak_width",
                                                     threshold, redraws),
        "noisy_mlp_falls_after_peak": peak_size(summary, of["noisy_mlp_falls_after_peak"], "fall_after_peak"),
        "clean_mlp_no_peak": peak_size(summary, of["clean_mlp_no_peak"], "peak_height"),
        "noisy_cnn_peak_height": peak_size(summary, of["noisy_cnn_peak_height"], "peak_height"),
        "noisy_cnn_falls_after_peak": peak_size(summary, of["noisy_cnn_falls_after_peak"], "fall_after_peak"),
        "mse_peak_near_nK": peak_position(summary, of["mse_peak_near_nK"], "peak_parameters",
                                          n_train * NUM_CLASSES, redraws),
        "cross_entropy_peak_near_n": peak_position(summary, of["cross_entropy_peak_near_n"], "peak_parameters",
                                                   n_train, redraws),
    }
    seeds = int(summary["seeds"].min())
    values = ClaimValues()
    for name, measurement in measurements.items():
        values.add(name, measurement._replace(n=seeds) if seeds > 1 else measurement)
    return values


# --- the deviation switch: the MLP's depth -----------------------------------------------------------


def sensitivity_series(settings: dict) -> list[str]:
    """The series an alternative MLP depth reruns: Figure 5's MLP panels."""
    return [name for name in settings["figure5"] if settings["series"][name]["model"] == "mlp"]


def moved_claims(settings: dict) -> list[str]:
    """The claims the MLP's depth can move: those read from a series it reruns."""
    rerun = sensitivity_series(settings)
    return [name for name, series in claim_series(settings).items() if series in rerun]


def runs_at_depth(runs: pd.DataFrame, depth: int) -> pd.DataFrame:
    """The runs of one MLP depth (``mlp_hidden_layers``) among the alternative depths' runs."""
    return runs[runs["mlp_hidden_layers"] == depth]


def depth_sensitivity(by_depth: dict, settings: dict) -> dict:
    """``reporting.sensitivity_table``'s ``measured`` and ``se`` from each depth's ``ClaimValues``:
    the claims that depth can move, with their standard errors."""
    moved = moved_claims(settings)
    return {"measured": {depth: {name: values.measured[name] for name in moved} for depth, values in by_depth.items()},
            "se": {depth: values.se for depth, values in by_depth.items()}}
