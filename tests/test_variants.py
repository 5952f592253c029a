import numpy as np
import pytest
from scipy.stats import binom

from mnist1d_repro.generator import GeneratorArgs, make_dataset
from mnist1d_repro.variants import (apply_variant, chunk_swap, flip, label_noise, shuffle_features,
                                   stream_after_make_dataset)


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


DRAWS = {"reference": {"draw": "reference", "generator": GeneratorArgs().to_dict()},
         "all_at_once": {"draw": "all_at_once", "seed": 0}}


@pytest.mark.parametrize("draw", DRAWS)
@pytest.mark.parametrize("rate", [0.05, 0.15, 0.5])
def test_label_noise_rate_within_binomial_bounds(data, rate, draw):
    out = label_noise(data, rate=rate, **DRAWS[draw])
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
    a, b = label_noise(data, 0.2, "all_at_once", seed=1), label_noise(data, 0.2, "all_at_once", seed=1)
    np.testing.assert_array_equal(a["y"], b["y"])
    assert not np.array_equal(a["y"], label_noise(data, 0.2, "all_at_once", seed=2)["y"])
    reference = DRAWS["reference"]
    np.testing.assert_array_equal(label_noise(data, 0.2, **reference)["y"], label_noise(data, 0.2, **reference)["y"])
    np.testing.assert_array_equal(data["y"], y_before)
    for draw in DRAWS.values():
        assert not label_noise(data, 0.0, **draw)["label_resampled"].any()
        assert label_noise(data, 1.0, **draw)["label_resampled"].all()
    with pytest.raises(ValueError, match="rate"):
        label_noise(data, 1.5, "all_at_once", seed=0)
    # without a seed, all_at_once draws with seed 0
    assert np.array_equal(label_noise(data, 0.1, "all_at_once")["y"], label_noise(data, 0.1, "all_at_once", seed=0)["y"])
    with pytest.raises(ValueError, match="generator arguments"):
        label_noise(data, 0.1, "reference")


def run_reference_generator(args):
    """Our generator's dataset and the stream it drew from, left as make_dataset leaves it
    (the reference's make_dataset draws the same numbers from NumPy's global stream)."""
    made = []

    class Recorded(np.random.RandomState):
        def __init__(self, *seed):
            super().__init__(*seed)
            made.append(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(np.random, "RandomState", Recorded)
        data = make_dataset(args)
    assert len(made) == 1
    return data, made[0]


def reference_label_noise(data, stream, rate):
    """The reference notebook's procedure, run by hand on NumPy's global stream."""
    saved = np.random.get_state()
    np.random.set_state(stream.get_state())
    try:
        labels = data["y"].copy()
        for i in range(len(labels)):
            if np.random.random_sample() < rate:
                labels[i] = np.random.randint(0, 10)
    finally:
        np.random.set_state(saved)
    return labels


@pytest.mark.parametrize("args", [GeneratorArgs(num_samples=2000, train_split=0.25),
                                  GeneratorArgs(num_samples=1000, seed=7, shuffle_seq=True)],
                         ids=["dd-like", "seed7-shuffle_seq"])
def test_reference_label_noise_equals_a_hand_run_of_the_notebook(args):
    data, stream = run_reference_generator(args)
    expected = reference_label_noise(data, stream, 0.15)
    replayed, _ = stream_after_make_dataset(args)
    np.testing.assert_array_equal(replayed.get_state()[1], stream.get_state()[1])
    assert replayed.get_state()[2] == stream.get_state()[2]

    out = apply_variant(data, {"kind": "label_noise", "rate": 0.15, "draw": "reference"}, generator=args.to_dict())
    changed = np.flatnonzero(expected != data["y"])
    assert len(changed) > 10
    np.testing.assert_array_equal(out["y"][changed[:5]], expected[changed[:5]])  # the first few noisy labels
    np.testing.assert_array_equal(out["y"], expected)
    # the earlier draw, from RandomState(0) all at once, is another set of labels at the same rate
    assert not np.array_equal(label_noise(data, 0.15, "all_at_once", seed=0)["y"], expected)


def test_reference_label_noise_refuses_a_dataset_its_generator_did_not_make(data):
    other = GeneratorArgs(seed=43).to_dict()
    with pytest.raises(ValueError, match="does not give this dataset's labels"):
        label_noise(data, 0.15, "reference", generator=other)


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
