"""Figure 9's training sets and the pooling verdicts' gaps.

Two ways to get a training set of each size (config ``pooling.train_sets``):

- ``per_size`` (the reference notebook): one dataset generated per size, with the generator
  parameters of ``pooling.dataset`` except ``num_samples`` = size + ``pooling.test_samples`` and
  ``train_split`` = 1 - test_samples / num_samples, so that it holds exactly ``size`` training
  and ``test_samples`` test samples. Every size has its own test set; the sets are not nested.
- ``nested``: the first ``size`` training samples of ``pooling.dataset``; every size is tested
  on that dataset's test samples.
"""
from __future__ import annotations

from .config_checks import ConfigError
from .generator import NUM_CLASSES, GeneratorArgs, split_counts
from .variants import train_subset

TRAIN_SETS = ("per_size", "nested")


def per_size_name(dataset: str, size: int) -> str:
    """Name of the dataset generated for one training size (e.g. "mnist1d_pool_n1000")."""
    return f"{dataset}_n{size}"


def per_size_datasets(config: dict) -> dict:
    """Name -> generator overrides of every per-size dataset of ``config`` (one per
    ``pooling.train_sizes``). Raises ``ConfigError`` naming the key when a size cannot be made
    exactly, or when the generator rejects the parameters."""
    pooling = config["pooling"]
    base_name, test = pooling["dataset"], pooling["test_samples"]
    base = config["datasets"][base_name]
    datasets = {}
    for size in pooling["train_sizes"]:
        num_samples = size + test
        overrides = {**base, "num_samples": num_samples, "train_split": 1 - test / num_samples}
        made = split_counts(num_samples, overrides["train_split"])
        if made != (size, test):
            raise ConfigError(
                f"config error at 'pooling.train_sizes': with pooling.train_sets 'per_size' the size {size} "
                f"needs a dataset of {size} + {test} (pooling.test_samples) samples, but the generator would "
                f"make {made[0]} train / {made[1]} test (it draws num_samples // {NUM_CLASSES} samples per "
                f"class, so size + test_samples must be a multiple of {NUM_CLASSES})")
        try:
            GeneratorArgs.from_dict({**config["generator"], **overrides})
        except ValueError as error:
            raise ConfigError(f"config error at 'pooling.train_sets': the per-size dataset of {size} samples "
                              f"(datasets.{base_name} with num_samples {num_samples}): {error}") from None
        datasets[per_size_name(base_name, size)] = overrides
    return datasets


def job_data(data: dict, size: int, train_sets: str) -> dict:
    """The training and test samples of one pooling job: a per-size dataset as it is (it must
    hold exactly ``size`` training samples), or the first ``size`` of a nested one."""
    if train_sets == "nested":
        return train_subset(data, size)
    if train_sets == "per_size":
        if len(data["y"]) != size:
            raise ValueError(f"the per-size dataset of {size} training samples holds {len(data['y'])}")
        return data
    raise ValueError(f"unknown pooling.train_sets {train_sets!r}; known: {', '.join(TRAIN_SETS)}")


POOLED = ("max", "avg", "l2")


def pooling_gaps(runs) -> dict:
    """Per-seed gaps behind the pooling claims, in points of final test accuracy (``runs``: one
    row per job with pooling, train_size, seed, test_acc): the mean of the pooled variants minus
    no pooling at the smallest and at the largest size, and striding minus no pooling at the
    smallest; each a Series over seeds (the same seed's runs paired), None if a variant is missing."""
    per_seed = runs.pivot_table(index=["train_size", "seed"], columns="pooling", values="test_acc")
    sizes = per_seed.index.get_level_values("train_size")
    smallest, largest = sizes.min(), sizes.max()

    def gap(size, variants):
        present = [v for v in variants if v in per_seed.columns]
        if not present or "none" not in per_seed.columns:
            return None
        at_size = per_seed.loc[size]
        return at_size[present].mean(axis=1) - at_size["none"]

    return {"pooling_helps_small_data": gap(smallest, POOLED), "pooling_no_help_large_data": gap(largest, POOLED),
            "striding_does_not_help": gap(smallest, ["stride"])}


def gap_values(gaps: dict) -> tuple[dict, dict]:
    """(mean, spread) of each claim's gaps over seeds; the spread only where there are several."""
    measured = {name: None if g is None else float(g.mean()) for name, g in gaps.items()}
    spread = {name: float(g.std()) for name, g in gaps.items() if g is not None and len(g) > 1}
    return measured, spread
