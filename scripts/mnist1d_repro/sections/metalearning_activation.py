"""Section 5.4: metalearning an activation function (Figure 7, the transfer ablation)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .spec import ClaimValues, Measurement, Section, Switch

if TYPE_CHECKING:
    import pandas as pd

SEEDING = Switch("metalearning.activation.seeding", ("reference", "fresh"), reruns_jobs=True)
NOISE_DRAW = Switch("metalearning.activation.noise_draw", ("shared", "per_sample"), reruns_jobs=True)
TEST_NOISE = Switch("metalearning.activation.test_noise", ("added", "none"), reruns_jobs=True)
# Read from the configured setting's files, no job runs again: the outer steps the accuracies are
# averaged over, and how many points the final activation is sampled at to count its extrema.
FINAL_OUTER_STEPS = Switch("metalearning.activation.final_outer_steps", None, reruns_jobs=False)
CURVE_POINTS = Switch("metalearning.activation.curve_points", None, reruns_jobs=False)
# Which test samples the advantage claims read: the fresh test set (ours) or the first test_samples (the reference's)
ADVANTAGE_TEST = Switch("metalearning.activation.advantage_test", ("fresh", "reference"), reruns_jobs=False)

SECTION = Section(
    name="metalearning_activation",
    folder="metalearning",
    category="5.3-5.4 Metalearning",
    outputs=("figure7.png", "activation_accuracy.html", "transfer.html"),
    claims_tables=("activation_claims.csv",),
    sensitivity_tables=("activation_sensitivity.csv",),
    switches=(SEEDING, NOISE_DRAW, TEST_NOISE, FINAL_OUTER_STEPS, CURVE_POINTS, ADVANTAGE_TEST),
)


# --- the measurements: from the metalearning job's history, its baselines and its curves ------------

def local_extrema(values: np.ndarray) -> int:
    """Number of interior local extrema of a sampled curve (sign changes of its slope; flat
    stretches are skipped)."""
    slope = np.sign(np.diff(values))
    slope = slope[slope != 0]
    return int(np.count_nonzero(slope[1:] != slope[:-1]))


def accuracy_comparison(learned: pd.DataFrame, baselines: pd.DataFrame, names: list[str], final_outer_steps: int):
    """Test accuracy per activation over the last ``final_outer_steps`` outer steps, and the
    learned activation's advantage over each baseline in ``names``. A baseline with a run per
    outer step (fresh seeding) is compared pairwise, run k against outer step k (same initial
    weights and noise); a baseline with one run (the reference's seeding) against every outer
    step of the window. Returns the table, each difference's standard deviation, and the
    window's first outer step."""
    import pandas as pd

    last = learned["outer_step"].max() - final_outer_steps + 1
    window = learned[learned["outer_step"] >= last].set_index("outer_step")
    rows, spread = [], {}
    for name in ["learned"] + list(names):
        if name == "learned":
            acc, meta_loss = window["test_acc"], window["meta_loss"]
        else:
            runs = baselines[baselines["activation"] == name].set_index("outer_step")
            runs = runs if len(runs) == 1 else runs.loc[window.index]
            acc, meta_loss = runs["test_acc"], runs["meta_loss"]
        diff = window["test_acc"] - (acc.iloc[0] if len(acc) == 1 else acc)
        spread[name] = float(diff.std()) if len(diff) > 1 else np.nan
        rows.append({"activation": name, "runs": len(acc), "test accuracy (mean)": acc.mean(),
                     "test accuracy (std)": acc.std() if len(acc) > 1 else np.nan,
                     "learned minus this (mean)": diff.mean(),
                     "learned minus this (std error)": spread[name] / np.sqrt(len(diff)) if len(diff) > 1 else np.nan,
                     "meta-loss (mean)": meta_loss.mean()})
    return pd.DataFrame(rows), spread, last


def with_alternatives(table: pd.DataFrame, alternatives: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """``accuracy_comparison``'s table of the configured settings with, beside it, the learned
    activation's advantage under each alternative setting (by label: its own comparison table)."""
    table = table.copy()
    for label, other in alternatives.items():
        table[f"learned minus this ({label})"] = other["learned minus this (mean)"].values
    return table


def window_rows(correct: dict, outer_steps) -> np.ndarray:
    """The rows of a job's per-sample correctness (``correct``: outer_step and correct, e.g.
    ``fresh_test_rows`` of its test_correct.npz) for the given outer steps; a job of one run (the
    reference's seeding) gives its one row."""
    if len(correct["correct"]) == 1:
        return correct["correct"]
    index = {int(step): i for i, step in enumerate(correct["outer_step"])}
    missing = [int(step) for step in outer_steps if int(step) not in index]
    if missing:
        raise ValueError(f"outer steps {missing[0]}-{missing[-1]} were not scored on this test set (its rows: "
                         f"{len(index)}); rerun the job")
    return correct["correct"][[index[int(step)] for step in outer_steps]]


def window_steps(correct: dict, first_step: int) -> range:
    """The outer steps from ``first_step`` to a job's last (``correct``: its test_correct.npz)."""
    return range(first_step, int(correct["outer_step"].max()) + 1)


def fresh_test_rows(correct: dict) -> dict:
    """A job's correctness on the fresh test set (its test_correct.npz's fresh_outer_step and
    fresh_correct) in ``window_rows``'s form."""
    return {"outer_step": correct["fresh_outer_step"], "correct": correct["fresh_correct"]}


def paired_sample_se(learned: np.ndarray, baseline: np.ndarray) -> float:
    """The standard error, in points, of the learned activation's mean advantage that comes from
    which test samples were drawn: both arms are scored on the same samples, so the error is that
    of the mean per-sample difference (each sample's share of correct runs, learned minus
    baseline; runs x samples, bool), not of two independent accuracies."""
    difference = learned.mean(axis=0) - baseline.mean(axis=0)
    return float(100 * difference.std(ddof=1) / np.sqrt(difference.size))


def test_set_rows(correct: dict, test_set: str) -> dict:
    """A job's correctness on the test set the advantage claims read (the advantage_test switch):
    the fresh test set's rows, or the first test samples' (the reference's)."""
    return fresh_test_rows(correct) if test_set == "fresh" else correct


def fresh_test_advantage(learned: np.ndarray, baseline: np.ndarray) -> Measurement:
    """activation_beats_<name> on a test set (the fresh one by default), from the window's rows of correctness
    (runs x samples, bool): the learned activation's mean accuracy minus the baseline's, in
    points. Spread: the standard deviation over runs of the per-run difference (with one
    baseline run, the learned activation's accuracy over the window). Error: the paired
    per-sample error (``paired_sample_se``), with the spread / sqrt(runs) added in quadrature
    where the baseline has a run per outer step (fresh seeding: a new draw each run)."""
    per_run = 100 * (learned.mean(axis=1) - baseline.mean(axis=1))
    spread = float(per_run.std(ddof=1)) if len(per_run) > 1 else np.nan
    over_runs = spread / np.sqrt(len(per_run)) if len(baseline) > 1 else 0.0
    return Measurement(float(per_run.mean()), spread=spread,
                       se=float(np.hypot(paired_sample_se(learned, baseline), over_runs)))


def fresh_test_advantages(learned_correct: dict, baselines_correct: dict, first_step: int, beaten,
                          test_set: str = "fresh") -> dict:
    """``fresh_test_advantage`` of every baseline in ``beaten`` that ran (``baselines_correct``:
    name -> its test_correct.npz's arrays) against the learned activation's outer steps from
    ``first_step`` on (the window ``accuracy_comparison`` compares), on ``test_set`` (fresh, or
    reference: the first test samples); None for one that did not run."""
    window = window_steps(learned_correct, first_step)
    rows = window_rows(test_set_rows(learned_correct, test_set), window)
    return {name: (fresh_test_advantage(rows, window_rows(test_set_rows(baselines_correct[name], test_set), window))
                   if name in baselines_correct else Measurement(None))
            for name in beaten}


def fresh_test_accuracy(correct: dict, first_step: int) -> float:
    """Mean accuracy (%) on the fresh test set over the outer steps from ``first_step`` on (one run: its own)."""
    return float(100 * window_rows(fresh_test_rows(correct), window_steps(correct, first_step)).mean())


def with_fresh_test(table: pd.DataFrame, learned_correct: dict, baselines_correct: dict, first_step: int):
    """``accuracy_comparison``'s table with each activation's mean accuracy on the fresh test set
    over the same window, and the learned activation's advantage there."""
    table = table.copy()
    correct = {"learned": learned_correct, **baselines_correct}
    fresh = np.array([fresh_test_accuracy(correct[name], first_step) for name in table["activation"]])
    table["fresh test accuracy (mean)"] = fresh
    table["learned minus this, fresh test (mean)"] = fresh[0] - fresh
    return table


def activation_two_extrema(final_curve: np.ndarray) -> Measurement:
    """activation_two_extrema: the number of local extrema of the final learned activation."""
    return Measurement(local_extrema(final_curve))


def claim_values(advantages: dict, final_curve: np.ndarray) -> ClaimValues:
    """Figure 7's claims: the advantage over each baseline (``advantages``: name -> its
    Measurement, from ``fresh_test_advantages``) and the final learned activation's extrema."""
    values = advantage_values(advantages)
    values.add("activation_two_extrema", activation_two_extrema(final_curve))
    return values


def advantage_values(advantages: dict) -> ClaimValues:
    """activation_beats_<name> for each baseline in ``advantages`` (name -> its Measurement)."""
    values = ClaimValues()
    for name, measurement in advantages.items():
        values.add(f"activation_beats_{name}", measurement)
    return values


def window_values(last_step: int, final_outer_steps: int, learned_correct: dict, baselines_correct: dict,
                  beaten, test_set: str = "fresh") -> ClaimValues:
    """The advantage claims (activation_beats_<name> for ``beaten``) read over the last
    ``final_outer_steps`` outer steps (up to ``last_step``) of one setting's runs on ``test_set``
    (the final_outer_steps and advantage_test switches)."""
    return advantage_values(fresh_test_advantages(learned_correct, baselines_correct,
                                                   last_step - final_outer_steps + 1, beaten, test_set))


def extrema_values(curve: np.ndarray) -> ClaimValues:
    """activation_two_extrema alone, counted on ``curve`` (the curve_points switch)."""
    values = ClaimValues()
    values.add("activation_two_extrema", activation_two_extrema(curve))
    return values


def values_by_switch(values: dict, switches: dict, configured: dict) -> dict[str, dict]:
    """Per switch of the sensitivity section (``switches``: switch -> its settings, the configured
    one first): the claim values under each of its settings. ``values`` maps (switch, setting)
    to a setting's ClaimValues, (None, None) the configured settings'."""
    return {switch: {configured[switch]: values[(None, None)],
                     **{setting: values[(switch, setting)] for setting in settings[1:]}}
            for switch, settings in switches.items()}


def transfer_summary(records: list[dict]) -> pd.DataFrame:
    """The transfer ablation per activation: runs, mean and std of the test accuracy over seeds,
    mean train accuracy (rounded to 2 decimals); an empty table without runs."""
    import pandas as pd

    transfer = pd.DataFrame(records)
    if not len(transfer):
        return pd.DataFrame({"activation": []})
    return transfer.groupby("activation", sort=False).agg(
        runs=("seed", "count"), test_acc_mean=("test_acc", "mean"), test_acc_std=("test_acc", "std"),
        train_acc_mean=("train_acc", "mean")).reset_index().round(2)
