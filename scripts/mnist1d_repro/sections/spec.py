"""What a paper section declares to the rest of the pipeline."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Switch:
    """A deviation switch: a config key whose settings choose between the paper's text, the
    reference code and ours (config/deviations.yaml). The ``sensitivity`` section of the config
    may run its other settings beside the configured one.

    values: the settings the key accepts (the schema's enum is filled in from here); None for a
        number, whose range the schema checks.
    reruns_jobs: an alternative setting trains its own jobs (True) or only re-aggregates the
        configured setting's jobs (False).
    """

    key: str
    values: tuple | None
    reruns_jobs: bool

    @property
    def folder_prefix(self) -> str:
        """The start of an alternative's results folder: the key's last part (e.g. "score_weights")."""
        return self.key.split(".")[-1]


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
