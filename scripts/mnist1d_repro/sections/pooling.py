"""Section 5.6: pooling (Figure 9)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .spec import ClaimValues, Measurement, Section, Switch

if TYPE_CHECKING:
    import pandas as pd

TRAIN_SETS = Switch("pooling.train_sets", ("per_size", "nested"), reruns_jobs=True)

SECTION = Section(
    name="pooling",
    folder="pooling",
    category="5.6 Pooling",
    outputs=("final_accuracy.html", "figure9.png"),
    claims_tables=("claims.csv",),
    sensitivity_tables=("sensitivity.csv",),
    switches=(TRAIN_SETS,),
)

POOLED = ("max", "avg", "l2")
# final test accuracy (%) the reference notebook printed for one run (torch seed 0), by training size
REFERENCE_ACCURACY = {
    1000: {"none": 59.2, "stride": 57.4, "max": 78.2, "avg": 78.0, "l2": 77.2},
    50000: {"none": 96.3, "stride": 95.4, "max": 98.1, "avg": 97.3, "l2": 97.1},
}


# --- the claims: gaps in final test accuracy, paired by seed -----------------------------------------


def per_seed_accuracy(runs: pd.DataFrame) -> pd.DataFrame:
    """Final test accuracy by (train_size, seed) and pooling (``runs``: one row per job with
    pooling, train_size, seed, test_acc)."""
    return runs.pivot_table(index=["train_size", "seed"], columns="pooling", values="test_acc")


def accuracy_gap(per_seed: pd.DataFrame, size: int, variants) -> pd.Series | None:
    """Per seed at one training size: the mean accuracy of ``variants`` minus no pooling's, in
    points (the same seed's runs paired); None where no variant or no unpooled run ran."""
    present = [v for v in variants if v in per_seed.columns]
    if not present or "none" not in per_seed.columns:
        return None
    at_size = per_seed.loc[size]
    return at_size[present].mean(axis=1) - at_size["none"]


def gap_measurement(gap: pd.Series | None, seeds: int) -> Measurement:
    """A gap's mean over seeds, with its spread over them where there are several."""
    if gap is None:
        return Measurement(None, n=seeds)
    return Measurement(float(gap.mean()), spread=float(gap.std()) if len(gap) > 1 else None, n=seeds)


def _sizes(per_seed: pd.DataFrame) -> tuple[int, int]:
    sizes = per_seed.index.get_level_values("train_size")
    return sizes.min(), sizes.max()


def pooling_helps_small_data(runs: pd.DataFrame) -> Measurement:
    """The pooled variants' mean accuracy minus no pooling's at the smallest training size."""
    per_seed = per_seed_accuracy(runs)
    return gap_measurement(accuracy_gap(per_seed, _sizes(per_seed)[0], POOLED), runs["seed"].nunique())


def pooling_no_help_large_data(runs: pd.DataFrame) -> Measurement:
    """The size of the gap at the largest training size: |the pooled variants' mean accuracy minus
    no pooling's|, its mean over seeds taken before the absolute value (the claim is that the
    average gap is small either way), with the signed gap's spread."""
    per_seed = per_seed_accuracy(runs)
    signed = gap_measurement(accuracy_gap(per_seed, _sizes(per_seed)[1], POOLED), runs["seed"].nunique())
    return signed if signed.value is None else signed._replace(value=abs(signed.value))


def striding_does_not_help(runs: pd.DataFrame) -> Measurement:
    """Striding's accuracy minus no pooling's at the smallest training size."""
    per_seed = per_seed_accuracy(runs)
    return gap_measurement(accuracy_gap(per_seed, _sizes(per_seed)[0], ["stride"]), runs["seed"].nunique())


def claim_measurements(runs: pd.DataFrame) -> ClaimValues:
    """The pooling claims from one training-set setting's runs."""
    values = ClaimValues()
    for claim in (pooling_helps_small_data, pooling_no_help_large_data, striding_does_not_help):
        values.add(claim.__name__, claim(runs))
    return values


def runs_with_train_sets(runs: pd.DataFrame, setting: str) -> pd.DataFrame:
    """The runs of one pooling.train_sets setting among the alternative settings' runs."""
    return runs[runs["train_sets"] == setting]



# --- Figure 9 and its table ------------------------------------------------------------------------------


def final_accuracy(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per pooling and training size, in the runs' order: the final test accuracy's
    mean, std and count over seeds."""
    return runs.groupby(["pooling", "train_size"], sort=False)["test_acc"].agg(["mean", "std", "count"]).reset_index()


def accuracy_table(final: pd.DataFrame) -> pd.DataFrame:
    """Figure 9's table: one row per training size, for each pooling its mean ± std over seeds
    (the mean alone for one seed) beside what the reference printed."""
    import pandas as pd

    sizes = sorted(final["train_size"].unique())
    table = pd.DataFrame({"training samples": sizes})
    for pooling in dict.fromkeys(final["pooling"]):
        sub = final[final["pooling"] == pooling].set_index("train_size")
        table[pooling] = [f"{sub.loc[n, 'mean']:.1f} ± {sub.loc[n, 'std']:.1f}" if sub.loc[n, "count"] > 1
                          else f"{sub.loc[n, 'mean']:.1f}" for n in sizes]
        table[f"{pooling} (reference)"] = [REFERENCE_ACCURACY.get(n, {}).get(pooling, "") for n in sizes]
    return table


def mean_curves(metrics: list[dict]) -> pd.DataFrame:
    """Test accuracy against training step, the mean over seeds: one row per pooling, training
    size and evaluated step (``metrics``: the jobs' metrics.json, each with its ``curve``)."""
    import pandas as pd

    points = pd.DataFrame([{"pooling": m["pooling"], "train_size": m["train_size"], "seed": m["seed"], **point}
                           for m in metrics for point in m["curve"]])
    return points.groupby(["pooling", "train_size", "step"])["test_acc"].mean().reset_index()
