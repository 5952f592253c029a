"""Table 1's reporting protocols and the MLP sweep, computed from a job's evaluation curves.

Every classification job trains twice from the same initialisation and evaluates both runs at
the same steps: ``last_step`` on the whole training set (the reference's run) and
``early_stopping`` on the training set minus a held-out part, which is evaluated on that part
(``val_acc``). The protocols read test accuracies off those curves:

  last_step              the whole-training-set run at its last step (the reference notebook);
  early_stopping         the step with the best held-out accuracy, read from the whole-training-set
                         run at that step: early stopping that trains on every sample;
  early_stopping_subset  the held-out run's own test accuracy at that step (trained on less data);
  best_test_step         the whole-training-set run at its best test step: optimistic, since the
                         step is chosen on the test set.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

PROTOCOLS = ("last_step", "early_stopping", "early_stopping_subset", "best_test_step")
PROTOCOL_LABELS = {
    "last_step": "last step, all training samples (reference)",
    "early_stopping": "early stopping, step picked on a held-out split, all training samples",
    "early_stopping_subset": "early stopping, trained without the held-out split",
    "best_test_step": "best test step (optimistic: chosen on the test set)",
}


def _earliest_best(frame: pd.DataFrame, column: str) -> pd.Series:
    """The evaluation row with the highest ``column``; the earliest step among ties."""
    ordered = frame.sort_values("step", kind="stable")
    return ordered.loc[ordered[column].idxmax()]


def protocol_results(curves: pd.DataFrame) -> dict[str, dict]:
    """Step and test accuracy of one job under every protocol. ``curves`` has the columns run
    ("last_step" or "early_stopping"), step, test_acc, and val_acc for the early-stopping run."""
    full = curves[curves["run"] == "last_step"].sort_values("step", kind="stable").reset_index(drop=True)
    held = curves[curves["run"] == "early_stopping"]
    if full.empty or held.empty:
        raise ValueError("curves need both runs, 'last_step' and 'early_stopping'")
    chosen = _earliest_best(held, "val_acc")
    step = int(chosen["step"])
    at_step = full.loc[full["step"] == step, "test_acc"]
    if at_step.empty:
        raise ValueError(f"the whole-training-set run was not evaluated at step {step}")
    best_test = _earliest_best(full, "test_acc")
    return {
        "last_step": {"step": int(full["step"].iloc[-1]), "test_acc": float(full["test_acc"].iloc[-1])},
        "early_stopping": {"step": step, "test_acc": float(at_step.iloc[0])},
        "early_stopping_subset": {"step": step, "test_acc": float(chosen["test_acc"])},
        "best_test_step": {"step": int(best_test["step"]), "test_acc": float(best_test["test_acc"])},
    }


def protocol_table(curves_by_job: dict[tuple, pd.DataFrame], key_names: tuple[str, ...]) -> pd.DataFrame:
    """One row per job and protocol: the job's keys, protocol, step, test_acc."""
    rows = []
    for key, curves in curves_by_job.items():
        for protocol, result in protocol_results(curves).items():
            rows.append({**dict(zip(key_names, key)), "protocol": protocol, **result})
    return pd.DataFrame(rows)


def closest_protocol(means: pd.DataFrame, paper: dict) -> tuple[str, pd.Series]:
    """The protocol whose cell means lie closest to the paper's (mean absolute difference over
    the cells both have). ``means`` is indexed by cell with one column per protocol; ``paper``
    maps a cell to the paper's value. Returns the protocol and every protocol's distance."""
    cells = [cell for cell in means.index if cell in paper]
    if not cells:
        raise ValueError("no cell has a paper value")
    target = pd.Series({cell: paper[cell] for cell in cells})
    distance = means.loc[cells].sub(target, axis=0).abs().mean()
    return str(distance.idxmin()), distance


def sweep_summary(runs: pd.DataFrame, target: float, band: float) -> pd.DataFrame:
    """Mean, std and seed count of the test accuracy per sweep setting and protocol, and whether
    the mean reaches the target band (mean >= target - band)."""
    summary = (runs.groupby(["setting", "protocol"], sort=False)["test_acc"]
               .agg(mean="mean", std="std", seeds="count", lowest="min").reset_index())
    summary["reaches"] = summary["mean"] >= target - band
    summary["std"] = summary["std"].where(summary["seeds"] > 1, np.nan)
    return summary


def shuffle_drop(means: dict, models: list[str]) -> float | None:
    """Mean over ``models`` of the accuracy lost by shuffling the features (original minus
    shuffled), over the models that ran on both."""
    pairs = [means[("original", m)] - means[("shuffled", m)] for m in models
             if ("original", m) in means and ("shuffled", m) in means]
    return float(np.mean(pairs)) if pairs else None


