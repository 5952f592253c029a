import numpy as np
import pytest
from scipy.stats import binom

from mnist1d_repro.generator import GeneratorArgs, make_dataset
from mnist1d_repro.variants import apply_variant, chunk_swap, flip, label_noise, shuffle_features


@pytest.fixture(scope="module")
def data():
    return make_dataset(GeneratorArgs())


def test_shuffle_uses_one_permutation_for_train_and_test(data):
    out = shuffle_features(data, seed=42)
    np.random.seed(42)
    expected = np.random.permutation(40)  # how the reference draws it
    np.testing.assert_array_equal(out["feature_order"], expected)
    np.testing.assert_array_equal(out["x"], data["x"][:, expected])
    np.testing.assert_array_equal(out["x_test"], data["x_test"][:, expected])
    np.testing.assert_array_equal(out["y"], data["y"])
    assert not np.array_equal(out["feature_order"], shuffle_features(data, seed=0)["feature_order"])


def test_flip_twice_is_identity(data):
    once = flip(data)
    np.testing.assert_array_equal(once["x"][:, 0], data["x"][:, -1])
    twice = flip(once)
    np.testing.assert_array_equal(twice["x"], data["x"])
    np.testing.assert_array_equal(twice["x_test"], data["x_test"])


def test_chunk_swap_reorders_chunks(data):
    out = chunk_swap(data, [3, 4, 1, 2])
    np.testing.assert_array_equal(out["x"][:, :10], data["x"][:, 20:30])
    np.testing.assert_array_equal(out["x"][:, 10:20], data["x"][:, 30:40])
    np.testing.assert_array_equal(out["x_test"][:, 20:40], data["x_test"][:, 0:20])
    with pytest.raises(ValueError, match="permutation"):
        chunk_swap(data, [1, 1, 2, 3])
    with pytest.raises(ValueError, match="equal chunks"):
        chunk_swap(data, [1, 2, 3])


@pytest.mark.parametrize("rate", [0.05, 0.15, 0.5])
def test_label_noise_rate_within_binomial_bounds(data, rate):
    out = label_noise(data, rate=rate, seed=0)
    n = len(data["y"])
    low, high = binom.ppf([0.0005, 0.9995], n, rate)
    assert low <= out["label_resampled"].sum() <= high
    changed = out["y"] != data["y"]
    assert not np.any(changed & ~out["label_resampled"])  # only redrawn labels change
    # a redrawn label lands on its old class with probability 1/10
    low, high = binom.ppf([0.0005, 0.9995], n, rate * 0.9)
    assert low <= changed.sum() <= high
    np.testing.assert_array_equal(out["y_test"], data["y_test"])
    np.testing.assert_array_equal(out["x"], data["x"])
    np.testing.assert_array_equal(out["y_clean"], data["y"])


def test_label_noise_is_deterministic_and_input_untouched(data):
    y_before = data["y"].copy()
    a, b = label_noise(data, 0.2, seed=1), label_noise(data, 0.2, seed=1)
    np.testing.assert_array_equal(a["y"], b["y"])
    assert not np.array_equal(a["y"], label_noise(data, 0.2, seed=2)["y"])
    np.testing.assert_array_equal(data["y"], y_before)
    assert not label_noise(data, 0.0, seed=0)["label_resampled"].any()
    assert label_noise(data, 1.0, seed=0)["label_resampled"].all()
    with pytest.raises(ValueError, match="rate"):
        label_noise(data, 1.5, seed=0)


def test_apply_variant_dispatches_and_rejects_unknown_kind(data):
    np.testing.assert_array_equal(apply_variant(data, {"kind": "flip"})["x"], flip(data)["x"])
    with pytest.raises(ValueError, match="rotate"):
        apply_variant(data, {"kind": "rotate"})


@pytest.mark.parametrize("size", [1, 1000, 4000])
def test_train_subset_is_exact_and_keeps_the_test_set(data, size):
    out = apply_variant(data, {"kind": "train_subset", "size": size})
    assert len(out["x"]) == len(out["y"]) == size
    np.testing.assert_array_equal(out["x"], data["x"][:size])
    np.testing.assert_array_equal(out["x_test"], data["x_test"])
    with pytest.raises(ValueError, match="train_subset size"):
        apply_variant(data, {"kind": "train_subset", "size": 4001})
