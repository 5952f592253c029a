"""Load a local copy of MNIST for the MNIST row of Table 1 (nothing is downloaded).

Accepted: a folder with the four IDX files as distributed (``train-images-idx3-ubyte``,
``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each
optionally ``.gz``), or an ``.npz`` with ``x_train``, ``y_train``, ``x_test``, ``y_test``.
Images come back as float arrays in [0, 1] of shape (n, 28, 28): 28 rows of 28 pixels, which
the 1-D models read as a sequence of rows.
"""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

IDX_FILES = {
    "x": "train-images-idx3-ubyte", "y": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte",
}
_IDX_UBYTE = 0x08


def read_idx(path: Path) -> np.ndarray:
    """Parse one IDX file (unsigned-byte data, any number of dimensions)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        raw = handle.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != _IDX_UBYTE:
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header says {shape}, file holds {data.size} values")
    return data.reshape(shape)


def _find(folder: Path, stem: str) -> Path:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"MNIST folder {folder} has no {stem} (or {stem}.gz)")


def load_mnist(path) -> dict[str, np.ndarray]:
    path = Path(path)
    if path.is_dir():
        arrays = {key: read_idx(_find(path, stem)) for key, stem in IDX_FILES.items()}
    elif path.is_file() and path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as archive:
            missing = {"x_train", "y_train", "x_test", "y_test"} - set(archive.files)
            if missing:
                raise ValueError(f"{path} lacks {', '.join(sorted(missing))}")
            arrays = {"x": archive["x_train"], "y": archive["y_train"],
                      "x_test": archive["x_test"], "y_test": archive["y_test"]}
    else:
        raise FileNotFoundError(f"MNIST path {path} is neither a folder of IDX files nor an .npz")
    for split in ("x", "x_test"):
        images = arrays[split]
        if images.ndim != 3 or len(images) != len(arrays["y" + split[1:]]):
            raise ValueError(f"{path}: {split} has shape {images.shape}, labels {len(arrays['y' + split[1:]])}")
        arrays[split] = images.astype(np.float64) / 255.0
    arrays["y"] = arrays["y"].astype(np.int64)
    arrays["y_test"] = arrays["y_test"].astype(np.int64)
    arrays["t"] = np.arange(arrays["x"].shape[1], dtype=np.float64)  # row index, for load_dataset
    return arrays


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write an unsigned-byte IDX file (gzip if the name ends in .gz); used by the tests."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, _IDX_UBYTE, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as handle:
        handle.write(header + array.tobytes())
