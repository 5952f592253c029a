"""Section summaries: each paper section's job outputs turned into the values of its claims,
with their spread and standard error (see claims.py for how a verdict reads them). Only numpy
and pandas, so that the aggregation jobs start fast.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .claims import accuracy_se, binomial_se, difference

# --- 3. The dataset: pixel-space baselines ---------------------------------------------------------


def pixel_claim_values(accuracy: dict, test_samples: dict) -> tuple[dict, dict]:
    """(values, standard errors) of the pixel-space claims from the test accuracies (%) of kNN and
    logistic regression on MNIST-1D and of the same kNN on MNIST (keys ``mnist1d_knn``,
    ``mnist1d_logistic``, ``mnist_knn``) and their test-set sizes: each accuracy with its binomial
    error, and the kNN contrast (MNIST minus MNIST-1D) with the two errors combined."""
    measured = {key: (value, binomial_se(value, test_samples[key])) for key, value in accuracy.items()}
    claims = {"pixel_knn_accuracy": measured["mnist1d_knn"], "pixel_logistic_accuracy": measured["mnist1d_logistic"],
              "knn_mnist_beats_mnist1d": difference(measured["mnist_knn"], measured["mnist1d_knn"])}
    return {name: value for name, (value, _) in claims.items()}, {name: se for name, (_, se) in claims.items()}


# --- 5.5 Self-supervised learning (Figure 8) ------------------------------------------------------
ENCODER_OUTPUT = 3  # layer index of the last convolution: the representation "before the head"


def probe_table(metrics: list[dict]):
    """One row per job and layer: the job's settings and the probe's test accuracy there."""
    return pd.DataFrame([{"loss": m["loss"], "train_data": m["train_data"], "info_nce": m["info_nce"] or "",
                          "tol": m["probe_tol"],
                          "head_layers": m["head_layers"], "seed": m["seed"], "layer": layer,
                          "features": m["layer_features"][layer], "accuracy": acc}
                         for m in metrics for layer, acc in enumerate(m["probe_accuracy"])])


def runs_under(probes, settings: dict):
    """The rows of the jobs run under ``settings`` ({"train_data", "info_nce", "tol"}: the probe's
    tolerance); VICReg jobs have no InfoNCE form and count as run under every one."""
    keep = (probes["train_data"] == settings["train_data"]) & (probes["tol"] == settings["tol"])
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


# --- 5.3 Metalearning a learning rate (Figure 6) --------------------------------------------------


def metalearning_lr_finals(runs) -> pd.DataFrame:
    """One row per metalearning run (initial weights, starting learning rate, draw) from the
    outer-step rows of every run: its final learning rate, whether it diverged (a non-finite
    meta-loss, or one that ends above where it started), the first outer step within 1 % of
    the final rate, and its first and last meta-loss."""
    finals = []
    for (kind, initial_lr, init_seed), run in runs.groupby(["initial_weights", "initial_lr", "init_seed"]):
        run = run.sort_values("outer_step")
        final = run["lr"].iloc[-1]
        settled = run.loc[(run["lr"] - final).abs() <= 0.01 * abs(final), "outer_step"]
        diverged = bool(not np.isfinite(run["meta_loss"]).all() or run["meta_loss"].iloc[-1] > run["meta_loss"].iloc[0])
        finals.append({"initial_weights": kind, "initial_lr": initial_lr, "init_seed": init_seed, "final": final,
                       "diverged": diverged, "settled": int(settled.min()) if len(settled) else np.nan,
                       "first_loss": run["meta_loss"].iloc[0], "final_loss": run["meta_loss"].iloc[-1],
                       "outer_steps": int(run["outer_step"].max())})
    return pd.DataFrame(finals)


def lr_claim_values(finals: pd.DataFrame, kind: str, paper_starts: list[float]):
    """(values, spreads, per-draw gaps between the starts, draws) of Figure 6's claims under one
    setting of initial weights: the reference's single deterministic run per start, or the mean
    over the draws. A diverged run is a failure to converge, not a run to leave out: it counts
    as inf, which fails its claim. Both starts descend the meta-loss of the same initial
    weights, so the gap is paired; its claim reads the largest gap over the draws."""
    mine = finals[(finals["initial_weights"] == kind) & finals["initial_lr"].isin(paper_starts)]
    value = mine["final"].where(~mine["diverged"] & np.isfinite(mine["final"]), np.inf)
    by_start = mine.assign(value=value).pivot(index="init_seed", columns="initial_lr", values="value")
    low, high = min(paper_starts), max(paper_starts)
    two_starts = len(paper_starts) > 1
    gaps = None
    with np.errstate(invalid="ignore"):  # inf - inf where a run diverged: its values are inf anyway
        if two_starts:
            gaps = (by_start.max(axis=1) - by_start.min(axis=1)).abs().where(np.isfinite(by_start).all(axis=1),
                                                                              np.inf)
        values = {"lr_from_low": float(by_start[low].mean()),
                  "lr_from_high": float(by_start[high].mean()) if two_starts else None,
                  "lr_runs_agree": float(gaps.max()) if two_starts else None}
        several = len(by_start) > 1
        spread = {"lr_from_low": by_start[low].std() if several else None,
                  "lr_from_high": by_start[high].std() if several and two_starts else None,
                  "lr_runs_agree": None}
    draws = {name: len(by_start) for name, value in spread.items() if value is not None}
    return values, spread, gaps, draws


# --- 5.4 Metalearning an activation function (Figure 7) -------------------------------------------


def activation_comparison(learned: pd.DataFrame, baselines: pd.DataFrame, names: list[str], final_outer_steps: int):
    """Test accuracy per activation over the last ``final_outer_steps`` outer steps, and the
    learned activation's advantage over each baseline in ``names``. A baseline with a run per
    outer step (fresh seeding) is compared pairwise, run k against outer step k (same initial
    weights and noise); a baseline with one run (the reference's seeding) against every outer
    step of the window. Returns the table, each difference's standard deviation, and the
    window's first outer step."""
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


def activation_claim_values(table: pd.DataFrame, spread: dict, extrema: int, beaten, test_samples: int):
    """(values, spreads, standard errors) of Figure 7's claims from ``activation_comparison``'s
    table: the learned activation's advantage over each baseline in ``beaten``, and the number
    of local extrema of the final learned activation. Every accuracy is read on the same
    ``test_samples`` test samples, so averaging over outer steps does not remove their sampling
    noise: a gap's standard error is that of a difference of two accuracies on those samples,
    with the spread over paired runs / sqrt(runs) added in quadrature where a baseline has
    several runs."""
    rows = table.set_index("activation")
    values, errors = {}, {}
    for name in beaten:
        key = f"activation_beats_{name}"
        values[key] = float(rows.loc[name, "learned minus this (mean)"]) if name in rows.index else None
        if name not in rows.index:
            continue
        sampling = [binomial_se(rows.loc[a, "test accuracy (mean)"], test_samples) for a in ("learned", name)]
        runs = rows.loc[name, "runs"]
        paired = spread[name] / np.sqrt(runs) if runs > 1 and np.isfinite(spread[name]) else 0.0
        errors[key] = float(np.sqrt(sum(e ** 2 for e in sampling) + paired ** 2))
    values["activation_two_extrema"] = extrema
    return values, {f"activation_beats_{name}": spread.get(name) for name in beaten}, errors


# --- 5.1 Lottery tickets (Figure 4) ---------------------------------------------------------------


def seed_spread(values) -> float | None:
    """Standard deviation over seeds of a claim's per-seed values (None from one seed)."""
    values = pd.Series(values, dtype=float).dropna()
    return float(values.std(ddof=1)) if len(values) > 1 else None


def relative_to_chance(adjacency: pd.DataFrame, network: str, run_length: int, per_seed: bool = False):
    """(Runs of ``run_length`` adjacent first-layer weights kept) / (what random placement at the
    mask's own first-layer density keeps), mean over seeds (``per_seed``: one value per seed).
    Tickets and random masks keep different numbers of first-layer weights (a layer's mask also
    covers its biases), so raw fractions are not comparable."""
    rows = adjacency[(adjacency["network"] == network) & (adjacency["run_length"] == run_length)]
    ratio = (rows["mean_fraction"] / rows["chance_fraction"]).set_axis(rows["seed"]).sort_index()
    return ratio if per_seed else float(ratio.mean())


def lottery_claim_values(chains: pd.DataFrame, runs: pd.DataFrame, adjacency: pd.DataFrame, panels: dict):
    """(values, spreads over seeds, seeds) of the lottery claims from the paper schedule's
    chains (one row per method, seed and level), the asymptotic runs (one row per variant,
    network, initialisation and seed, with its asymptotic_test_acc) and the ticket's
    first-layer adjacency (one row per network, seed and run length). Every value is a mean over
    seeds, or a difference or ratio of such means; its spread is that of the per-seed values.
    ``panels`` names the asymptotic variant behind Figure 4's original, flipped and shuffled
    panels (None: not run)."""
    accuracy = {method: frame.pivot(index="level", columns="seed", values="test_acc")
                for method, frame in chains.groupby("method")}
    sparsity = chains.groupby("level")["sparsity"].first()
    high = sparsity[(sparsity >= 0.5) & (sparsity < 1)].index
    above95 = sparsity[(sparsity > 0.95) & (sparsity < 1)].index
    # the fixed level of the >95 % claim: the schedule's first level above 95 % sparsity, against dense (level 0)
    past95 = accuracy["magnitude"].loc[above95[0]] - accuracy["magnitude"].loc[0] if len(above95) else None
    beat_random = (accuracy["magnitude"].loc[high] - accuracy["random"].loc[high]).mean()

    def per_seed(variant, init, network):
        rows = runs[(runs["variant"] == variant) & (runs["init"] == init) & (runs["network"] == network)]
        return None if variant is None or rows.empty else rows.set_index("seed")["asymptotic_test_acc"].sort_index()

    def gap(variant, init):
        ticket, dense = per_seed(variant, init, "lottery"), per_seed(variant, init, "dense")
        return None if ticket is None or dense is None else ticket - dense

    def shuffling_cost():
        on_original = per_seed(panels["original"], "original", "lottery")
        on_shuffled = per_seed(panels["shuffled"], "original", "lottery")
        return None if on_original is None or on_shuffled is None else on_original - on_shuffled

    per_seed_values = {
        "tickets_beat_random": beat_random,
        "tickets_beat_dense_above_95": past95,
        "ticket_asymptotic_accuracy": per_seed(panels["original"], "original", "lottery"),
        "ticket_flipped_accuracy": per_seed(panels["flipped"], "original", "lottery"),
        "ticket_shuffled_vs_dense": gap(panels["shuffled"], "original"),
        "ticket_shuffling_costs": shuffling_cost(),
        "ticket_new_init_vs_dense": gap(panels["original"], "new"),
        "ticket_more_adjacent": (relative_to_chance(adjacency, "lottery", 2, per_seed=True)
                                 / relative_to_chance(adjacency, "random", 2, per_seed=True)),
    }
    values = {name: None if v is None else float(v.mean()) for name, v in per_seed_values.items()}
    # the adjacency claim is a ratio of means over seeds, not a mean of per-seed ratios
    values["ticket_more_adjacent"] = (relative_to_chance(adjacency, "lottery", 2)
                                      / relative_to_chance(adjacency, "random", 2))
    spread = {name: None if v is None else seed_spread(v) for name, v in per_seed_values.items()}
    seeds = {name: int(v.notna().sum()) for name, v in per_seed_values.items() if v is not None}
    return values, spread, seeds
