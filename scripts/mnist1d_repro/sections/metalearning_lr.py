"""Section 5.3: metalearning a learning rate (Figure 6)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .spec import ClaimValues, Measurement, Section, Switch

if TYPE_CHECKING:
    import pandas as pd

INITIAL_WEIGHTS = Switch("metalearning.learning_rate.initial_weights", ("reference", "draws"), reruns_jobs=True)

SECTION = Section(
    name="metalearning_lr",
    folder="metalearning",
    category="5.3-5.4 Metalearning",
    outputs=("figure6.png", "learning_rates.html"),
    claims_tables=("learning_rate_claims.csv",),
    sensitivity_tables=("learning_rate_sensitivity.csv",),
    switches=(INITIAL_WEIGHTS,),
)

# --- the measurements: from the outer-step rows of the metalearning jobs (plain tables) ---------------

def run_finals(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per metalearning run (initial weights, starting learning rate, draw) from the
    outer-step rows of every run: its final learning rate, whether it diverged (a non-finite
    meta-loss, or one that ends above where it started), the first outer step within 1 % of
    the final rate, and its first and last meta-loss."""
    import pandas as pd

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


def initial_weight_kinds(finals: pd.DataFrame, configured: str) -> list[str]:
    """The settings of initial weights that ran, the configured one first."""
    return sorted(set(finals["initial_weights"]), key=lambda kind: (kind != configured, kind))


def start_table(finals: pd.DataFrame, kinds: list[str], paper_starts: list[float]) -> pd.DataFrame:
    """The table of Figure 6: per setting of initial weights and starting learning rate, how many
    runs diverged and the final learning rate over the others (mean, std, range), the latest
    first step within 1 % of it, and the meta-loss at the start and at the end."""
    import pandas as pd

    rows = []
    for kind in kinds:
        for initial_lr, group in finals[finals["initial_weights"] == kind].groupby("initial_lr"):
            converged = group[~group["diverged"]]
            rows.append({"initial weights": kind, "initial learning rate": initial_lr,
                         "start": "paper" if initial_lr in paper_starts else "ablation",
                         "runs": len(group), "diverged": int(group["diverged"].sum()),
                         "final learning rate (mean)": converged["final"].mean(),
                         "final learning rate (std)": converged["final"].std() if len(converged) > 1 else np.nan,
                         "final learning rate (min)": converged["final"].min(),
                         "final learning rate (max)": converged["final"].max(),
                         "outer steps": int(group["outer_steps"].max()),
                         "first step within 1 % of final (latest)": (converged["settled"].max() if len(converged)
                                                                     else np.nan),
                         "first meta-loss (mean)": group["first_loss"].mean(),
                         "final meta-loss (mean)": converged["final_loss"].mean()})
    return pd.DataFrame(rows)


def final_rates_by_start(finals: pd.DataFrame, kind: str, paper_starts: list[float]) -> pd.DataFrame:
    """The final learning rate of each run from the paper's starts under one setting of initial
    weights: a row per draw (init_seed), a column per start. A diverged run is a failure to
    converge, not a run to leave out: it counts as inf, which fails its claim."""
    mine = finals[(finals["initial_weights"] == kind) & finals["initial_lr"].isin(paper_starts)]
    value = mine["final"].where(~mine["diverged"] & np.isfinite(mine["final"]), np.inf)
    return mine.assign(value=value).pivot(index="init_seed", columns="initial_lr", values="value")


def start_gaps(by_start: pd.DataFrame) -> pd.Series:
    """Per draw, how far apart the paper's starts end (inf where one diverged). Both starts
    descend the meta-loss of the same initial weights, so the gap is paired."""
    with np.errstate(invalid="ignore"):  # inf - inf where a run diverged: its gap is inf anyway
        return (by_start.max(axis=1) - by_start.min(axis=1)).abs().where(np.isfinite(by_start).all(axis=1), np.inf)


def _final_rate_from(by_start: pd.DataFrame, start: float) -> Measurement:
    """The mean final learning rate from one start over the draws, and its spread where there are several."""
    several = len(by_start) > 1
    with np.errstate(invalid="ignore"):  # the std of a column holding inf (a diverged run)
        return Measurement(float(by_start[start].mean()), spread=by_start[start].std() if several else None,
                           n=len(by_start) if several else None)


def lr_from_low(by_start: pd.DataFrame, paper_starts: list[float]) -> Measurement:
    """lr_from_low: the final learning rate from the paper's low start (0.15)."""
    return _final_rate_from(by_start, min(paper_starts))


def lr_from_high(by_start: pd.DataFrame, paper_starts: list[float]) -> Measurement:
    """lr_from_high: the final learning rate from the paper's high start (1.5); None with one start."""
    if len(paper_starts) < 2:
        return Measurement(None)
    return _final_rate_from(by_start, max(paper_starts))


def lr_runs_agree(by_start: pd.DataFrame, paper_starts: list[float]) -> Measurement:
    """lr_runs_agree: the largest gap between the two starts' final learning rates over the
    draws; None with one start."""
    if len(paper_starts) < 2:
        return Measurement(None)
    return Measurement(float(start_gaps(by_start).max()))


def claim_values(finals: pd.DataFrame, kind: str, paper_starts: list[float]) -> ClaimValues:
    """Figure 6's claims under one setting of initial weights: the reference's single
    deterministic run per start (no spread), or the mean over the draws."""
    by_start = final_rates_by_start(finals, kind, paper_starts)
    values = ClaimValues()
    values.add("lr_from_low", lr_from_low(by_start, paper_starts))
    values.add("lr_from_high", lr_from_high(by_start, paper_starts))
    values.add("lr_runs_agree", lr_runs_agree(by_start, paper_starts))
    return values


def widest_gap(runs: pd.DataFrame, finals: pd.DataFrame, paper_starts: list[float]) -> dict | None:
    """Over the draws of the initial weights, the draw where the paper's starts end furthest
    apart: {"draw", "gaps" (per draw), "ends": {start: (final learning rate, last outer step's
    change)}}; None with one start, without draws, or where no gap is finite."""
    if len(paper_starts) < 2 or not (finals["initial_weights"] == "draws").any():
        return None
    gaps = start_gaps(final_rates_by_start(finals, "draws", paper_starts))
    if not np.isfinite(gaps).any():
        return None
    draw = gaps[np.isfinite(gaps)].idxmax()
    ends = {}
    for start in (min(paper_starts), max(paper_starts)):
        run = runs[(runs["initial_weights"] == "draws") & (runs["initial_lr"] == start)
                   & (runs["init_seed"] == draw)].sort_values("outer_step")
        ends[start] = (run["lr"].iloc[-1], run["lr"].iloc[-1] - run["lr"].iloc[-2])
    return {"draw": draw, "gaps": gaps, "ends": ends}
