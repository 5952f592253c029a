"""Section summaries: each paper section's job outputs turned into the values of its claims,
with their spread and standard error (see claims.py for how a verdict reads them). Only numpy
and pandas, so that the aggregation jobs start fast.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .claims import accuracy_se

# --- 5.5 Self-supervised learning (Figure 8) ------------------------------------------------------
ENCODER_OUTPUT = 3  # layer index of the last convolution: the representation "before the head"


def probe_table(metrics: list[dict]):
    """One row per job and layer: the job's settings and the probe's test accuracy there."""
    return pd.DataFrame([{"loss": m["loss"], "train_data": m["train_data"], "info_nce": m["info_nce"] or "",
                          "head_layers": m["head_layers"], "seed": m["seed"], "layer": layer,
                          "features": m["layer_features"][layer], "accuracy": acc}
                         for m in metrics for layer, acc in enumerate(m["probe_accuracy"])])


def runs_under(probes, settings: dict):
    """The rows of the jobs run under ``settings`` ({"train_data", "info_nce"}); VICReg jobs
    have no InfoNCE form and count as run under every one."""
    keep = probes["train_data"] == settings["train_data"]
    keep &= (probes["info_nce"] == settings["info_nce"]) | (probes["loss"] != "info_nce")
    return probes[keep]


def ssl_claim_values(probes, test_samples: int) -> tuple[dict, dict, dict]:
    """(values, spreads over seeds, standard errors) of the section's claims from the InfoNCE
    jobs among ``probes``: the 2-layer-head encoder's accuracy before the head, and the share
    of head depths whose best layer lies strictly inside the network."""
    info = probes[probes["loss"] == "info_nce"]
    curves = info.groupby(["head_layers", "layer"])["accuracy"].mean().reset_index()
    peaks_inside = [0 < int(curve.loc[curve["accuracy"].idxmax(), "layer"]) < curve["layer"].max()
                    for _, curve in curves.groupby("head_layers")]
    before_head = info[(info["head_layers"] == 2) & (info["layer"] == ENCODER_OUTPUT)]["accuracy"]
    values = {"linear_accuracy_before_head": float(before_head.mean()) if len(before_head) else None,
              "accuracy_peaks_in_the_middle": float(np.mean(peaks_inside)) if peaks_inside else None}
    spread = {"linear_accuracy_before_head": float(before_head.std()) if len(before_head) > 1 else None}
    errors = {}
    if len(before_head):
        errors["linear_accuracy_before_head"] = accuracy_se(values["linear_accuracy_before_head"],
                                                            spread["linear_accuracy_before_head"], len(before_head),
                                                            test_samples)
    return values, spread, errors
