"""Figure 9's training sets (the verdicts' gaps are the section's: ``sections.pooling``).

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
from .sections.pooling import TRAIN_SETS
from .variants import train_subset


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
            raise ConfigError(f"config error at 'pooling.train_sizes' / 'pooling.test_samples': with "
                              f"pooling.train_sets 'per_size', training size {size} + {test} test samples gives "
                              f"the dataset datasets.{base_name} with num_samples {num_samples}: {error}") from None
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
    raise ValueError(f"unknown pooling.train_sets {train_sets!r}; known: {', '.join(TRAIN_SETS.values)}")
