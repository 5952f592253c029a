"""Table 1's reporting protocols (the settings of classification.protocol), read off a job's
evaluation curves; the tables and claims built from them are in sections.classification.

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

import pandas as pd

from .sections.classification import PROTOCOLS


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
    results = {
        "last_step": {"step": int(full["step"].iloc[-1]), "test_acc": float(full["test_acc"].iloc[-1])},
        "early_stopping": {"step": step, "test_acc": float(at_step.iloc[0])},
        "early_stopping_subset": {"step": step, "test_acc": float(chosen["test_acc"])},
        "best_test_step": {"step": int(best_test["step"]), "test_acc": float(best_test["test_acc"])},
    }
    return {protocol: results[protocol] for protocol in PROTOCOLS}


def protocol_table(curves_by_job: dict[tuple, pd.DataFrame], key_names: tuple[str, ...]) -> pd.DataFrame:
    """One row per job and protocol: the job's keys, protocol, step, test_acc."""
    rows = []
    for key, curves in curves_by_job.items():
        for protocol, result in protocol_results(curves).items():
            rows.append({**dict(zip(key_names, key)), "protocol": protocol, **result})
    return pd.DataFrame(rows)
