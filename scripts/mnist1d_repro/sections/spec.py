"""What a paper section declares to the rest of the pipeline."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True)
class Switch:
    """A deviation switch: a config key whose settings choose between the paper's text, the
    reference code and ours (config/deviations.yaml). The ``sensitivity`` section of the config
    may run its other settings beside the configured one.

    values: the settings the key accepts (the schema's enum is filled in from here); None where
        the schema checks them itself (a number's range; a key inside a named config entry).
    reruns_jobs: an alternative setting trains its own jobs (True) or only re-aggregates the
        configured setting's jobs (False).
    seed_set: each setting is a list of seeds; an alternative adds the jobs of the other seeds
        beside the configured ones, in the same folders (a job's path names its seed).
    """

    key: str
    values: tuple | None
    reruns_jobs: bool
    seed_set: bool = False

    @property
    def folder_prefix(self) -> str:
        """The start of an alternative's results folder: the key's last part (e.g. "score_weights")."""
        return self.key.split(".")[-1]


def setting_name(setting):
    """A switch setting as the sensitivity table names it: a seed set's list as "42, 43, 44",
    any other setting as it is."""
    return ", ".join(str(seed) for seed in setting) if isinstance(setting, (list, tuple)) else setting


@dataclass(frozen=True)
class Section:
    """A paper section as the pipeline runs it.

    name: its claims' section in config/claims.yaml and its module under ``sections``.
    folder: its folder under results/ (and under results/logs, results/benchmarks); two sections
        may share one (5.3 and 5.4 share "metalearning").
    category: its report category.
    outputs: its report's figures and tables, under its folder; the review waits for them.
    claims_tables, sensitivity_tables: the claims and Deviation sensitivity tables it writes
        under its folder, which the review collects.
    switches: the deviation switches whose other settings it knows how to run.
    """

    name: str
    folder: str
    category: str
    outputs: tuple[str, ...]
    claims_tables: tuple[str, ...]
    sensitivity_tables: tuple[str, ...]
    switches: tuple[Switch, ...] = ()


class Measurement(NamedTuple):
    """One claim's number and what its error comes from. ``spread``: the standard deviation over
    seeds or runs, where there were several (the standard error is then spread / sqrt(n));
    ``se``: a standard error that is not spread / sqrt(n) (e.g. the binomial error of one run);
    ``n``: how many seeds or runs the number comes from."""

    value: float | None
    spread: float | None = None
    se: float | None = None
    n: int | None = None


def mean_over_runs(values) -> Measurement:
    """The mean of one number per seed (or run) with its spread (std, ddof 1) and standard error
    (spread / sqrt(n)) over them; one value has no spread."""
    values = [float(value) for value in values]
    n = len(values)
    spread = statistics.stdev(values) if n > 1 else None
    return Measurement(statistics.fmean(values), spread=spread, se=None if spread is None else spread / n ** 0.5, n=n)


@dataclass
class ClaimValues:
    """A section's measurements, by claim id, in the form the claims tables take
    (``reporting.claims_table`` and ``reporting.sensitivity_table``)."""

    measured: dict = field(default_factory=dict)
    spread: dict = field(default_factory=dict)
    se: dict = field(default_factory=dict)
    n: dict = field(default_factory=dict)

    def add(self, claim_id: str, measurement: Measurement) -> None:
        """Record one claim's measurement (a value of None: the claim did not run)."""
        self.measured[claim_id] = measurement.value
        for name in ("spread", "se", "n"):
            if getattr(measurement, name) is not None:
                getattr(self, name)[claim_id] = getattr(measurement, name)

    def table_arguments(self) -> dict:
        """Keyword arguments of ``reporting.claims_table``: measured, spread, se, n."""
        return {"measured": self.measured, "spread": self.spread, "se": self.se, "n": self.n}


def sensitivity_arguments(by_setting: dict[str, ClaimValues]) -> dict:
    """Keyword arguments of ``reporting.sensitivity_table`` from each setting's ClaimValues:
    measured, spread, se and n, each by setting."""
    return {name: {setting: getattr(values, name) for setting, values in by_setting.items()}
            for name in ("measured", "spread", "se", "n")}
