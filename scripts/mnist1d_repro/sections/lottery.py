"""Section 5.1: lottery tickets (Figure 4, Figure S2, the pruning-rate and asymptotic ablations)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .spec import ClaimValues, Measurement, Section, Switch

if TYPE_CHECKING:
    import pandas as pd

# Which weights of a retrain score the next level's magnitude pruning.
SCORE_WEIGHTS = Switch("lottery.score_weights", ("last_checkpoint", "final"), reruns_jobs=True)

SECTION = Section(
    name="lottery",
    folder="lottery",
    category="5.1 Lottery tickets",
    outputs=(
        "summary.html",
        "figure4.png",
        "figureS2.png",
        "asymptotic.html",
        "pruning_rate.png",
        "asymptotic_ablation.png",
    ),
    claims_tables=("claims.csv",),
    sensitivity_tables=("sensitivity.csv",),
    switches=(SCORE_WEIGHTS,),
)

# --- Measurements ------------------------------------------------------------------------------
# Everything below takes the tables the figure4 job reads (pruning chains, the asymptotic runs'
# metrics, the ticket's first-layer masks) and returns numbers and tables; pandas is imported
# inside the functions that build a frame.

# The network a pruning method's subnetwork is called in the tables and figures.
METHOD_NETWORK = {"magnitude": "lottery", "random": "random"}
# The metrics of an asymptotic run that its table keeps.
RUN_METRICS = ("final_test_acc", "asymptotic_test_acc", "final_train_acc", "kept_fraction")


def adjacency_fractions(first_layer_mask: np.ndarray, run_length: int) -> np.ndarray:
    """Per hidden unit (row), the fraction of the ``inputs - run_length + 1`` windows of
    ``run_length`` adjacent inputs whose weights are all kept. A random mask of density p
    gives p ** run_length on average."""
    mask = np.asarray(first_layer_mask, dtype=bool)
    windows = np.ones((mask.shape[0], mask.shape[1] - run_length + 1), dtype=bool)
    for offset in range(run_length):
        windows &= mask[:, offset:mask.shape[1] - run_length + 1 + offset]
    return windows.mean(axis=1)


def all_chains(levels: dict) -> pd.DataFrame:
    """Every pruning chain's levels in one table, from {(schedule, method, seed): its levels
    table}, with the chain's keys as the first columns."""
    import pandas as pd
    keys = ["schedule", "method", "seed"]
    chains = pd.concat([frame.assign(schedule=schedule, method=method, seed=seed)
                        for (schedule, method, seed), frame in levels.items()])
    return chains[keys + [c for c in chains.columns if c not in keys]]


def paper_chains(levels: dict) -> pd.DataFrame:
    """The paper schedule's chains in one table, from {(method, seed): its levels table}."""
    import pandas as pd
    return pd.concat([frame.assign(method=method, seed=seed) for (method, seed), frame in levels.items()])


