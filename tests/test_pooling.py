"""Figure 9's training sets (pooling.train_sets); its gaps and sensitivity rows: test_section_pooling.py."""
import copy

import numpy as np
import pytest
import yaml

from conftest import ROOT
from mnist1d_repro.config_checks import ConfigError
from mnist1d_repro.generator import GeneratorArgs, make_dataset
from mnist1d_repro.generator import split_counts
from mnist1d_repro.pooling import job_data, per_size_datasets

PAPER = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def test_the_reference_training_sets_are_the_default():
    assert PAPER["pooling"]["train_sets"] == "per_size"
    assert PAPER["pooling"]["test_samples"] == 1000


def test_per_size_datasets_are_the_references_one_dataset_per_size():
    datasets = per_size_datasets(PAPER)
    sizes = PAPER["pooling"]["train_sizes"]
    assert list(datasets) == [f"mnist1d_pool_n{n}" for n in sizes]
    for n in sizes:
        args = GeneratorArgs.from_dict({**PAPER["generator"], **datasets[f"mnist1d_pool_n{n}"]})
        # the notebook: num_samples = n + 1000, train_split = 1 - 1000 / num_samples, seed 42
        assert args.num_samples == n + 1000 and args.train_split == 1 - 1000.0 / (n + 1000)
        assert args.seed == 42
        assert split_counts(args.num_samples, args.train_split) == (n, 1000)


def tiny_config(sizes, test_samples):
    config = copy.deepcopy(PAPER)
    config["pooling"].update(train_sizes=sizes, test_samples=test_samples)
    return config


def test_a_generated_per_size_dataset_has_size_training_and_test_samples_samples():
    config = tiny_config([30, 70], 20)
    for n, (name, overrides) in zip([30, 70], per_size_datasets(config).items()):
        data = make_dataset(GeneratorArgs.from_dict({**config["generator"], **overrides}))
        assert (len(data["y"]), len(data["y_test"])) == (n, 20)
        assert job_data(data, n, "per_size") is data
        with pytest.raises(ValueError, match="holds"):
            job_data(data, n + 10, "per_size")


def test_a_size_the_generator_cannot_make_exactly_is_a_config_error_naming_the_key():
    with pytest.raises(ConfigError, match=r"'pooling.train_sizes'.*1005"):
        per_size_datasets(tiny_config([1000, 1005], 1000))


def test_the_nested_setting_takes_the_first_n_training_samples():
    data = make_dataset(GeneratorArgs(num_samples=200, train_split=0.5))
    subset = job_data(data, 40, "nested")
    np.testing.assert_array_equal(subset["x"], data["x"][:40])
    np.testing.assert_array_equal(subset["y"], data["y"][:40])
    np.testing.assert_array_equal(subset["x_test"], data["x_test"])  # every size: the same test samples
    with pytest.raises(ValueError, match="train_sets"):
        job_data(data, 40, "unknown")

