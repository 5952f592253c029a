"""Section 5.4: metalearning an activation function (Figure 7, the transfer ablation)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..claims import binomial_se
from .spec import ClaimValues, Measurement, Section, Switch

if TYPE_CHECKING:
    import pandas as pd

SEEDING = Switch("metalearning.activation.seeding", ("reference", "fresh"), reruns_jobs=True)
NOISE_DRAW = Switch("metalearning.activation.noise_draw", ("shared", "per_sample"), reruns_jobs=True)
TEST_NOISE = Switch("metalearning.activation.test_noise", ("added", "none"), reruns_jobs=True)

SECTION = Section(
    name="metalearning_activation",
    folder="metalearning",
    category="5.3-5.4 Metalearning",
    outputs=("figure7.png", "activation_accuracy.html", "transfer.html"),
    claims_tables=("activation_claims.csv",),
    sensitivity_tables=("activation_sensitivity.csv",),
    switches=(SEEDING, NOISE_DRAW, TEST_NOISE),
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


def activation_beats(table: pd.DataFrame, spread: dict, name: str, test_samples: int) -> Measurement:
    """activation_beats_<name>: the learned activation's mean advantage over baseline ``name``
    (None where it did not run). Every accuracy is read on the same ``test_samples`` test
    samples, so averaging over outer steps does not remove their sampling noise: the standard
    error is that of a difference of two accuracies on those samples, with the spread over
    paired runs / sqrt(runs) added in quadrature where the baseline has several runs."""
    rows = table.set_index("activation")
    if name not in rows.index:
        return Measurement(None)
    sampling = [binomial_se(rows.loc[a, "test accuracy (mean)"], test_samples) for a in ("learned", name)]
    runs = rows.loc[name, "runs"]
    paired = spread[name] / np.sqrt(runs) if runs > 1 and np.isfinite(spread[name]) else 0.0
    return Measurement(float(rows.loc[name, "learned minus this (mean)"]), spread=spread[name],
                       se=float(np.sqrt(sum(e ** 2 for e in sampling) + paired ** 2)))


def activation_two_extrema(final_curve: np.ndarray) -> Measurement:
    """activation_two_extrema: the number of local extrema of the final learned activation."""
    return Measurement(local_extrema(final_curve))


def claim_values(table: pd.DataFrame, spread: dict, final_curve: np.ndarray, beaten, test_samples: int) -> ClaimValues:
    """Figure 7's claims from ``accuracy_comparison``'s table and spreads and the final learned
    activation on its grid: the advantage over each baseline in ``beaten``, and the extrema."""
    values = ClaimValues()
    for name in beaten:
        values.add(f"activation_beats_{name}", activation_beats(table, spread, name, test_samples))
    values.add("activation_two_extrema", activation_two_extrema(final_curve))
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