def error_share(confusions: list, classes: list[int]) -> tuple[float, float] | None:
    """The share of all errors in ``confusions`` (square count matrices, rows: true class) made
    on the true ``classes``, and its binomial standard error over the errors counted; None
    when there are no errors."""
    errors = np.sum([np.asarray(c).sum(axis=1) - np.diag(c) for c in confusions], axis=0)
    total = float(errors.sum())
    if total == 0:
        return None
    share = float(errors[classes].sum() / total)
    return share, float(np.sqrt(share * (1 - share) / total))


def shuffle_drop_se(errors: dict, models: list[str]) -> float | None:
    """The standard error of ``shuffle_drop`` from the cells' standard errors (independent runs)."""
    parts = [errors[("original", m)] ** 2 + errors[("shuffled", m)] ** 2 for m in models
             if ("original", m) in errors and ("shuffled", m) in errors]
    return float(np.sqrt(sum(parts)) / len(parts)) if parts else None


def table1_claim_errors(errors: dict, means: dict | None = None) -> dict:
    """The standard errors of Table 1's claims from each (variant, model) cell's standard error;
    with the cells' ``means``, also that of the MNIST claim: the error of the lowest of its cells."""
    values = {f"table1_{variant}_{model}": float(se) for (variant, model), se in errors.items()}
    values["shuffle_drop_spatial"] = shuffle_drop_se(errors, ["cnn", "gru"])
    values["shuffle_drop_nonspatial"] = shuffle_drop_se(errors, ["logistic", "mlp"])
    deep = [("mnist", m) for m in ("mlp", "cnn", "gru") if ("mnist", m) in (means or {}) and ("mnist", m) in errors]
    if deep:
        values["table1_mnist_deep"] = float(errors[min(deep, key=means.get)])
    return {name: se for name, se in values.items() if se is not None}


def table1_claim_values(means: dict) -> dict:
    """The values of Table 1's accuracy claims from the mean test accuracy of each
    (variant, model) cell under one protocol."""
    values = {f"table1_{variant}_{model}": float(mean) for (variant, model), mean in means.items()}
    values["shuffle_drop_spatial"] = shuffle_drop(means, ["cnn", "gru"])
    values["shuffle_drop_nonspatial"] = shuffle_drop(means, ["logistic", "mlp"])
    mnist_deep = [means[("mnist", m)] for m in ("mlp", "cnn", "gru") if ("mnist", m) in means]
    values["table1_mnist_deep"] = float(min(mnist_deep)) if mnist_deep else None
    return values


def family_spread_gap(means: dict, errors: dict, models=("logistic", "mlp", "cnn", "gru")) -> tuple:
    """How much more the model families differ on MNIST-1D than on MNIST: (best minus worst mean
    test accuracy over ``models`` on the original MNIST-1D) minus (the same on MNIST), with its
    standard error from the four cells involved; (None, None) unless every model ran on both."""
    spreads, parts = [], []
    for variant in ("original", "mnist"):
        cells = {m: means.get((variant, m)) for m in models}
        if any(value is None or not np.isfinite(value) for value in cells.values()):
            return None, None
        best, worst = max(cells, key=cells.get), min(cells, key=cells.get)
        spreads.append(cells[best] - cells[worst])
        parts += [errors.get((variant, best), 0.0), errors.get((variant, worst), 0.0)]
    return float(spreads[0] - spreads[1]), float(np.sqrt(np.sum(np.square(parts))))


def time_to_final_accuracy(curve: pd.DataFrame, band: float = 1.0) -> int:
    """The first evaluated step at which the test accuracy comes within ``band`` points of its
    value at the last step (``curve``: one run's step and test_acc)."""
    curve = curve.sort_values("step", kind="stable")
    final = float(curve["test_acc"].iloc[-1])
    return int(curve.loc[curve["test_acc"] >= final - band, "step"].iloc[0])


def cost_comparison(jobs: pd.DataFrame) -> pd.DataFrame:
    """Per model and dataset, the cost of a Table 1 job, mean over seeds. ``jobs``: one row per
    job with variant, model, parameters, steps_trained (every update of both runs), job_seconds
    (its benchmark file's wall time) and final_step (time_to_final_accuracy of its whole-set run).
    Seconds per step are job seconds over steps trained, start-up and evaluations included."""
    jobs = jobs.assign(seconds_per_step=jobs["job_seconds"] / jobs["steps_trained"])
    jobs = jobs.assign(seconds_to_final=jobs["seconds_per_step"] * jobs["final_step"])
    return (jobs.groupby(["model", "variant"], sort=False)
            .agg(parameters=("parameters", "first"), jobs=("job_seconds", "count"),
                 job_seconds=("job_seconds", "mean"), ms_per_step=("seconds_per_step", lambda s: 1000 * s.mean()),
                 step_to_final=("final_step", "mean"), seconds_to_final=("seconds_to_final", "mean"))
            .reset_index())