def level_means(chains: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of ``keys`` (ending in the level): its sparsity and the mean and standard
    deviation over seeds of the test accuracy and loss."""
    return chains.groupby(keys).agg(sparsity=("sparsity", "first"),
                                    test_acc=("test_acc", "mean"), test_acc_std=("test_acc", "std"),
                                    test_loss=("test_loss", "mean"), test_loss_std=("test_loss", "std"))


def levels_by_method(chains: pd.DataFrame) -> dict:
    """{pruning method: its level_means, indexed by level} of the paper schedule's chains."""
    return {method: level_means(frame, ["level"]) for method, frame in chains.groupby("method")}


def asymptotic_runs(run_specs: list[dict], run_metrics: list[dict]) -> pd.DataFrame:
    """One row per asymptotic run: its keys (its spec less the file path) and RUN_METRICS, from
    the runs' specs and their metrics, in the same order."""
    import pandas as pd
    return pd.DataFrame([{**{k: v for k, v in spec.items() if k != "path"}, **{k: metrics[k] for k in RUN_METRICS}}
                         for spec, metrics in zip(run_specs, run_metrics)])


def asymptotic_stats(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean, standard deviation and count over seeds of the asymptotic test accuracy, per
    variant, initialisation and network."""
    return runs.groupby(["variant", "init", "network"])["asymptotic_test_acc"].agg(["mean", "std", "count"])


def mean_test_curve(run_specs: list[dict], run_metrics: list[dict], variant: str, init: str, network: str):
    """The test accuracy at each evaluated step, mean over the seeds of one variant,
    initialisation and network (a Series indexed by step)."""
    import pandas as pd
    points = [point for spec, metrics in zip(run_specs, run_metrics)
              if (spec["variant"], spec["init"], spec["network"]) == (variant, init, network)
              for point in metrics["curve"]]
    return pd.DataFrame(points).groupby("step")["test_acc"].mean()


def adjacency_table(first_layer: dict, run_lengths) -> tuple[pd.DataFrame, dict]:
    """From {(method, seed): the ticket level's first-layer keep-mask}: one row per mask and run
    length (its mean adjacency fraction over hidden units, its density and the fraction chance
    gives at that density), and {(method, seed, run length): the per-unit fractions}."""
    import pandas as pd
    rows, unit_fractions = [], {}
    for (method, seed), mask in first_layer.items():
        for run in run_lengths:
            fractions = adjacency_fractions(mask, run)
            unit_fractions[(method, seed, run)] = fractions
            rows.append({"network": METHOD_NETWORK[method], "seed": seed, "run_length": run,
                         "mean_fraction": fractions.mean(), "units": len(fractions),
                         "weight_density": mask.mean(), "chance_fraction": mask.mean() ** run})
    return pd.DataFrame(rows), unit_fractions


def pooled_fraction(unit_fractions: dict, method: str, run_length: int) -> tuple[float, float]:
    """Mean and standard error of the adjacency fraction over the hidden units of every seed's
    mask of one method."""
    values = np.concatenate([fractions for (m, _, run), fractions in unit_fractions.items()
                             if m == method and run == run_length])
    return values.mean(), values.std(ddof=1) / np.sqrt(len(values))


def _network_rows(adjacency: pd.DataFrame, network: str, run_length: int | None = None) -> pd.DataFrame:
    keep = adjacency["network"] == network
    if run_length is not None:
        keep &= adjacency["run_length"] == run_length
    return adjacency[keep]


def mean_weight_density(adjacency: pd.DataFrame, network: str) -> float:
    """The fraction of first-layer weights a network's masks keep, mean over its rows."""
    return _network_rows(adjacency, network)["weight_density"].mean()


def mean_chance_fraction(adjacency: pd.DataFrame, network: str, run_length: int) -> float:
    """What random placement at the masks' own densities keeps of runs of ``run_length``, mean over seeds."""
    return _network_rows(adjacency, network, run_length)["chance_fraction"].mean()


def relative_to_chance(adjacency: pd.DataFrame, network: str, run_length: int, per_seed: bool = False):
    """(Runs of ``run_length`` adjacent first-layer weights kept) / (what random placement at the
    mask's own first-layer density keeps), mean over seeds (``per_seed``: one value per seed).
    Tickets and random masks keep different numbers of first-layer weights (a layer's mask also
    covers its biases), so raw fractions are not comparable."""
    rows = _network_rows(adjacency, network, run_length)
    ratio = (rows["mean_fraction"] / rows["chance_fraction"]).set_axis(rows["seed"]).sort_index()
    return ratio if per_seed else float(ratio.mean())


def above_95_levels(lottery_levels: pd.DataFrame):
    """The levels strictly between 95 and 100 % sparsity of a level_means table."""
    sparsity = lottery_levels["sparsity"]
    return lottery_levels[(sparsity > 0.95) & (sparsity < 1)].index


def asymptotic_table(runs: pd.DataFrame, stats: pd.DataFrame, networks) -> pd.DataFrame:
    """One row per data variant and initialisation, one 'mean ± std' column per network (the
    mean alone from one seed)."""
    import pandas as pd
    rows = []
    for (variant, init), _ in runs.groupby(["variant", "init"], sort=False):
        row = {"data variant": variant, "initialisation": init}
        for network in networks:
            s = stats.loc[(variant, init, network)]
            row[network] = f"{s['mean']:.1f} ± {s['std']:.1f}" if s["count"] > 1 else f"{s['mean']:.1f}"
        rows.append(row)
    return pd.DataFrame(rows)


def short_verdict(row) -> str:
    """'3.2 points, reproduced' for a sensitivity-table row."""
    import pandas as pd
    if row["ours"] is None or pd.isna(row["ours"]):
        return row["verdict"]
    unit = row["unit"] if row["unit"] == "%" else f" {row['unit']}"
    return f"{row['ours']:.3g}{unit}, {row['verdict']}"


def summary_table(claims: pd.DataFrame, sensitivity: pd.DataFrame, switch: str, other_settings) -> pd.DataFrame:
    """The claims table with, after its verdict, our number and verdict under each other
    setting of ``switch`` (from the sensitivity table)."""
    summary = claims.copy()
    for setting in other_settings:
        other = sensitivity[sensitivity["setting"] == setting].set_index("claim_id")
        position = summary.columns.get_loc("verdict") + 1
        summary.insert(position, f"verdict, {switch}: {setting}", summary["claim_id"].map(other["verdict"]))
        summary.insert(position, f"ours, {switch}: {setting}", summary["claim_id"].map(other["ours"]))
    return summary


# --- The claims: each a mean over seeds (or a difference or ratio of such means), its spread
# the standard deviation of the per-seed values and n the number of seeds with a value.


def seed_spread(values) -> float | None:
    """Standard deviation over seeds of a claim's per-seed values (None from one seed)."""
    import pandas as pd
    values = pd.Series(values, dtype=float).dropna()
    return float(values.std(ddof=1)) if len(values) > 1 else None


def over_seeds(per_seed, value: float | None = None) -> Measurement:
    """A claim's Measurement from its per-seed values (a Series by seed; None: not run): their
    mean, or ``value`` where the claim is not the mean of its per-seed values."""
    if per_seed is None:
        return Measurement(None)
    return Measurement(float(per_seed.mean()) if value is None else value, seed_spread(per_seed),
                       n=int(per_seed.notna().sum()))


def _accuracy_by_level(chains: pd.DataFrame, method: str) -> pd.DataFrame:
    return chains[chains["method"] == method].pivot(index="level", columns="seed", values="test_acc")


def tickets_beat_random(chains: pd.DataFrame) -> Measurement:
    """Tickets minus random subnetworks, test accuracy after retraining, mean over the paper
    schedule's levels from 50 % up to (not including) 100 % sparsity."""
    sparsity = chains.groupby("level")["sparsity"].first()
    high = sparsity[(sparsity >= 0.5) & (sparsity < 1)].index
    gap = _accuracy_by_level(chains, "magnitude").loc[high] - _accuracy_by_level(chains, "random").loc[high]
    return over_seeds(gap.mean())


def tickets_beat_dense_above_95(chains: pd.DataFrame) -> Measurement:
    """Tickets minus the dense network (level 0) at the schedule's first level above 95 % sparsity."""
    sparsity = chains.groupby("level")["sparsity"].first()
    above95 = sparsity[(sparsity > 0.95) & (sparsity < 1)].index
    if not len(above95):
        return Measurement(None)
    accuracy = _accuracy_by_level(chains, "magnitude")
    return over_seeds(accuracy.loc[above95[0]] - accuracy.loc[0])


def _asymptotic_by_seed(runs: pd.DataFrame, variant: str | None, init: str, network: str):
    """Asymptotic test accuracy by seed of one variant, initialisation and network (None: not run)."""
    rows = runs[(runs["variant"] == variant) & (runs["init"] == init) & (runs["network"] == network)]
    return None if variant is None or rows.empty else rows.set_index("seed")["asymptotic_test_acc"].sort_index()


def ticket_accuracy(runs: pd.DataFrame, variant: str | None) -> Measurement:
    """The tickets' asymptotic test accuracy on ``variant`` (original initial weights): the
    claims ticket_asymptotic_accuracy (the original variant) and ticket_flipped_accuracy."""
    return over_seeds(_asymptotic_by_seed(runs, variant, "original", "lottery"))


def ticket_vs_dense(runs: pd.DataFrame, variant: str | None, init: str) -> Measurement:
    """Tickets minus dense networks, asymptotic test accuracy on ``variant`` from the ``init``
    initial weights: ticket_shuffled_vs_dense (shuffled, original) and ticket_new_init_vs_dense
    (original, new)."""
    ticket, dense = (_asymptotic_by_seed(runs, variant, init, network) for network in ("lottery", "dense"))
    return over_seeds(None if ticket is None or dense is None else ticket - dense)


def ticket_shuffling_costs(runs: pd.DataFrame, original: str | None, shuffled: str | None) -> Measurement:
    """The tickets' asymptotic test accuracy on the original variant minus on the shuffled one."""
    on_original = _asymptotic_by_seed(runs, original, "original", "lottery")
    on_shuffled = _asymptotic_by_seed(runs, shuffled, "original", "lottery")
    return over_seeds(None if on_original is None or on_shuffled is None else on_original - on_shuffled)


def ticket_more_adjacent(adjacency: pd.DataFrame) -> Measurement:
    """The tickets' adjacent pairs relative to chance over the random masks': a ratio of the
    means over seeds, its spread that of the per-seed ratios."""
    ticket, random = (relative_to_chance(adjacency, network, 2, per_seed=True) for network in ("lottery", "random"))
    # the ratio of the means over seeds, not the mean of the per-seed ratios
    return over_seeds(ticket / random,
                      relative_to_chance(adjacency, "lottery", 2) / relative_to_chance(adjacency, "random", 2))


def lottery_claim_values(chains: pd.DataFrame, runs: pd.DataFrame, adjacency: pd.DataFrame,
                         panels: dict) -> ClaimValues:
    """The section's claims from the paper schedule's chains (one row per method, seed and
    level), the asymptotic runs (one row per variant, network, initialisation and seed, with its
    asymptotic_test_acc) and the ticket's first-layer adjacency (adjacency_table). ``panels``
    names the asymptotic variant behind Figure 4's original, flipped and shuffled panels (None:
    not run)."""
    values = ClaimValues()
    values.add("tickets_beat_random", tickets_beat_random(chains))
    values.add("tickets_beat_dense_above_95", tickets_beat_dense_above_95(chains))
    values.add("ticket_asymptotic_accuracy", ticket_accuracy(runs, panels["original"]))
    values.add("ticket_flipped_accuracy", ticket_accuracy(runs, panels["flipped"]))
    values.add("ticket_shuffled_vs_dense", ticket_vs_dense(runs, panels["shuffled"], "original"))
    values.add("ticket_shuffling_costs", ticket_shuffling_costs(runs, panels["original"], panels["shuffled"]))
    values.add("ticket_new_init_vs_dense", ticket_vs_dense(runs, panels["original"], "new"))
    values.add("ticket_more_adjacent", ticket_more_adjacent(adjacency))
    return values


@dataclass
class SettingMeasurements:
    """What one lottery.score_weights setting's figures, tables and claims show (measure_setting)."""

    chains: pd.DataFrame  # the paper schedule's chains
    levels: dict  # {method: level_means by level}
    ticket_level: int
    runs: pd.DataFrame  # asymptotic_runs
    stats: pd.DataFrame  # asymptotic_stats
    first_layer: dict  # {(method, seed): first-layer mask of the ticket level}
    adjacency: pd.DataFrame  # adjacency_table
    unit_fractions: dict
    claims: ClaimValues

    @property
    def lottery(self) -> pd.DataFrame:
        return self.levels["magnitude"]

    @property
    def random(self) -> pd.DataFrame:
        return self.levels["random"]

    @property
    def dense(self):
        """Level 0: the unpruned network."""
        return self.lottery.loc[0]

    @property
    def ticket_sparsity(self) -> float:
        return self.lottery.loc[self.ticket_level, "sparsity"]

    def tickets_minus_dense_above_95(self) -> float | None:
        """Tickets minus dense, mean test accuracy over the levels between 95 and 100 % sparsity
        (None: the schedule has none)."""
        above95 = above_95_levels(self.lottery)
        return self.lottery.loc[above95, "test_acc"].mean() - self.dense["test_acc"] if len(above95) else None


def measure_setting(chains: pd.DataFrame, run_specs: list[dict], run_metrics: list[dict], first_layer: dict,
                    ticket_level: int, run_lengths, panels: dict) -> SettingMeasurements:
    """One score_weights setting's measurements from its paper chains (paper_chains), its
    asymptotic runs (specs and metrics) and its ticket-level first-layer masks."""
    runs = asymptotic_runs(run_specs, run_metrics)
    adjacency, unit_fractions = adjacency_table(first_layer, run_lengths)
    return SettingMeasurements(chains=chains, levels=levels_by_method(chains), ticket_level=ticket_level, runs=runs,
                               stats=asymptotic_stats(runs), first_layer=first_layer, adjacency=adjacency,
                               unit_fractions=unit_fractions,
                               claims=lottery_claim_values(chains, runs, adjacency, panels))
