"""A double-descent job's training schedule, and reading its curve: interpolation threshold and test-error peak."""
from __future__ import annotations

import math

import numpy as np

from typing import TYPE_CHECKING

from .generator import NUM_CLASSES

if TYPE_CHECKING:  # importing torch costs seconds, and the workflow imports this module at parse time
    from .training import TrainConfig

# pandas is imported where a summary needs it: the 182 training jobs import this module for
# job_train_config only, and pandas would add some 0.4 s to each one's start-up.


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def job_train_config(training: dict, train_samples: int, seed: int) -> TrainConfig:
    """A double-descent job's training: SGD with momentum on batches shuffled anew each epoch,
    evaluated at the start, every tenth of the epochs and at the end."""
    from .training import TrainConfig

    steps_per_epoch = math.ceil(train_samples / training["batch_size"])
    return TrainConfig(steps=training["epochs"] * steps_per_epoch, batch_size=training["batch_size"],
                       lr=training["lr"], optimizer="sgd", momentum=training["momentum"],
                       eval_every=steps_per_epoch * max(1, training["epochs"] // 10),
                       batch_order="shuffled", shuffle_seed=seed)


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


# --- Figure 5's verdicts ---------------------------------------------------------------------------


def series_curves(runs):
    """One row per series and width: the mean over seeds of the final errors, their spread and
    the parameter count (``runs``: one row per job, as the jobs' metrics.json files)."""
    return (runs.groupby(["series", "width"], sort=False)
            .agg(parameters=("parameters", "first"), train_error=("train_error", "mean"),
                 test_error=("test_error", "mean"), test_error_std=("test_error", "std"),
                 seeds=("seed", "count")).reset_index())


def peak_errors(curve, peak: dict, test_samples: int) -> dict:
    """Standard errors of a curve's peak height (peak error minus the best error at a smaller
    width) and of its fall (peak error minus the widest width's), from each width's error: the
    spread over seeds / sqrt(seeds), or the binomial error of one run on ``test_samples``."""
    from .claims import accuracy_se

    if peak["width"] is None:
        return {"peak_height_se": None, "fall_after_peak_se": None}
    errors = curve["test_error"].to_numpy(dtype=float)
    se = [accuracy_se(e, s, int(n), test_samples)
          for e, s, n in zip(errors, curve["test_error_std"].fillna(np.nan), curve["seeds"])]
    i = list(curve["width"]).index(peak["width"])
    best_before = int(np.argmin(errors[:i]))
    return {"peak_height_se": float(np.hypot(se[i], se[best_before])),
            "fall_after_peak_se": float(np.hypot(se[i], se[-1]))}


def series_summary(curves, series: dict, tolerance: float, test_samples: int):
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


def claim_values(summary, settings: dict, n_train: int) -> dict:
    """Each double-descent claim's number from a series summary: None where its series was not
    run, inf where the series has no such point (no peak, or no interpolating width), which
    fails any 'within' rule."""

    def value(series, column):
        if series is None or series not in summary.index:
            return None
        found = summary.loc[series, column]
        return float("inf") if _missing(found) else float(found)

    def log2_ratio(a, b):
        if a is None or b is None:
            return None
        return float(np.log2(a / b)) if np.isfinite(a) and np.isfinite(b) else float("inf")

    of = claim_series(settings)
    noisy_mlp = of["noisy_mlp_peak_height"]
    return {
        "noisy_mlp_peak_height": value(noisy_mlp, "peak_height"),
        "noisy_mlp_peak_width": value(noisy_mlp, "peak_width"),
        "noisy_mlp_peak_at_threshold": log2_ratio(value(noisy_mlp, "peak_width"),
                                                  value(noisy_mlp, "threshold_width")),
        "noisy_mlp_falls_after_peak": value(noisy_mlp, "fall_after_peak"),
        "clean_mlp_no_peak": value(of["clean_mlp_no_peak"], "peak_height"),
        "noisy_cnn_peak_height": value(of["noisy_cnn_peak_height"], "peak_height"),
        "noisy_cnn_falls_after_peak": value(of["noisy_cnn_falls_after_peak"], "fall_after_peak"),
        "mse_peak_near_nK": log2_ratio(value(of["mse_peak_near_nK"], "peak_parameters"), n_train * NUM_CLASSES),
        "cross_entropy_peak_near_n": log2_ratio(value(of["cross_entropy_peak_near_n"], "peak_parameters"),
                                                n_train),
    }


def claim_errors(summary, settings: dict) -> dict:
    """The standard errors of the claims that read a peak's height or fall (the others read a
    width or a position, which have none)."""
    of = claim_series(settings)
    columns = {"noisy_mlp_peak_height": "peak_height_se", "noisy_mlp_falls_after_peak": "fall_after_peak_se",
               "clean_mlp_no_peak": "peak_height_se",
               "noisy_cnn_peak_height": "peak_height_se", "noisy_cnn_falls_after_peak": "fall_after_peak_se"}
    errors = {}
    for name, column in columns.items():
        series = of[name]
        if series is not None and series in summary.index and not _missing(summary.loc[series, column]):
            errors[name] = float(summary.loc[series, column])
    return errors


# claims that read where a peak sits (a width, or a parameter count against n or nK)
POSITION_CLAIMS = ("noisy_mlp_peak_width", "noisy_mlp_peak_at_threshold", "mse_peak_near_nK",
                   "cross_entropy_peak_near_n")
# beyond this share of redrawn curves without a peak, a position's standard error is infinite
NO_PEAK_SHARE = 0.025


def peak_widths(widths, errors: np.ndarray) -> np.ndarray:
    """``test_error_peak``'s width for each row of ``errors`` (curves over ``widths``), NaN where a
    row has no peak."""
    best_before = np.minimum.accumulate(errors, axis=1)
    rises = np.concatenate([np.zeros((len(errors), 1)), errors[:, 1:] - best_before[:, :-1]], axis=1)
    i = np.argmax(rises, axis=1)
    return np.where(rises[np.arange(len(errors)), i] > 0, np.asarray(widths, dtype=float)[i], np.nan)


def position_errors(curves, summary, settings: dict, n_train: int, test_samples: int, replicates: int,
                    seed: int) -> dict:
    """Standard errors of the claims that read a peak's position, by a parametric bootstrap: each
    width's test error is redrawn from a normal distribution with its standard error (spread over
    seeds / sqrt(seeds), or the binomial error of one run on ``test_samples``), the peak is found
    again on every redrawn curve, and the claim's number is recomputed from it (the interpolation
    threshold, read from training error, stays fixed). The error is the standard deviation over
    the redrawn curves; it is infinite when more than NO_PEAK_SHARE of them have no peak. Only
    the test-set noise is covered: one training run per width says nothing of the seed's."""
    import pandas as pd

    from .claims import accuracy_se

    rng = np.random.default_rng(seed)
    of = claim_series(settings)
    transforms = {
        "noisy_mlp_peak_width": lambda width, params, threshold: width,
        "noisy_mlp_peak_at_threshold": lambda width, params, threshold: np.log2(width / threshold),
        "mse_peak_near_nK": lambda width, params, threshold: np.log2(params / (n_train * NUM_CLASSES)),
        "cross_entropy_peak_near_n": lambda width, params, threshold: np.log2(params / n_train),
    }
    errors = {}
    for name in POSITION_CLAIMS:
        series = of[name]
        if series is None or series not in summary.index:
            continue
        curve = curves[curves["series"] == series].sort_values("width")
        widths = curve["width"].to_numpy()
        mean = curve["test_error"].to_numpy(dtype=float)
        se = np.array([accuracy_se(e, s, int(k), test_samples)
                       for e, s, k in zip(mean, curve["test_error_std"], curve["seeds"])])
        redrawn = peak_widths(widths, mean + rng.standard_normal((replicates, len(widths))) * se)
        found = ~np.isnan(redrawn)
        threshold = summary.loc[series, "threshold_width"]
        threshold = None if _missing(threshold) else float(threshold)
        if name == "noisy_mlp_peak_at_threshold" and threshold is None:
            continue  # no interpolating width: the value is already infinite and fails
        if found.mean() < 1 - NO_PEAK_SHARE:
            errors[name] = float("inf")
            continue
        params = pd.Series(curve["parameters"].to_numpy(dtype=float), index=widths).reindex(redrawn[found]).to_numpy()
        values = transforms[name](redrawn[found], params, threshold)
        errors[name] = float(np.std(values, ddof=1))
    return errors


def sensitivity_series(settings: dict) -> list[str]:
    """The series an alternative MLP depth reruns: Figure 5's MLP panels."""
    return [name for name in settings["figure5"] if settings["series"][name]["model"] == "mlp"]


def moved_claims(settings: dict) -> list[str]:
    """The claims the MLP's depth can move: those read from a series it reruns."""
    rerun = sensitivity_series(settings)
    return [name for name, series in claim_series(settings).items() if series in rerun]


def moved_claim_values(summary, settings: dict, n_train: int) -> dict:
    """The numbers of the claims the MLP's depth can move, from one setting's summary."""
    values = claim_values(summary, settings, n_train)
    return {name: values[name] for name in moved_claims(settings)}
