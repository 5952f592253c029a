"""Section 5.5: self-supervised learning (Figure 8)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..claims import accuracy_se
from .spec import ClaimValues, Measurement, Section, Switch, mean_over_runs, setting_name

if TYPE_CHECKING:
    import pandas as pd

TRAIN_DATA = Switch("ssl.train_data", ("train", "train_and_test"), reruns_jobs=True)
INFO_NCE = Switch("ssl.info_nce", ("one_directional", "symmetric"), reruns_jobs=True)
# each SSL job fits its own linear probes, so another tolerance reruns the jobs
PROBE_TOL = Switch("linear_probe.tol", None, reruns_jobs=True)
# the seeds the claims are judged over: the reference's one run used 42
SEEDS = Switch("ssl.seeds", None, reruns_jobs=True, seed_set=True)

SECTION = Section(
    name="ssl",
    folder="ssl",
    category="5.5 Self-supervised learning",
    outputs=("probe_accuracy.html", "figure8.png"),
    claims_tables=("claims.csv",),
    sensitivity_tables=("sensitivity.csv",),
    switches=(TRAIN_DATA, INFO_NCE, PROBE_TOL, SEEDS),
)

ENCODER_OUTPUT = 3  # layer index of the last convolution: the representation "before the head"
# what the reference printed: linear-probe accuracy (%) after each layer, InfoNCE with a 2-layer head
REFERENCE_2_LAYER = [32.8, 75.1, 80.9, 82.1, 76.1, 75.0]
# The probe table names each switch's column after the switch (Switch.folder_prefix: "train_data", "info_nce",
# "tol"), so that a switch's settings select its rows. One metrics.json field is named otherwise: train_ssl.py
# records linear_probe.tol as "probe_tol", which becomes the table's "tol" here and only here. The seeds switch
# selects its rows by the "seed" column (a setting is a list of seeds).
PROBE_TOL_FIELD = "probe_tol"
SETTING_COLUMNS = {switch.key: switch.folder_prefix for switch in SECTION.switches}  # dotted switch -> setting key


# --- the probe table ------------------------------------------------------------------------------------


def probe_table(metrics: list[dict]) -> pd.DataFrame:
    """One row per job and layer: the job's loss and switch settings, head depth, seed, and the
    probe's test accuracy at that layer (VICReg jobs have no InfoNCE form: "")."""
    import pandas as pd

    return pd.DataFrame([{"loss": m["loss"], TRAIN_DATA.folder_prefix: m["train_data"],
                          INFO_NCE.folder_prefix: m["info_nce"] or "", PROBE_TOL.folder_prefix: m[PROBE_TOL_FIELD],
                          "head_layers": m["head_layers"], "seed": m["seed"], "layer": layer,
                          "features": m["layer_features"][layer], "accuracy": acc}
                         for m in metrics for layer, acc in enumerate(m["probe_accuracy"])])


def configured_settings(switch_settings: dict) -> dict:
    """The configured setting of each switch, by its probe-table column (``switch_settings``: the
    dotted switch -> [configured setting, *alternatives])."""
    return {SETTING_COLUMNS[key]: settings[0] for key, settings in switch_settings.items()}


