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