def runs_under(probes: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """The rows of the jobs run under ``settings`` (by probe-table column, as ``configured_settings``;
    "seeds": the seeds kept); VICReg jobs have no InfoNCE form and count as run under every one."""
    train_data, info_nce, tol = (TRAIN_DATA.folder_prefix, INFO_NCE.folder_prefix, PROBE_TOL.folder_prefix)
    keep = (probes[train_data] == settings[train_data]) & (probes[tol] == settings[tol])
    keep &= (probes[info_nce] == settings[info_nce]) | (probes["loss"] != "info_nce")
    keep &= probes["seed"].isin(settings[SEEDS.folder_prefix])
    return probes[keep]


# --- the claims: the InfoNCE jobs' probes ---------------------------------------------------------------


def best_layer(curve: pd.DataFrame, column: str = "accuracy") -> int:
    """The layer with the highest ``column`` in one curve (the first of a tie)."""
    return int(curve.loc[curve[column].idxmax(), "layer"])


def linear_accuracy_before_head(probes: pd.DataFrame, test_samples: int) -> Measurement:
    """The InfoNCE 2-layer-head encoder's probe accuracy at its output (before the head): the mean
    over seeds with its spread, or one run's with its binomial error on ``test_samples``."""
    info = probes[probes["loss"] == "info_nce"]
    accuracy = info[(info["head_layers"] == 2) & (info["layer"] == ENCODER_OUTPUT)]["accuracy"]
    if not len(accuracy):
        return Measurement(None)
    mean = float(accuracy.mean())
    spread = float(accuracy.std()) if len(accuracy) > 1 else None
    return Measurement(mean, spread=spread, se=accuracy_se(mean, spread, len(accuracy), test_samples),
                       n=len(accuracy) if spread is not None else None)


def accuracy_peaks_in_the_middle(probes: pd.DataFrame) -> Measurement:
    """Per seed, the share of its InfoNCE head depths whose probe accuracy is best strictly inside
    the network (neither the input nor the last layer); the mean of those shares over seeds, with
    their spread and n (the claim is over seeds: which layer is best moves with the seed)."""
    info = probes[probes["loss"] == "info_nce"]
    shares = [np.mean([0 < best_layer(curve, "accuracy") < curve["layer"].max()
                       for _, curve in by_seed.groupby("head_layers")])
              for _, by_seed in info.groupby("seed")]
    return mean_over_runs(shares) if shares else Measurement(None)


def claim_measurements(probes: pd.DataFrame, test_samples: int) -> ClaimValues:
    """The SSL claims from the probes of one combination of settings (``runs_under``)."""
    values = ClaimValues()
    values.add("linear_accuracy_before_head", linear_accuracy_before_head(probes, test_samples))
    values.add("accuracy_peaks_in_the_middle", accuracy_peaks_in_the_middle(probes))
    return values


def switch_sensitivity(probes: pd.DataFrame, switch_settings: dict, test_samples: int,
                       ablation_seeds: list | None = None) -> dict:
    """For each switch (dotted key -> its settings, the configured one first), the claims under each
    of its settings (by ``setting_name``) with the other switches at their configured settings.
    Every switch but the seed set compares its settings on ``ablation_seeds``, the seeds its
    alternatives run (None: the configured seeds), so that both sides stand on the same seeds."""
    configured = configured_settings(switch_settings)
    on_ablation_seeds = configured if ablation_seeds is None else {**configured, SEEDS.folder_prefix: ablation_seeds}
    return {key: {setting_name(setting): claim_measurements(runs_under(probes, {
                      **(configured if key == SEEDS.key else on_ablation_seeds), SETTING_COLUMNS[key]: setting}),
                      test_samples)
                  for setting in settings}
            for key, settings in switch_settings.items()}



# --- Figure 8's table -----------------------------------------------------------------------------------


def layer_accuracy(probes: pd.DataFrame) -> pd.DataFrame:
    """One row per loss, head depth and layer: the probe accuracy's mean and std over seeds."""
    return probes.groupby(["loss", "head_layers", "layer"])["accuracy"].agg(["mean", "std"]).reset_index()


def seeds_by_loss(probes: pd.DataFrame) -> str:
    """How many seeds each loss's rows hold, for the table's note: "12 seeds (info_nce), 3 (vicreg)",
    or "3 seeds" when every loss has as many."""
    counts = probes.groupby("loss", sort=False)["seed"].nunique()
    if counts.nunique() == 1:
        return f"{counts.iloc[0]} seed{'s' if counts.iloc[0] != 1 else ''}"
    return ", ".join(f"{count}{' seeds' if i == 0 else ''} ({loss})" for i, (loss, count) in enumerate(counts.items()))


def accuracy_table(layers: pd.DataFrame) -> pd.DataFrame:
    """The mean accuracy after each layer (one row per loss and head depth, rounded to 0.1), and
    last the reference's printed row."""
    import pandas as pd

    table = layers.pivot_table(index=["loss", "head_layers"], columns="layer", values="mean").round(1)
    table.columns = [f"layer {c}" for c in table.columns]
    reference = {"loss": "reference (InfoNCE)", "head_layers": 2,
                 **{f"layer {i}": v for i, v in enumerate(REFERENCE_2_LAYER)}}
    return pd.concat([table.reset_index(), pd.DataFrame([reference])], ignore_index=True).astype(object).fillna("")
